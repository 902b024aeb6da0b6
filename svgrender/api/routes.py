"""The one routes table: each path, and per method its handler, access level and OpenAPI
operation. The app's routes, the key check's public paths (api/auth.py) and /openapi.json
(api/openapi.py) are all derived from it, so none can drift from the others.

Access: PUBLIC (no key), KEY (any configured key), ADMIN (a key from SVGRENDER_ADMIN_KEYS when
some are set; checked here, before the handler runs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from svgrender.api import batches, boxes, files, links, meta, previews, renders, sets, studio
from svgrender.api import operations as ops
from svgrender.api import templates
from svgrender.api.auth import ADMIN, KEY, PUBLIC, require_admin

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Op:
    handler: Handler | None  # None: mounted by create_app when available (/mcp)
    operation: dict  # the OpenAPI operation (api/operations.py)
    access: str = KEY


def public(handler: Handler, operation: dict) -> Op:
    return Op(handler, operation, PUBLIC)


def key(handler: Handler, operation: dict) -> Op:
    return Op(handler, operation, KEY)


def admin(handler: Handler, operation: dict) -> Op:
    return Op(handler, operation, ADMIN)


@dataclass(frozen=True)
class Endpoint:
    path: str  # Starlette's template: /templates/{template_id}
    methods: dict[str, Op] = field(default_factory=dict)

    def route(self) -> Route:
        return Route(self.path, by_method(self.methods), methods=list(self.methods))

    @property
    def regex(self) -> re.Pattern:
        return Route(self.path, _unused).path_regex

    @property
    def openapi_path(self) -> str:
        """/templates/{templateId}: the API's names for path parameters are camelCase."""
        return re.sub(r"{(\w+)}", lambda m: "{" + camel(m.group(1)) + "}", self.path)

    def public_methods(self) -> set[str] | None:
        """The methods that need no key; None: every method (a path that is public
        whatever the method, so a wrong one gets its 405, not a 401)."""
        open_ = {m for m, o in self.methods.items() if o.access == PUBLIC}
        if open_ and open_ == set(self.methods):
            return None
        return open_ | ({"HEAD"} if "GET" in open_ else set())


def endpoint(path: str, **methods: Op) -> Endpoint:
    return Endpoint(path, methods)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def _unused(request: Request) -> Response:  # pragma: no cover - only its regex is used
    raise AssertionError


def by_method(ops_by_method: dict[str, Op]):
    """One route, several methods: so a 405 lists every method the path supports. Admin
    operations are refused (403) here, before their handler reads anything."""
    async def dispatch(request: Request) -> Response:
        op = ops_by_method.get(request.method) or (
            ops_by_method.get("GET") if request.method == "HEAD" else None)
        if op.access == ADMIN:
            require_admin(request)
        return await op.handler(request)
    # the handlers' names, for logs (metrics label routes by their path template)
    dispatch.__name__ = "|".join(o.handler.__name__ for o in ops_by_method.values())
    return dispatch


ENDPOINTS = [
    endpoint("/healthz", GET=public(meta.healthz, ops.health)),
    endpoint("/readyz", GET=public(meta.readyz, ops.ready)),
    endpoint("/metrics", GET=key(meta.prometheus, ops.metrics)),
    endpoint("/openapi.json", GET=public(meta.openapi, ops.openapi)),
    endpoint("/v1/fonts", GET=key(meta.fonts, ops.fonts),
             POST=admin(meta.upload_font, ops.upload_font)),
    endpoint("/designs/{template_id}", POST=key(renders.render, ops.render)),
    endpoint("/designs/{template_id}/preview", POST=key(previews.preview, ops.preview)),
    endpoint("/v1/templates/{template_id}/images", POST=key(renders.render, ops.render_v1)),
    endpoint("/sets", GET=key(sets.list_sets, ops.list_sets)),
    endpoint("/sets/{set_id}", PUT=admin(sets.put_set, ops.put_set)),
    endpoint("/sets/{set_id}/images", POST=key(sets.render_set, ops.render_set)),
    endpoint("/sets/{set_id}/batches", POST=key(batches.create_set_batch, ops.create_set_batch)),
    endpoint("/templates", GET=key(templates.list_templates, ops.list_templates()),
             POST=admin(templates.upload_template, ops.upload_template)),
    endpoint("/v1/templates", GET=key(templates.list_templates,
                                      ops.list_templates("listTemplatesV1"))),
    endpoint("/templates/{template_id}",
             GET=key(templates.show_template, ops.get_template()),
             PUT=admin(templates.upload_template, ops.replace_template),
             DELETE=admin(templates.delete_template, ops.delete_template)),
    endpoint("/v1/templates/{template_id}",
             GET=key(templates.show_template, ops.get_template("getTemplateV1"))),
    endpoint("/templates/{template_id}/layers", POST=admin(templates.name_layer, ops.name_layer)),
    endpoint("/templates/{template_id}/layers/{layer}/box",
             PUT=admin(boxes.set_box, ops.set_text_box)),
    endpoint("/images/{image_id}", GET=key(renders.get_image, ops.get_image()),
             DELETE=admin(renders.delete_image, ops.delete_image())),
    endpoint("/v1/images/{image_id}", GET=key(renders.get_image, ops.get_image("getImageV1")),
             DELETE=admin(renders.delete_image, ops.delete_image("deleteImageV1"))),
    endpoint("/files/{file_name}", GET=public(files.serve_file, ops.get_file)),  # unguessable
    endpoint("/docs", GET=public(studio.docs_page, ops.docs_page)),
    endpoint("/studio", GET=public(studio.studio_page, ops.studio_redirect)),
    endpoint("/studio/", GET=public(studio.studio_page, ops.studio_page)),
    endpoint("/studio/{name}", GET=public(studio.studio_file, ops.studio_file)),
    # a deep link: the same page
    endpoint("/studio/t/{template_id}", GET=public(studio.studio_page, ops.studio_template)),
    # POST /batches/{templateId} starts one; GET / DELETE /batches/{batchId} follow or cancel.
    endpoint("/batches/{id}", POST=key(batches.create_batch, ops.create_batch),
             GET=key(batches.get_batch, ops.get_batch),
             DELETE=key(batches.cancel_batch, ops.cancel_batch)),
    endpoint("/batches/{id}/zip", GET=key(batches.batch_zip, ops.batch_zip)),
    endpoint("/batches/{id}/pdf", GET=key(batches.batch_pdf, ops.batch_pdf)),
    # GET /links/{templateId}.{format}?… (public: signed); POST /links/{templateId} makes one.
    endpoint("/links/{name}", GET=public(links.serve_link, ops.get_link),
             POST=key(links.make_link, ops.make_link)),
    # GET /links/sets/{setId}.{format}?member={templateId}&… ; POST /links/sets/{setId}.
    endpoint("/links/sets/{name}", GET=public(links.serve_link, ops.get_set_link),
             POST=key(links.make_set_links, ops.make_set_links)),
    # The MCP server, when the `mcp` extra is installed (create_app mounts it).
    endpoint("/mcp", POST=key(None, ops.mcp)),
]


def public_paths(endpoints: list[Endpoint]) -> list[tuple[re.Pattern, set[str] | None]]:
    """What api/auth.py lets through without a key: (path pattern, methods or None for all)."""
    return [(e.regex, e.public_methods()) for e in endpoints
            if any(o.access == PUBLIC for o in e.methods.values())]
