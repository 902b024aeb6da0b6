"""`svgrender render a.svg [b.svg …] -o OUT`: one template to a file, or many into a folder in
one process (start-up, fonts and CairoSVG's seams paid once).

Light at import (the CLI imports it for --help): the drawing code loads in `render_files`, after
every name has been checked. The draw runs the same `render()` as the server's workers, without
the service's storing and result cache, and draws no thumbnails (the image is drawn first in
any case, so its pixels are the same).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from svgrender.errors import SvgRenderError, TemplateNotFound
from svgrender.formats import BY_NAME
from svgrender.settings import Settings


@dataclass
class Planned:
    named: str  # as given on the command line
    settings: Settings  # its templates folder
    template_id: str
    output: Path


def param_pairs(items: list[str]) -> list[tuple[str, str]]:
    """-p name.property=value, as (key, value) pairs."""
    pairs = []
    for text in items:
        key, sep, value = text.partition("=")
        if not sep:
            raise SvgRenderError(f"-p expects name.property=value, got {text!r}",
                                 field="params")
        pairs.append((key, value))
    return pairs


def not_found(text: str, folder: Path, as_path: bool) -> TemplateNotFound:
    """Where we looked, and how to look elsewhere."""
    hint = ("point to your templates with --templates DIR or SVGRENDER_TEMPLATES_DIR, or give "
            "a path to an .svg file")
    if as_path:
        return TemplateNotFound(f"no SVG file at {Path(text).expanduser().absolute()}; {hint}",
                                field="template")
    if not folder.is_dir():
        where = f"the templates folder {folder.absolute()} does not exist"
    else:
        ids = sorted(p.stem for p in folder.glob("*.svg") if p.is_file())
        shown = ", ".join(ids[:12]) + (f", … ({len(ids)} in all)" if len(ids) > 12 else "")
        where = (f"no {text}.svg in {folder.absolute()}"
                 + (f" (it has: {shown})" if ids else " (it has no .svg files)"))
    return TemplateNotFound(f"template {text!r} not found: {where}; {hint}", field="template")


def locate(text: str, settings: Settings, required: bool = True) -> tuple[Settings, str]:
    """A template id in the templates folder, or a path to an .svg file (then its folder is the
    templates folder and its name the id). Only file lookups: it answers before fonts load."""
    folder = settings.templates_dir
    in_folder = not any(c in text for c in "/\\") and (folder / f"{text}.svg").is_file()
    path = Path(text).expanduser()
    as_path = path.suffix.lower() in (".svg", ".svgz") or any(c in text for c in "/\\")
    if as_path and not in_folder and path.is_file():
        if path.suffix.lower() != ".svg":
            raise SvgRenderError(f"{path}: upload .svgz files as templates first (or unpack "
                                 "them to .svg)", field="template")
        return replace(settings, templates_dir=path.resolve().parent), path.stem
    if in_folder or not required and not as_path:
        return settings, text
    raise not_found(text, folder, as_path)


def output_format(args) -> str:
    """--format, else the output file's extension (one template), else png."""
    if args.format:
        return args.format
    if len(args.template) == 1 and not _is_folder(args.output):
        return Path(args.output).suffix.lstrip(".").lower() or "png"
    return "png"


def _is_folder(output: str) -> bool:
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


def output_paths(names: list[str], output: str, fmt: str) -> list[Path]:
    """Where each template's image goes: OUT itself for one template given a file name, else
    OUT/<template name>.<format> (OUT a folder, made if missing)."""
    if len(names) == 1 and not _is_folder(output):
        return [Path(output)]
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise SvgRenderError(f"-o {output}: with more than one template, -o must be a folder "
                             "(this is a file)", field="output")
    if not folder.exists() and folder.suffix.lower().lstrip(".") in BY_NAME \
            and not output.endswith(("/", os.sep)):
        raise SvgRenderError(f"-o {output}: with more than one template, -o must be a folder "
                             f"(write {output}/ to make a folder of that name)", field="output")
    paths = [folder / f"{Path(name).stem}.{fmt}" for name in names]
    seen: dict[Path, str] = {}
    for name, path in zip(names, paths):
        if path in seen:
            raise SvgRenderError(f"{seen[path]} and {name} would both be written to {path}; "
                                 "render them in separate calls", field="template")
        seen[path] = name
    return paths


def report(error: SvgRenderError, named: str | None = None) -> None:
    """`error: {json}` on stderr; with several templates the JSON names the file."""
    body = error.to_json()
    if named is not None:
        body = {"file": named, **body}
    print(f"error: {json.dumps(body)}", file=sys.stderr, flush=True)


def plan(args, settings: Settings) -> tuple[list[Planned], int]:
    """Every template located and given its output path before anything loads; those not
    found are reported (naming the file) and left out. Answers (plan, failures)."""
    names: list[str] = args.template
    several = len(names) > 1
    fmt = output_format(args)
    outputs = output_paths(names, args.output, fmt)  # raises: nothing to render
    planned, failed = [], 0
    for name, output in zip(names, outputs):
        try:
            found, template_id = locate(name, settings)
        except SvgRenderError as exc:
            report(exc, name if several else None)
            failed += 1
            continue
        planned.append(Planned(name, found, template_id, output))
    args.format = fmt
    return planned, failed


def _deadline(seconds: float, named: str | None):
    """One file must not take the machine: a hard deadline per file (a pure-Python draw cannot
    be interrupted politely: the process ends, exit status 3)."""
    import signal

    def overrun(signum, frame):
        error = {"code": "render_timeout", "message": f"loading and drawing took longer than "
                 f"{seconds:g} s (--timeout) and were stopped"}
        if named is not None:
            error = {"file": named, **error}
        print(f"error: {json.dumps(error)}", file=sys.stderr, flush=True)
        os._exit(3)

    signal.signal(signal.SIGALRM, overrun)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _in_thread(function, *args):
    """Run `function` in a thread while this (main) thread waits: the deadline's SIGALRM is
    handled at once even while the draw is inside a long C call."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # handed to the caller, MemoryError included
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="svgrender-render", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def render_files(args, settings: Settings, planned: list[Planned]) -> int:
    """Draw each planned template with the same params; a failing one is reported and the
    others still drawn. Exit status 1 if any failed."""
    from svgrender.draw import bindings

    bindings.install()  # before cairocffi loads: its C declarations pre-parsed (once per machine)
    from svgrender.draw import seams
    from svgrender.draw.fonts import add_font_dir
    from svgrender.params import params_from_pairs
    from svgrender.wiring import local_service
    from svgrender.workers import limit_memory

    seams.install()
    add_font_dir(settings.fonts_dir)
    several = len(args.template) > 1
    params = params_from_pairs(param_pairs(args.param))
    limit_memory(settings)  # the workers' memory ceiling, for the whole process
    seconds = args.timeout or 2 * settings.render_timeout
    services: dict[Path, object] = {}  # one per templates folder
    failed = 0
    for item in planned:
        named = item.named if several else None
        try:
            _deadline(seconds, named)
            service = services.get(item.settings.templates_dir)
            if service is None:
                service = services[item.settings.templates_dir] = local_service(item.settings)
                service.templates.fonts.sync()  # fonts uploaded to that templates folder
            rendered = _in_thread(_draw, service, item, params, args)
        except SvgRenderError as exc:
            report(exc, named)
            failed += 1
            continue
        except MemoryError:
            report(SvgRenderError("this needs more memory than SVGRENDER_WORKER_MEMORY_LIMIT_MB "
                                  "allows", code="memory_limit"), named)
            failed += 1
            continue
        finally:
            _stop_deadline()
        main = rendered.files[0]
        try:
            item.output.parent.mkdir(parents=True, exist_ok=True)
            item.output.write_bytes(main.data)
        except OSError as exc:  # a read-only folder, a full disk: this file, not the others
            report(SvgRenderError(f"cannot write {item.output}: {exc.strerror or exc}",
                                  field="output", code="output_not_written"), named)
            failed += 1
            continue
        print(f"{item.output}: {rendered.width}×{rendered.height} {main.format}", flush=True)
        for warning in rendered.warnings:  # those not logged yet (e.g. a cached static layer)
            logging.getLogger("svgrender.render").warning(warning)
    return 1 if failed else 0


def _stop_deadline() -> None:
    import signal

    signal.setitimer(signal.ITIMER_REAL, 0)


def _draw(service, item: Planned, params, args):
    """Load, check and draw one template (in the render thread)."""
    from svgrender.params import RenderRequest
    from svgrender.render import render

    template = service.templates.valid(item.template_id)
    admitted = service.admit_to(template, RenderRequest(params=params, format=args.format,
                                                        scale=args.scale))
    images = {}
    if any(param.image_url is not None for param in admitted.request.params):
        import asyncio  # fetching image URLs is the one asynchronous step

        images = asyncio.run(service.images.load_request(admitted.request.params,
                                                         item.settings))
    return render(template, admitted.request, item.settings, images, thumbnails=False)
