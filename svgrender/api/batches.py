"""Batches and async renders: POST a CSV or JSON rows (202 at once), follow the progress, fetch
the results as a zip or one combined PDF, cancel what has not started."""

from __future__ import annotations

import io
import zipfile

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from svgrender.api.auth import may_touch
from svgrender.api.body import spool_limited
from svgrender.api.renders import base_url
from svgrender.errors import BatchNotFound, InvalidParam
from svgrender.jobs.manager import public_status
from svgrender.jobs.rows import BatchInput, rows_from_csv, rows_from_json


def batch_view(status: dict, base: str) -> dict:
    base = base.rstrip("/")
    view = public_status(status)
    view["statusUrl"] = f"{base}/batches/{status['id']}"
    view["zipUrl"] = f"{base}/batches/{status['id']}/zip"
    if status.get("pdf"):
        view["pdfUrl"] = f"{base}/batches/{status['id']}/pdf"
    return view


async def create_batch(request: Request) -> Response:
    service, jobs = request.app.state.service, request.app.state.jobs
    template_id = request.path_params["id"]
    template = await service.template(template_id)  # 404 / 422 before reading a large body
    query = request.query_params
    given, checked_with = await _read_rows(
        request, lambda layer: template.find(layer) is not None,
        jobs.row_checker(template, query.get("pdf")), template)
    status = await jobs.submit(template_id, given.rows, base_url(request),
                               webhook_url=given.webhook_url or query.get("webhookUrl"),
                               pdf=given.pdf or query.get("pdf"),
                               owner=_owner(request),
                               queue_key=request.scope.get("svgrender.client"),
                               checked_with=checked_with)
    return JSONResponse(batch_view(status, base_url(request)), status_code=202)


async def create_set_batch(request: Request) -> Response:
    """POST /sets/{id}/batches: the same CSV or JSON rows, each rendered for every member of
    the set (rows × members files, one zip). A column is refused only if no member has its
    layer; a member without it skips it."""
    service, jobs = request.app.state.service, request.app.state.jobs
    set_id = request.path_params["set_id"]
    ids = await run_in_threadpool(service.sets.members, set_id)
    templates = [await service.template(t) for t in ids]
    given, _ = await _read_rows(request, lambda layer: any(
        t.find(layer) is not None for t in templates))  # checked per member when queued
    query = request.query_params
    status = await jobs.submit_set(set_id, ids, given.rows, base_url(request),
                                   webhook_url=given.webhook_url or query.get("webhookUrl"),
                                   pdf=given.pdf or query.get("pdf"),
                                   owner=_owner(request),
                                   queue_key=request.scope.get("svgrender.client"))
    return JSONResponse(batch_view(status, base_url(request)), status_code=202)


async def _read_rows(request: Request, has_layer, check=None, template=None):
    """(rows, the template a CSV's rows were checked against as they were read, or None).
    A CSV is read as a stream from the spooled body: each row converted, checked by `check`
    and encoded as it is read."""
    settings = request.app.state.service.settings
    query = request.query_params
    content_type = request.headers.get("content-type", "")
    checked_with = None
    with await spool_limited(request, settings.max_batch_bytes, "batch") as body:
        start = body.read(64).lstrip()[:1]
        body.seek(0)
        if "json" in content_type or start in (b"[", b"{"):
            given = await run_in_threadpool(lambda: rows_from_json(body.read(),
                                                                   settings.max_batch_rows))
        else:  # read, checked and encoded row by row: only the encoded rows are held
            checked_with = template if check else None
            given = BatchInput(await run_in_threadpool(
                rows_from_csv, body, query.get("format"), settings.max_batch_rows,
                has_layer, check, settings.max_queued_rows_per_key))
    if not given.rows:
        raise InvalidParam("the batch has no rows", field="rows", code="empty_batch")
    return given, checked_with


def _owner(request: Request) -> str | None:
    """Batches made with a key belong to that key (its canonical identity)."""
    if request.scope.get("svgrender.authenticated"):
        return request.scope.get("svgrender.client")
    return None


async def get_batch(request: Request) -> Response:
    return JSONResponse(batch_view(await _status(request), base_url(request)))


async def cancel_batch(request: Request) -> Response:
    jobs = request.app.state.jobs
    await _status(request)  # 404 unless it exists and this key may touch it
    if await jobs.cancel(request.path_params["id"]) is None:
        raise BatchNotFound(f"Batch {request.path_params['id'][:40]!r} not found")
    return JSONResponse(batch_view(await _status(request), base_url(request)))


async def _status(request: Request) -> dict:
    status = await request.app.state.jobs.status(request.path_params["id"])
    if status is None or status["kind"] != "batch" or not may_touch(
            request.scope, await run_in_threadpool(request.app.state.jobs.store.owner,
                                                   status["id"])):
        # Another key's batch is "not found": render-only keys cannot learn its ids exist.
        raise BatchNotFound(f"Batch {request.path_params['id'][:40]!r} not found")
    return status


def _entries(request: Request, status: dict) -> list[tuple[str, str]]:
    """(zip entry name, stored file name) of every finished row, in row order."""
    service = request.app.state.service
    entries, used = [], set()
    for number, file_name, image_id in request.app.state.jobs.store.results(status["id"]):
        record = service.records.get_record(image_id)
        if record is None:
            continue
        stored = record["files"][0]
        extension = stored.rsplit(".", 1)[1]
        name = f"{file_name or f'{number:06d}'}.{extension}"
        if name in used:
            name = f"{file_name or 'row'}-{number}.{extension}"
        used.add(name)
        entries.append((name, stored))
    return entries


class _Chunks:
    """A write-only file for ZipFile: what it writes is handed on, not kept."""

    def __init__(self):
        self.pending: list[bytes] = []

    def write(self, data) -> int:
        self.pending.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.pending = b"".join(self.pending), []
        return out


async def batch_zip(request: Request) -> Response:
    status = await _status(request)
    entries = await run_in_threadpool(_entries, request, status)
    files = request.app.state.service.files

    def chunks():
        sink = _Chunks()
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as archive:  # images: compressed
            for name, stored_name in entries:
                stored = files.open(stored_name)
                if stored is None:
                    continue
                with stored.stream, archive.open(name, "w", force_zip64=True) as out:
                    while block := stored.stream.read(1024 * 1024):
                        out.write(block)
                        yield sink.take()
                yield sink.take()
        yield sink.take()

    return StreamingResponse(iterate_in_threadpool(chunks()), media_type="application/zip",
                             headers={"Content-Disposition":
                                      f'attachment; filename="batch-{status["id"]}.zip"'})


async def batch_pdf(request: Request) -> Response:
    status = await _status(request)
    if not status.get("pdf"):
        raise InvalidParam('this batch was not made with "pdf": "combined"', field="pdf")
    entries = await run_in_threadpool(_entries, request, status)
    files = request.app.state.service.files

    def combine() -> bytes:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        for _name, stored_name in entries:
            stored = files.open(stored_name)
            if stored is not None:
                with stored.stream:
                    writer.append(PdfReader(io.BytesIO(stored.stream.read())))
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    return Response(await run_in_threadpool(combine), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'attachment; filename="batch-{status["id"]}.pdf"'})
