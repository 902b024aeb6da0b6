"""Template routes: list, introspect, upload, replace, delete."""

from __future__ import annotations

import secrets

import msgspec

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from svgrender.api.body import clean_name, read_json, read_svg_upload
from svgrender.api.views import template_detail, template_summary


async def list_templates(request: Request) -> Response:
    store = request.app.state.service.templates
    templates = await run_in_threadpool(store.all)
    return JSONResponse([template_summary(t) for t in templates])


async def show_template(request: Request) -> Response:
    store = request.app.state.service.templates
    template = await run_in_threadpool(store.valid, request.path_params["template_id"])
    return JSONResponse(await run_in_threadpool(template_detail, template))


async def upload_template(request: Request) -> Response:
    service = request.app.state.service
    template_id = request.path_params.get("template_id") or secrets.token_hex(5)
    if "template_id" in request.path_params:
        service.templates.check_id(template_id)
        service.templates.check_writable(template_id)
    data, name = await read_svg_upload(request, service.settings.max_template_bytes)
    template = await run_in_threadpool(service.templates.save, template_id, data,
                                       clean_name(name))
    body = await run_in_threadpool(template_detail, template)
    body["removed"] = template.removed
    return JSONResponse(body, status_code=201 if request.method == "POST" else 200)


class LayerName(msgspec.Struct, forbid_unknown_fields=True):
    path: str  # as listed in the template's `unnamed` elements
    name: str


async def name_layer(request: Request) -> Response:
    """POST /templates/{id}/layers {"path", "name"}: the element becomes a layer."""
    service = request.app.state.service
    template_id = request.path_params["template_id"]
    service.templates.check_id(template_id)
    service.templates.check_writable(template_id)
    wanted = await read_json(request, 64 * 1024, LayerName, "path")
    template = await run_in_threadpool(service.templates.name_layer, template_id, wanted.path,
                                       wanted.name)
    return JSONResponse(await run_in_threadpool(template_detail, template),
                        status_code=201)


async def delete_template(request: Request) -> Response:
    store = request.app.state.service.templates
    store.check_writable(request.path_params["template_id"])
    store.delete(request.path_params["template_id"])
    return Response(status_code=204)
