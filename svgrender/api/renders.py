"""Render routes: POST a render, read or delete its answer."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from svgrender.api.body import read_limited
from svgrender.api.views import image_answer, warnings_header
from svgrender.errors import ImageNotFound
from svgrender.service import RenderResult


def base_url(request: Request) -> str:
    return request.app.state.settings.public_url or str(request.base_url)


async def render(request: Request) -> Response:
    service = request.app.state.service
    template_id = request.path_params["template_id"]
    # 404 / 422 before reading a large body; a first load parses, so not on the event loop.
    await run_in_threadpool(service.templates.valid, template_id)
    body = await read_limited(request, service.settings.max_body_bytes)
    result = await service.run(template_id, body, client=request.scope.get("svgrender.client"))
    return JSONResponse(image_answer(result, base_url(request), service.files), status_code=201,
                        headers=warnings_header(result.warnings))


async def get_image(request: Request) -> Response:
    service = request.app.state.service
    record = service.records.get_record(request.path_params["image_id"])
    if record is None:
        raise ImageNotFound(f"Image {request.path_params['image_id'][:40]!r} not found")
    return JSONResponse(image_answer(RenderResult.from_record(record), base_url(request),
                                     service.files))


async def delete_image(request: Request) -> Response:
    image_id = request.path_params["image_id"]
    if not request.app.state.service.delete(image_id):
        raise ImageNotFound(f"Image {image_id[:40]!r} not found")
    return Response(status_code=204)
