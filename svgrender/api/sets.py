"""Set routes: GET /sets (the sets of templates/sets.json), POST /sets/{id}/images (the usual
render body, rendered for every member of the set)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from svgrender.api.body import read_limited
from svgrender.api.renders import base_url
from svgrender.api.views import image_answer, warnings_header
from svgrender.errors import SvgRenderError
from svgrender.sets import check_set_request, for_member, load_sets, members


async def list_sets(request: Request) -> Response:
    service = request.app.state.service
    sets = await asyncio.to_thread(load_sets, service.settings.templates_dir)
    return JSONResponse([{"id": key, "templates": value} for key, value in sorted(sets.items())])


def in_member(exc: SvgRenderError, template_id: str) -> SvgRenderError:
    exc.message = f"template {template_id!r}: {exc.message}"
    return exc


async def render_set(request: Request) -> Response:
    """Every member rendered with the same body (each member's missing layers skipped and named
    in its `skipped`); every member is checked before any is drawn; members render in
    parallel, at most a few at a time (one client's in-flight limit is shared)."""
    service = request.app.state.service
    set_id = request.path_params["set_id"]
    ids = await asyncio.to_thread(members, service.settings.templates_dir, set_id)
    body = await read_limited(request, service.settings.max_body_bytes)
    decoded = service.decode(body)
    check_set_request(decoded)
    prepared = []
    for template_id in ids:
        try:
            template = await service.template(template_id)
            one, skipped = for_member(template, decoded)
            prepared.append((template_id, service.admit_to(template, one), skipped))
        except SvgRenderError as exc:
            raise in_member(exc, template_id) from None
    client = request.scope.get("svgrender.client")
    gate = asyncio.Semaphore(max(1, min(4, service.settings.max_in_flight_per_client - 1)))

    async def run(template_id, one):
        async with gate:
            try:
                return await service.run(one, client=client)
            except SvgRenderError as exc:
                raise in_member(exc, template_id) from None

    results = await asyncio.gather(*(run(t, one) for t, one, _ in prepared))
    answers, warnings = [], []
    for (template_id, _, skipped), result in zip(prepared, results):
        answers.append({**image_answer(result, base_url(request), service.files),
                        "skipped": skipped})
        warnings.extend(f"{template_id}: {w}" for w in result.warnings)
    return JSONResponse({"setId": set_id, "images": answers}, status_code=201,
                        headers=warnings_header(warnings))
