"""Stored files, streamed with a strong ETag; SVG outputs can never act as a page."""

from __future__ import annotations

from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from svgrender.errors import NotFound
from svgrender.formats import media_type

IMMUTABLE = "public, max-age=31536000, immutable"
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


async def serve_file(request: Request) -> Response:
    name = request.path_params["file_name"]
    stored = request.app.state.service.files.open(name)
    if stored is None:
        raise NotFound(f"File {name[:80]!r} not found", code="file_not_found")
    headers = {"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff",
               "ETag": stored.etag}
    if name.endswith(".svg"):
        headers["Content-Security-Policy"] = SVG_POLICY
        if request.query_params.get("inline") != "1":
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if request.headers.get("if-none-match") == stored.etag:
        stored.stream.close()
        return Response(status_code=304, headers=headers)
    if stored.path is not None:
        stored.stream.close()
        return FileResponse(stored.path, headers=headers, media_type=media_type(name))

    def chunks():
        with stored.stream:
            while block := stored.stream.read(256 * 1024):
                yield block

    return StreamingResponse(iterate_in_threadpool(chunks()), headers=headers,
                             media_type=media_type(name))
