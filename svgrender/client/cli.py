"""`svgrender render | batch | templates --server URL`: the same commands against a remote
service, through the Python client (the local commands are in svgrender/cli.py)."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

from svgrender.client.client import Client
from svgrender.client.types import ApiError
from svgrender.params import params_from_pairs


def remote_render(client: Client, args, pairs: list[tuple[str, str]]) -> int:
    if Path(args.template).suffix.lower() in (".svg", ".svgz"):
        raise ApiError("with --server, render a template id (upload the file first)",
                       code="invalid_param", field="template")
    fmt = args.format or Path(args.output).suffix.lstrip(".").lower() or "png"
    answer = client.render(args.template, params_from_pairs(pairs), format=fmt,
                           scale=args.scale)
    Path(args.output).write_bytes(client.file(answer.imageUrl))
    print(f"{args.output}: {answer.width}×{answer.height} {answer.fileName.rsplit('.', 1)[1]} "
          f"({answer.imageUrl})")
    for warning in answer.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def remote_templates(client: Client, args) -> int:
    if args.id:
        detail = client.template(args.id)
        for layer in detail.layers:
            print(f"{layer.name:<24} {layer.type:<7} x={layer.x:<8} y={layer.y:<8} "
                  f"{layer.width}×{layer.height}")
        for finding in detail.findings:
            print(f"\n{finding.code}: {finding.message}\n  fix: {finding.fix}")
        return 0
    for template in client.templates():
        status = "" if template.valid else f"  INVALID: {template.error}"
        print(f"{template.id:<24} {template.width}×{template.height}  {template.layerCount} "
              f"layers{status}")
    return 0


def remote_batch(client: Client, args) -> int:
    """Submit the rows, follow the progress, unpack the zip into the output folder."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    batch = client.submit_batch(args.template, Path(args.rows), format=args.format,
                                pdf=bool(args.pdf))
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task(f"batch {batch.id}", total=batch.total)
        for status in client.progress(batch.id):
            bar.update(task, completed=status.done + status.failed + status.cancelled)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    data = client.batch_zip(batch.id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        for name in names:
            (out / Path(name).name).write_bytes(archive.read(name))
    console.print(f"{status.done} of {status.total} rows in {out}/, {status.failed} failed")
    for error in status.errors[:50]:
        where = ".".join(x for x in (error.get("layer"), error.get("field")) if x)
        console.print(f"  row {error.get('row')}: {error.get('code')}"
                      f"{f' ({where})' if where else ''}: {error.get('message')}",
                      markup=False, highlight=False)
    if args.zip:
        Path(args.zip).write_bytes(data)
        console.print(f"{len(names)} files in {args.zip}")
    if args.pdf:
        Path(args.pdf).write_bytes(client.batch_pdf(batch.id))
        console.print(f"{status.done} pages in {args.pdf}")
    return 1 if status.failed else 0


def run_remote(command: str, args, pairs: list[tuple[str, str]]) -> int:
    with Client(args.server, args.key) as client:
        if command == "render":
            return remote_render(client, args, pairs)
        if command == "batch":
            return remote_batch(client, args)
        return remote_templates(client, args)
