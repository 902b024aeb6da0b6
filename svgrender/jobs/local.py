"""`svgrender batch`: a spreadsheet rendered on this machine through the same RenderService flow,
on all cores, into a folder; rows whose file is already there are skipped (re-runs resume)."""

from __future__ import annotations

import asyncio
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeRemainingColumn)

from svgrender.errors import SvgRenderError
from svgrender.formats import lookup
from svgrender.jobs.rows import Row, rows_from_csv, rows_from_json
from svgrender.settings import Settings
from svgrender.wiring import local_service


@dataclass
class Outcome:
    written: list[Path] = field(default_factory=list)  # in row order, skipped ones included
    skipped: int = 0
    failed: list[tuple[int, dict]] = field(default_factory=list)


def output_name(row: Row, body: bytes) -> str:
    fmt = lookup(msgspec.json.decode(body).get("format") or "jpeg")
    extension = fmt.name if fmt else "out"
    return f"{row.file_name or f'{row.number:06d}'}.{extension}"


def read_rows(path: Path, default_format: str | None, settings: Settings, template) -> list[Row]:
    data = path.read_bytes()
    if path.suffix.lower() == ".json":
        return rows_from_json(data, settings.max_batch_rows).rows
    return rows_from_csv(data, default_format, settings.max_batch_rows,
                         lambda layer: template.find(layer) is not None)


async def render_rows(template_id: str, rows: list[Row], out: Path, settings: Settings,
                      console: Console) -> Outcome:
    service = local_service(settings)
    files = service.files
    template = await service.template(template_id)
    out.mkdir(parents=True, exist_ok=True)
    outcome = Outcome()
    pending = []
    for row in rows:
        target = out / output_name(row, row.body)
        outcome.written.append(target)
        if row.error:
            outcome.failed.append((row.number, row.error))
        elif target.exists():
            outcome.skipped += 1
        else:
            pending.append((row, target))
    slots = asyncio.Semaphore(max(1, settings.workers) * 2)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:.1f} rows/s"), TimeRemainingColumn(),
               TextColumn("[red]{task.fields[failures]} failed"))
    await service.executor.start()
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(template_id, total=len(pending), rate=0.0,
                                     failures=len(outcome.failed))
            loop = asyncio.get_running_loop()
            started = loop.time()

            async def one(row: Row, target: Path) -> None:
                async with slots:
                    try:
                        result = await service.run(service.admit_to(template, row.body))
                        target.write_bytes(files.files[result.files[0]])
                        for name in result.files:  # keep memory flat over long batches
                            files.delete(name)
                    except SvgRenderError as exc:
                        outcome.failed.append((row.number, exc.to_json()))
                    elapsed = max(loop.time() - started, 1e-6)
                    progress.update(task, advance=1, failures=len(outcome.failed),
                                    rate=(progress.tasks[0].completed + 1) / elapsed)

            await asyncio.gather(*(one(row, target) for row, target in pending))
    finally:
        await service.executor.stop()
    outcome.failed.sort()
    return outcome


def write_zip(paths: list[Path], target: Path) -> int:
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for path in paths:
            if path.exists():
                archive.write(path, path.name)
                count += 1
    return count


def write_pdf(paths: list[Path], target: Path) -> int:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    pages = [p for p in paths if p.exists() and p.suffix == ".pdf"]
    for path in pages:
        writer.append(PdfReader(io.BytesIO(path.read_bytes())))
    with target.open("wb") as handle:
        writer.write(handle)
    return len(pages)
