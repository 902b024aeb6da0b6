"""svgrender: serve the HTTP API, or run the same pipeline here.

commands: serve, render, templates, link, batch, worker, sweep, mcp. Templates come from
--templates DIR, else SVGRENDER_TEMPLATES_DIR, else ./templates; a command that takes a template
id also takes a path to an .svg file; render, batch and templates run on a remote service with
--server."""

from __future__ import annotations

import argparse
import gc
import ipaddress
import json
import os
import logging
import sys
from dataclasses import replace
from pathlib import Path

# Only light imports here: `svgrender --help` and a wrong template name answer before cairo,
# Pango and the drawing code load (each command imports what it draws with).
from svgrender import logs
from svgrender.cli_render import locate, not_found, param_pairs
from svgrender.errors import SvgRenderError
from svgrender.formats import BY_NAME
from svgrender.settings import Settings
from svgrender.words import counted

log = logging.getLogger("svgrender")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _once():
    """A log filter passing each distinct warning once (a batch's rows all warn alike)."""
    seen: set[tuple[str, str]] = set()

    def first(record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        key = (record.name, record.getMessage())
        if key in seen:
            return False
        seen.add(key)
        return True

    return first


def _with_templates(args, settings: Settings) -> Settings:
    """--templates DIR wins over SVGRENDER_TEMPLATES_DIR (whose default is ./templates)."""
    if getattr(args, "templates", None):
        return replace(settings, templates_dir=Path(args.templates).expanduser())
    return settings


def cmd_serve(args, settings: Settings) -> int:
    import uvicorn

    from svgrender.api.app import create_app  # the server's imports only when serving
    from svgrender.api.connections import uvicorn_options
    from svgrender.api.observe import json_lines

    if args.storage:
        settings = replace(settings, storage_dir=Path(args.storage))
    if not settings.api_keys:
        if not _is_loopback(args.host) and not args.insecure_open:
            print(f"refusing to bind {args.host} without SVGRENDER_API_KEYS; set keys, bind "
                  "127.0.0.1, or pass --insecure-open", file=sys.stderr)
            return 2
        log.warning("no SVGRENDER_API_KEYS set: the API is open to anyone who can reach %s",
                    args.host)
    json_lines()  # one JSON line per request (ours, with the request id) instead of uvicorn's
    app = create_app(settings)
    # Everything imported and built so far lives as long as the server: out of the cyclic
    # collector's sight, a full collection under load pauses the event loop (and /healthz)
    # for tens of ms instead of ~0.3 s (measured under benchmarks/bench_attacks.py).
    gc.collect()
    gc.freeze()
    # Deadlines, connection caps and shedding that spare /healthz: api/connections.py.
    uvicorn.run(**uvicorn_options(settings, app), host=args.host,
                port=args.port, log_level="info",
                access_log=False, log_config=None,  # uvicorn logs through logs.configure's
                # SIGTERM: stop accepting, let requests in progress finish (a render at most).
                timeout_graceful_shutdown=int(settings.render_timeout) + 5, workers=None)
    return 0


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError("--timeout takes seconds, more than 0")
    return value


def cmd_render(args, settings: Settings) -> int:
    """One template to a file, or many into a folder (cli_render.py)."""
    from svgrender.cli_render import plan, render_files

    planned, failed = plan(args, settings)
    if not planned:
        return 1
    return render_files(args, settings, planned) or (1 if failed else 0)


def _render_remote(args) -> int:
    """render --server: each template rendered by the service, written like a local render."""
    from svgrender.cli_render import output_format, output_paths, report
    from svgrender.client.cli import run_remote

    fmt = output_format(args)
    pairs = param_pairs(args.param)
    several = len(args.template) > 1
    status = 0
    for name, path in zip(args.template, output_paths(args.template, args.output, fmt)):
        path.parent.mkdir(parents=True, exist_ok=True)
        one = argparse.Namespace(**{**vars(args), "template": name, "output": str(path),
                                    "format": fmt})
        try:
            status = run_remote("render", one, pairs) or status
        except SvgRenderError as exc:
            if not several:
                raise
            report(exc, name)  # named, and the others still rendered
            status = 1
    return status


def cmd_templates(args, settings: Settings) -> int:
    from svgrender.api.views import layer_json, template_summary
    from svgrender.templates.report import findings
    from svgrender.templates.store import TemplateStore

    store = TemplateStore.for_settings(settings)
    if args.id:
        template = store.valid(args.template_id)
        for layer in template.listed_layers():
            info = layer_json(layer, template)
            print(f"{info['name']:<24} {info['type']:<7} x={info['x']:<8} y={info['y']:<8} "
                  f"{info['width']}×{info['height']}")
        for finding in findings(template):
            print(f"\n{finding.code}: {finding.message}\n  fix: {finding.fix}")
        return 0
    if not store.ids():
        print(f"no templates in {settings.templates_dir.absolute()}"
              f"{'' if settings.templates_dir.is_dir() else ' (no such folder)'}; point to "
              "your templates with --templates DIR or SVGRENDER_TEMPLATES_DIR", file=sys.stderr)
    for template in store.all():
        info = template_summary(template)
        status = "" if info["valid"] else f"  INVALID: {info['error']}"
        print(f"{info['id']:<24} {info['width']}×{info['height']}  {counted(info['layerCount'], 'layer')}"
              f"{status}")
    return 0


def cmd_link(args, settings: Settings) -> int:
    """Print a signed render link (checked against the local template when there is one)."""
    from svgrender.executors import ThreadExecutor
    from svgrender.links import link_urls
    from svgrender.params import RenderRequest, params_from_pairs, validate_request
    from svgrender.wiring import local_service

    if not settings.link_keys and not settings.unsigned_links:
        raise SvgRenderError("set SVGRENDER_LINK_KEYS (the server's keys) to sign links",
                             field="SVGRENDER_LINK_KEYS", code="links_disabled")
    request = validate_request(
        RenderRequest(params=params_from_pairs(param_pairs(args.param)), format=args.format,
                      scale=args.scale), max_text_chars=settings.max_text_chars,
        max_metadata_bytes=settings.max_metadata_bytes, max_params=settings.max_params,
        max_scale=settings.max_scale)
    service = local_service(settings, ThreadExecutor(settings))
    store = service.templates
    version = None
    if args.template_id in store.ids():
        template = store.valid(args.template_id)
        request = service.admit_to(template, request).request
        version = template.version if args.pin else None
    elif args.pin:
        raise not_found(args.template_id, settings.templates_dir, False)
    base = args.base or settings.public_url or "http://127.0.0.1:9333"
    urls = link_urls(base, settings.link_keys[0] if settings.link_keys else None,
                     args.template_id, request, version)
    print(urls[{"": "url", "thumb": "thumbnailUrl", "thumb2x": "retinaThumbnailUrl"}[args.size]])
    return 0


def cmd_batch(args, settings: Settings) -> int:
    """Render every row of a CSV (or JSON) on all cores into a folder, with a progress bar."""
    from rich.console import Console

    from svgrender.jobs import local
    from svgrender.templates.store import TemplateStore

    console = Console(stderr=True)
    template = TemplateStore.for_settings(settings).valid(args.template_id)
    rows = local.read_rows(Path(args.rows), "pdf" if args.pdf else args.format, settings,
                           template)
    out = Path(args.output)
    import asyncio

    outcome = asyncio.run(local.render_rows(args.template_id, rows, out, settings, console))
    done = sum(1 for path in outcome.written if path.exists())
    console.print(f"{done} of {len(rows)} rows in {out}/ ({outcome.skipped} already there), "
                  f"{len(outcome.failed)} failed")
    for number, error in outcome.failed[:50]:
        where = ".".join(x for x in (error.get("layer"), error.get("field")) if x)
        console.print(f"  row {number}: {error['code']}{f' ({where})' if where else ''}: "
                      f"{error['message']}", markup=False, highlight=False)
    if args.zip:
        console.print(f"{counted(local.write_zip(outcome.written, Path(args.zip)), 'file')} in "
                      f"{args.zip}")
    if args.pdf:
        console.print(f"{counted(local.write_pdf(outcome.written, Path(args.pdf)), 'page')} in "
                      f"{args.pdf}")
    return 1 if outcome.failed else 0


def cmd_mcp(args, settings: Settings) -> int:
    """The MCP server on stdin/stdout: against --server, or the service in this process."""
    try:
        from svgrender.mcp import stdio
    except ImportError:
        raise SvgRenderError("svgrender mcp needs the mcp extra: pip install 'svgrender[mcp]'",
                             code="missing_extra") from None
    import asyncio

    asyncio.run(stdio.run(settings, args.server, args.key))
    return 0


def add_remote(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", help="run against this svgrender service (URL) instead "
                                          "of this machine's templates")
    parser.add_argument("--key", help="the service's API key")


def cmd_worker(args, settings: Settings) -> int:
    """Consume batch rows and webhooks from Redis (SVGRENDER_REDIS_URL) until SIGTERM."""
    import signal
    import threading

    import dramatiq

    from svgrender.wiring import build_jobs, build_service  # the worker renders like the API
    from svgrender.executors import ThreadExecutor
    from svgrender.workers import limit_memory

    if not settings.redis_url:
        raise SvgRenderError("svgrender worker needs SVGRENDER_REDIS_URL", field="redis_url")
    if args.storage:
        settings = replace(settings, storage_dir=Path(args.storage))
    limit_memory(settings)  # this whole process is a render worker
    service = build_service(settings, executor=ThreadExecutor(settings))
    jobs = build_jobs(settings, service)
    from svgrender.io.deps import warn_other_namespaces

    warn_other_namespaces(settings, "svgrender worker")
    worker = dramatiq.Worker(jobs.engine.broker, worker_threads=args.threads,
                             worker_timeout=200)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker.start()
    log.info("svgrender worker: %d thread(s) on %s", args.threads, settings.redis_url)
    stop.wait()
    worker.stop(timeout=int(settings.render_timeout * 1000) + 5000)  # finish the row in hand
    jobs.engine.broker.close()
    return 0


def cmd_sweep(args, settings: Settings) -> int:
    """Apply SVGRENDER_RETENTION_DAYS / SVGRENDER_STORAGE_MAX_BYTES once (cron-friendly)."""
    from svgrender.executors import ThreadExecutor
    from svgrender.retention import sweep
    from svgrender.wiring import build_service

    print(json.dumps(sweep(build_service(settings, executor=ThreadExecutor(settings)))))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="svgrender", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    folder = argparse.ArgumentParser(add_help=False)
    folder.add_argument("--templates", metavar="DIR",
                        help="templates folder (default: SVGRENDER_TEMPLATES_DIR, else "
                             "./templates)")
    serve = sub.add_parser("serve", help="run the HTTP API", parents=[folder])
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=9333)
    serve.add_argument("--storage", help="storage directory (SVGRENDER_STORAGE_DIR)")
    serve.add_argument("--insecure-open", action="store_true",
                       help="allow binding a non-loopback address without API keys")
    render = sub.add_parser("render", help="render templates to image files",
                            parents=[folder])
    render.add_argument("template", nargs="+",
                        help="template id, or a path to any .svg file; several: one image each "
                             "into the -o folder, in one process")
    render.add_argument("-o", "--output", required=True,
                        help="the image file, or a folder (OUT/<name>.<format>; required "
                             "with several templates)")
    render.add_argument("-p", "--param", action="append", default=[],
                        help="name.property=value, e.g. -p title.text='Hello' (repeatable)")
    render.add_argument("--scale", type=float, default=1.0)
    render.add_argument("--format", choices=sorted(BY_NAME),
                        help="default: the output file's extension, else png")
    render.add_argument("--timeout", type=_positive_seconds, default=None,
                        help="seconds for loading and drawing each template (default: twice "
                             "SVGRENDER_RENDER_TIMEOUT); the process also gets "
                             "SVGRENDER_WORKER_MEMORY_LIMIT_MB")
    link = sub.add_parser("link", help="print a signed render link (SVGRENDER_LINK_KEYS)",
                          parents=[folder])
    link.add_argument("template", help="template id, or a path to its .svg file")
    link.add_argument("-p", "--param", action="append", default=[],
                      help="name.property=value (repeatable)")
    link.add_argument("--format", default="png", choices=sorted(BY_NAME))
    link.add_argument("--scale", type=float, default=1.0)
    link.add_argument("--size", default="", choices=["", "thumb", "thumb2x"])
    link.add_argument("--pin", action="store_true",
                      help="pin the template's current version (v=…)")
    link.add_argument("--base", help="server base URL (default SVGRENDER_PUBLIC_URL or "
                                     "http://127.0.0.1:9333)")
    batch = sub.add_parser("batch", help="render every row of a CSV or JSON file into a folder",
                           parents=[folder])
    batch.add_argument("template", help="template id, or a path to any .svg file")
    batch.add_argument("rows", help="CSV (layer.property columns, fileName, format, scale, "
                                    "metadata) or JSON list of render bodies")
    batch.add_argument("-o", "--output", required=True, help="folder (rows already there are "
                                                            "skipped)")
    batch.add_argument("--format", choices=sorted(BY_NAME), help="default format of the rows")
    batch.add_argument("--zip", help="also write the files into this zip, in row order")
    batch.add_argument("--pdf", help="render every row as PDF and combine them into this file")
    sub.add_parser("sweep", help="delete renders past the retention settings, once")
    worker = sub.add_parser("worker", help="render batch rows from Redis (SVGRENDER_REDIS_URL)",
                            parents=[folder])
    worker.add_argument("--threads", type=int, default=1,
                        help="rows at once in this process (start one process per core)")
    worker.add_argument("--storage", help="storage directory (shared with the API)")
    templates = sub.add_parser("templates", help="list templates, or one template's layers",
                               parents=[folder])
    templates.add_argument("id", nargs="?", help="template id, or a path to any .svg file")
    for remote in (render, batch, templates):
        add_remote(remote)
    mcp = sub.add_parser("mcp", help="the MCP server for assistants, on stdin/stdout")
    add_remote(mcp)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = _with_templates(args, Settings.from_env())
    handler = logs.configure(settings.log_format)  # every logger, uvicorn's, botocore's too
    if args.command not in ("serve", "worker"):
        if handler is not None:
            handler.addFilter(_once())  # a one-off command: each warning once
        for name in ("httpx", "httpcore"):  # not a line per request of a --server command
            logging.getLogger(name).setLevel(logging.WARNING)
    if args.command == "render":  # one or many templates: names checked before fonts load
        try:
            if args.server:
                return _render_remote(args)
            return cmd_render(args, settings)
        except SvgRenderError as exc:
            print(f"error: {json.dumps(exc.to_json())}", file=sys.stderr)
            return 1
    named = getattr(args, "template", None) or getattr(args, "id", None)
    if named:
        # Before fonts and seams load: a wrong name or folder fails at once, saying where.
        try:
            settings, args.template_id = locate(named, settings,
                                                required=args.command != "link")
        except SvgRenderError as exc:
            print(f"error: {json.dumps(exc.to_json())}", file=sys.stderr)
            return 1
    from svgrender.draw import seams
    from svgrender.draw.fonts import add_font_dir

    seams.install()
    add_font_dir(settings.fonts_dir)
    handler = {"serve": cmd_serve, "render": cmd_render, "templates": cmd_templates,
               "link": cmd_link, "worker": cmd_worker, "batch": cmd_batch,
               "sweep": cmd_sweep, "mcp": cmd_mcp}[args.command]
    try:
        if getattr(args, "server", None) and args.command in ("render", "batch", "templates"):
            from svgrender.client.cli import run_remote

            return run_remote(args.command, args, param_pairs(getattr(args, "param", [])))
        return handler(args, settings)
    except SvgRenderError as exc:
        print(f"error: {json.dumps(exc.to_json())}", file=sys.stderr)
        return 1
    except MemoryError:
        error = {"code": "memory_limit", "message": "this needs more memory than "
                 "SVGRENDER_WORKER_MEMORY_LIMIT_MB allows"}
        print(f"error: {json.dumps(error)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
