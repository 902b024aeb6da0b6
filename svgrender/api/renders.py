"""Render routes: POST a render, read or delete its answer."""

from __future__ import annotations

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from svgrender.api import public
from svgrender.api.body import read_limited
from svgrender.api.views import image_answer, warnings_header
from svgrender.errors import ImageNotFound, SvgRenderError
from svgrender.jobs.rows import Row
from svgrender.service import Admitted, RenderResult
from svgrender.variants import in_variant


def base_url(request: Request) -> str:
    """SVGRENDER_PUBLIC_URL, an allowed Host, or the address reached: see api/public.py."""
    return public.base_url(request)


async def render(request: Request) -> Response:
    service = request.app.state.service
    template_id = request.path_params["template_id"]
    service.refuse_busy_client(request.scope.get("svgrender.client"))  # 429 before any work
    # 404 / 422 before reading a large body; a first load parses, so not on the event loop.
    template = await service.template(template_id)
    body = await read_limited(request, service.settings.max_body_bytes)
    admitted = await service.admit(template, body)
    if admitted.variants is not None:
        return await render_variants(request, admitted)
    if admitted.request.webhookUrl or request.query_params.get("async") in ("1", "true"):
        return await render_later(request, admitted)
    result = await service.run(admitted, client=request.scope.get("svgrender.client"))
    request.scope.get("svgrender.log", {}).update(template=template_id, imageId=result.id,
                                                  cacheHit=result.reused)
    return JSONResponse(image_answer(result, base_url(request), service.files), status_code=201,
                        headers=warnings_header(result.warnings))


async def render_variants(request: Request, admitted: Admitted) -> Response:
    """One image per variant, each answered with its nine fields, fit report and warnings;
    every variant's layers and properties were checked (admitted) before any is drawn."""
    service = request.app.state.service
    client = request.scope.get("svgrender.client")
    answers, warnings = [], []
    for index, (variant, one) in enumerate(zip(admitted.request.variants, admitted.variants)):
        try:
            result = await service.run(one, client=client)
        except SvgRenderError as exc:
            raise in_variant(exc, index, variant.key) from None
        answers.append({"key": variant.key,
                        **image_answer(result, base_url(request), service.files)})
        warnings.extend(f"{variant.key}: {w}" for w in result.warnings)
    return JSONResponse({"templateId": admitted.template.id, "variants": answers},
                        status_code=201, headers=warnings_header(warnings))


async def render_later(request: Request, admitted: Admitted) -> Response:
    """202 at once (a bad request is still answered now: it was admitted); the render runs
    as a one-row job; GET /images/{id} follows it."""
    service = request.app.state.service
    decoded, template_id = admitted.request, admitted.template.id
    webhook_url, decoded.webhookUrl = decoded.webhookUrl, None
    image_id = service.new_image_id()
    await request.app.state.jobs.submit(template_id, [Row(1, msgspec.json.encode(decoded))],
                                        base_url(request), webhook_url=webhook_url,
                                        image_id=image_id,
                                        queue_key=request.scope.get("svgrender.client"))
    base = base_url(request).rstrip("/")
    return JSONResponse({"id": image_id, "templateId": template_id, "state": "queued",
                         "statusUrl": f"{base}/images/{image_id}"}, status_code=202)


async def get_image(request: Request) -> Response:
    service = request.app.state.service
    record = await service.blocking(service.records.get_record, request.path_params["image_id"])
    if record is None:
        pending = await run_in_threadpool(request.app.state.jobs.store.image_state,
                                          request.path_params["image_id"])
        if pending is not None and pending["state"] != "done":
            return JSONResponse(pending)
        raise ImageNotFound(f"Image {request.path_params['image_id'][:40]!r} not found")
    return JSONResponse(image_answer(RenderResult.from_record(record), base_url(request),
                                     service.files))


async def delete_image(request: Request) -> Response:
    image_id = request.path_params["image_id"]
    service = request.app.state.service
    if not await service.blocking(service.delete, image_id):
        raise ImageNotFound(f"Image {image_id[:40]!r} not found")
    return Response(status_code=204)
