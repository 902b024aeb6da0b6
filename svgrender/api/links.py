"""Render links: GET /links/{templateId}.{format}?layer.property=value…&s=… answers image bytes
(rendered once, then served from storage); POST /links/{templateId} makes signed links.

A link is one URL, one image: a link to a template set names its member,
GET /links/sets/{setId}.{format}?member={templateId}&…; POST /links/sets/{setId} answers a
signed link per member (the layers a member lacks left out of its link)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from svgrender.api.body import read_limited
from svgrender.api.files import IMMUTABLE, SVG_POLICY, stored_response
from svgrender.api.renders import base_url
from svgrender.api.views import warnings_header
from svgrender.errors import BadRequest, InvalidParam, LinksDisabled, NotFound, SvgRenderError
from svgrender.formats import AUTO, negotiate
from svgrender.links import check_signature, link_urls, parse_link, validate_link
from svgrender.sets import for_member


async def serve_link(request: Request) -> Response:
    service = request.app.state.service
    settings = service.settings
    try:
        query = request.scope.get("query_string", b"").decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the link's query is not valid UTF-8", code="invalid_query") from None
    link = parse_link(request.path_params["name"], query)
    in_set = request.url.path.startswith("/links/sets/")
    if in_set:
        link.prefix = "/links/sets/"
    check_signature(settings.link_keys, settings.unsigned_links, link.path, link.pairs)
    if in_set:  # the member must belong to the set now, and drops the layers it lacks
        member = link.take_member()
        ids = await run_in_threadpool(service.sets.members, link.template_id)
        if member not in ids:
            raise InvalidParam(f"set {link.template_id!r} has no member {member[:60]!r}; its "
                               f"templates: {', '.join(ids)}", field="member",
                               code="unknown_set_member")
        link.template_id = member
    validate_link(link)  # nothing of an unsigned link is looked at beyond its signature
    auto = link.extension == AUTO
    render = link.request(negotiate(request.headers.get("accept", "")) if auto else None)
    if in_set:
        render, _ = for_member(await service.template(link.template_id), render)
    client = request.scope.get("svgrender.client")
    result = await service.run_link(link.template_id, render, link.version, client)
    request.scope.get("svgrender.log", {}).update(template=link.template_id, imageId=result.id)
    stored = await service.blocking(service.files.open, result.files[link.size])
    if stored is None:  # the image was deleted since: render the link again
        result = await service.run_link(link.template_id, render, link.version, client,
                                        fresh=True)
        stored = await service.blocking(service.files.open, result.files[link.size])
        if stored is None:
            raise NotFound("the link's image could not be stored", code="file_not_found")
    headers = {"Cache-Control": IMMUTABLE, "Access-Control-Allow-Origin": "*",
               "Cross-Origin-Resource-Policy": "cross-origin",
               **(warnings_header(result.warnings) or {})}
    if auto:
        headers["Vary"] = "Accept"  # caches keep one answer per format
    if result.files[link.size].endswith(".svg"):
        headers["Content-Security-Policy"] = SVG_POLICY
    return stored_response(request, stored, result.files[link.size], headers)


async def make_link(request: Request) -> Response:
    """The same body as POST /designs/{id}; answers signed URLs without rendering anything."""
    service = request.app.state.service
    settings = service.settings
    template_id = request.path_params["name"]
    template = await service.template(template_id)
    body = await read_limited(request, settings.max_body_bytes)
    render = service.decode(body)
    if render.metadata is not None:
        raise InvalidParam("a link carries no metadata (it is a URL anyone may load); "
                           "leave `metadata` out", field="metadata")
    render = service.admit_to(template, render).request
    if not settings.link_keys and not settings.unsigned_links:
        raise LinksDisabled("render links are off: set SVGRENDER_LINK_KEYS (or "
                            "SVGRENDER_UNSIGNED_LINKS=1)")
    pin = request.query_params.get("pin") in ("1", "true")
    if request.query_params.get("format") == AUTO:  # the link answers what each client takes
        render.format = AUTO
    urls = link_urls(base_url(request), settings.link_keys[0] if settings.link_keys else None,
                     template_id, render, template.version if pin else None)
    return JSONResponse({**urls, "templateId": template_id, "templateVersion": template.version,
                         "pinned": pin})


async def make_set_links(request: Request) -> Response:
    """POST /links/sets/{setId}: the body of POST /designs; answers the signed links of every
    member (each without the params of layers it lacks), rendering nothing."""
    service = request.app.state.service
    settings = service.settings
    set_id = request.path_params["name"]
    ids = await run_in_threadpool(service.sets.members, set_id)
    body = await read_limited(request, settings.max_body_bytes)
    render = service.decode(body)
    if render.metadata is not None:
        raise InvalidParam("a link carries no metadata (it is a URL anyone may load); "
                           "leave `metadata` out", field="metadata")
    if not settings.link_keys and not settings.unsigned_links:
        raise LinksDisabled("render links are off: set SVGRENDER_LINK_KEYS (or "
                            "SVGRENDER_UNSIGNED_LINKS=1)")
    auto = request.query_params.get("format") == AUTO
    pin = request.query_params.get("pin") in ("1", "true")
    members = []
    for template_id in ids:
        template = await run_in_threadpool(service.templates.valid, template_id)
        one, skipped = for_member(template, render)
        try:
            one = service.admit_to(template, one).request
        except SvgRenderError as exc:
            exc.message = f"template {template_id!r}: {exc.message}"
            raise
        if auto:  # the link answers what each client takes
            one.format = AUTO
        urls = link_urls(base_url(request), settings.link_keys[0] if settings.link_keys else None,
                         template_id, one, template.version if pin else None, set_id=set_id)
        members.append({**urls, "templateId": template_id, "templateVersion": template.version,
                        "skipped": skipped})
    return JSONResponse({"setId": set_id, "pinned": pin, "members": members})
