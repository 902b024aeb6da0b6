"""Stored files, streamed with a strong ETag; SVG outputs can never act as a page."""

from __future__ import annotations

from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from svgrender.errors import NotFound
from svgrender.formats import media_type
from svgrender.io.storage import StoredFile

SMALL_FILE = 512 * 1024
IMMUTABLE = "public, max-age=31536000, immutable"
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


async def serve_file(request: Request) -> Response:
    name = request.path_params["file_name"]
    service = request.app.state.service
    stored = await service.blocking(service.files.open, name)
    if stored is None:
        raise NotFound(f"File {name[:80]!r} not found", code="file_not_found")
    headers = {"Cache-Control": IMMUTABLE}
    if name.endswith(".svg"):
        headers["Content-Security-Policy"] = SVG_POLICY
        if request.query_params.get("inline") != "1":
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return stored_response(request, stored, name, headers)


def stored_response(request: Request, stored: StoredFile, name: str,
                    headers: dict[str, str]) -> Response:
    """A stored file with its strong ETag: 304 when the client has it, streamed otherwise."""
    headers = {**headers, "X-Content-Type-Options": "nosniff", "ETag": stored.etag}
    if etag_matches(request.headers.get("if-none-match"), stored.etag):
        stored.stream.close()
        return Response(status_code=304, headers=headers)
    if stored.path is not None and stored.size <= SMALL_FILE:  # one local read beats
        # FileResponse's thread hops per chunk; remote streams are read in a thread below
        with stored.stream:
            return Response(stored.stream.read(), headers=headers, media_type=media_type(name))
    if stored.path is not None:
        stored.stream.close()
        return FileResponse(stored.path, headers=headers, media_type=media_type(name))

    def chunks():
        with stored.stream:
            while block := stored.stream.read(256 * 1024):
                yield block

    return StreamingResponse(iterate_in_threadpool(chunks()), headers=headers,
                             media_type=media_type(name))


def etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match: a list of tags, weak ones compared weakly (RFC 9110 13.1.2), or *."""
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags
