"""`svgrender serve | render | templates`: the same pipeline as the HTTP API."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

import msgspec

from . import pipeline
from .errors import SvgRenderError
from .fetch import ImageFetcher
from .fonts import add_font_dir
from .params import FORMATS, LayerParam, RenderRequest, validate_request
from .settings import Settings
from .templates import TemplateStore, load_template

log = logging.getLogger("svgrender")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cmd_serve(args, settings: Settings) -> int:
    import uvicorn

    from .app import create_app

    if args.templates:
        settings = replace(settings, templates_dir=Path(args.templates))
    if args.storage:
        settings = replace(settings, storage_dir=Path(args.storage))
    if not settings.api_keys:
        if not _is_loopback(args.host) and not args.insecure_open:
            print(f"refusing to bind {args.host} without SVGRENDER_API_KEYS; set keys, bind "
                  "127.0.0.1, or pass --insecure-open", file=sys.stderr)
            return 2
        log.warning("no SVGRENDER_API_KEYS set: the API is open to anyone who can reach %s",
                    args.host)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info",
                workers=None)
    return 0


def _parse_param(text: str) -> tuple[str, str, object]:
    target, sep, value = text.partition("=")
    name, dot, prop = target.rpartition(".")
    if not sep or not dot or not name or not prop:
        raise SvgRenderError(f"-p expects name.property=value, got {text!r}", field="params")
    return name, prop, value


def cmd_render(args, settings: Settings) -> int:
    source = Path(args.template)
    if source.suffix.lower() == ".svg" and source.is_file():
        stat = source.stat()
        template = load_template(source.stem, source, (stat.st_mtime_ns, stat.st_size),
                                 source.read_bytes())
    else:
        template = TemplateStore(settings.templates_dir, settings.max_template_bytes).valid(
            args.template)
    fmt = args.format or Path(args.output).suffix.lstrip(".").lower() or "png"
    grouped: dict[str, dict] = {}
    for item in args.param:
        name, prop, value = _parse_param(item)
        grouped.setdefault(name, {"name": name})[prop] = value
    try:
        params = msgspec.convert(list(grouped.values()), list[LayerParam], strict=False)
    except msgspec.ValidationError as exc:
        raise SvgRenderError(f"bad -p value: {exc}", field="params") from None
    request = validate_request(RenderRequest(params=params, format=fmt, scale=args.scale),
                               max_text_chars=settings.max_text_chars,
                               max_metadata_bytes=settings.max_metadata_bytes,
                               max_params=settings.max_params, max_scale=settings.max_scale)
    images = asyncio.run(pipeline.load_images(request, ImageFetcher(settings), settings))
    rendered = pipeline.render(template, request, settings, "0000000000", images)
    Path(args.output).write_bytes(rendered.files[0].data)
    print(f"{args.output}: {rendered.width}×{rendered.height} {request.format}")
    return 0


def cmd_templates(args, settings: Settings) -> int:
    from .app import layer_json, template_summary

    store = TemplateStore(settings.templates_dir, settings.max_template_bytes)
    if args.id:
        template = store.valid(args.id)
        for layer in template.listed_layers():
            info = layer_json(template, layer)
            print(f"{info['name']:<24} {info['type']:<7} x={info['x']:<8} y={info['y']:<8} "
                  f"{info['width']}×{info['height']}")
        return 0
    for template in store.all():
        info = template_summary(template)
        status = "" if info["valid"] else f"  INVALID: {info['error']}"
        print(f"{info['id']:<24} {info['width']}×{info['height']}  {info['layerCount']} layers"
              f"{status}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="svgrender", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=9333)
    serve.add_argument("--templates", help="templates directory (SVGRENDER_TEMPLATES_DIR)")
    serve.add_argument("--storage", help="storage directory (SVGRENDER_STORAGE_DIR)")
    serve.add_argument("--insecure-open", action="store_true",
                       help="allow binding a non-loopback address without API keys")
    render = sub.add_parser("render", help="render one image to a file")
    render.add_argument("template", help="template id, or a path to any .svg file")
    render.add_argument("-o", "--output", required=True)
    render.add_argument("-p", "--param", action="append", default=[],
                        help="name.property=value, e.g. -p title.text='Hello' (repeatable)")
    render.add_argument("--scale", type=float, default=1.0)
    render.add_argument("--format", choices=sorted(FORMATS))
    templates = sub.add_parser("templates", help="list templates, or one template's layers")
    templates.add_argument("id", nargs="?")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    add_font_dir(settings.fonts_dir)
    handler = {"serve": cmd_serve, "render": cmd_render, "templates": cmd_templates}[args.command]
    try:
        return handler(args, settings)
    except SvgRenderError as exc:
        print(f"error: {json.dumps(exc.to_json())}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
