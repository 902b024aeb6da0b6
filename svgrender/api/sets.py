"""Set routes: GET /sets (templates/sets.json and the sets put through the API), PUT /sets/{id}
(admin), POST /sets/{id}/images (the usual render body, rendered for every member of the set)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from svgrender.api.auth import require_admin
from svgrender.api.body import read_json, read_limited
from svgrender.api.renders import base_url
from svgrender.api.views import image_answer, warnings_header
from svgrender.errors import InvalidParam, SvgRenderError
from svgrender.sets import MAX_SET_RENDERS, SetBody, check_set_request, for_member
from svgrender.variants import check_variants, in_variant, variant_request


async def list_sets(request: Request) -> Response:
    service = request.app.state.service
    sets = await asyncio.to_thread(service.sets.all)
    return JSONResponse([{"id": key, "templates": value} for key, value in sorted(sets.items())])


async def put_set(request: Request) -> Response:
    """PUT /sets/{id} {"templates": [...]}: make or replace a set (admin keys only); every
    member must be a valid template (422 naming it)."""
    require_admin(request)
    service = request.app.state.service
    set_id = request.path_params["set_id"]
    wanted = await read_json(request, 64 * 1024, SetBody, "templates")
    ids = await asyncio.to_thread(service.sets.put, set_id, wanted)
    return JSONResponse({"id": set_id, "templates": ids})


def in_member(exc: SvgRenderError, template_id: str) -> SvgRenderError:
    exc.message = f"template {template_id!r}: {exc.message}"
    return exc


async def render_set(request: Request) -> Response:
    """Every member rendered with the same body (each member's missing layers skipped and named
    in its `skipped`); with `variants`, every variant of every member. Everything is checked
    before anything is drawn; renders run in parallel, at most a few at a time (one client's
    in-flight limit is shared)."""
    service = request.app.state.service
    set_id = request.path_params["set_id"]
    ids = await asyncio.to_thread(service.sets.members, set_id)
    body = await read_limited(request, service.settings.max_body_bytes)
    decoded = service.decode(body)
    check_set_request(decoded)
    if decoded.variants is not None:
        check_variants(decoded)
    wanted = ([(None, decoded)] if decoded.variants is None else
              [(v.key, variant_request(decoded, v)) for v in decoded.variants])
    if len(ids) * len(wanted) > MAX_SET_RENDERS:
        raise InvalidParam(f"{len(ids)} members × {len(wanted)} variants is over "
                           f"{MAX_SET_RENDERS} images in one request: send fewer variants",
                           field="variants", code="too_many_variants")
    prepared = []  # (template id, [(variant key, request)], skipped layers)
    for template_id in ids:
        try:
            template = await service.template(template_id)
        except SvgRenderError as exc:
            raise in_member(exc, template_id) from None
        ones, skipped = [], []
        for index, (key, shared) in enumerate(wanted):
            try:
                one, missing = for_member(template, shared)
                ones.append((key, service.admit_to(template, one)))
            except SvgRenderError as exc:
                if key is not None:
                    exc = in_variant(exc, index, key)
                raise in_member(exc, template_id) from None
            skipped.extend(name for name in missing if name not in skipped)
        prepared.append((template_id, ones, skipped))
    client = request.scope.get("svgrender.client")
    gate = asyncio.Semaphore(max(1, min(4, service.settings.max_in_flight_per_client - 1)))

    async def run(template_id, index, key, one):
        async with gate:
            try:
                return await service.run(one, client=client)
            except SvgRenderError as exc:
                if key is not None:
                    exc = in_variant(exc, index, key)
                raise in_member(exc, template_id) from None

    results = await asyncio.gather(*(run(t, index, key, one) for t, ones, _ in prepared
                                     for index, (key, one) in enumerate(ones)))
    answers, warnings, at = [], [], 0
    base = base_url(request)
    for template_id, ones, skipped in prepared:
        mine, at = results[at:at + len(ones)], at + len(ones)
        for (key, _), result in zip(ones, mine):
            where = template_id if key is None else f"{template_id} {key}"
            warnings.extend(f"{where}: {w}" for w in result.warnings)
        if decoded.variants is None:
            answers.append({**image_answer(mine[0], base, service.files), "skipped": skipped})
        else:
            answers.append({"templateId": template_id, "skipped": skipped, "variants": [
                {"key": key, **image_answer(result, base, service.files)}
                for (key, _), result in zip(ones, mine)]})
    key = "images" if decoded.variants is None else "members"  # differently shaped entries
    return JSONResponse({"setId": set_id, key: answers}, status_code=201,
                        headers=warnings_header(warnings))
