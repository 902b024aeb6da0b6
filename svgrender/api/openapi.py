"""OpenAPI 3.1 description of the HTTP API, generated from the msgspec types it validates with
(so the document cannot drift from what the server accepts)."""

from __future__ import annotations

from typing import Literal

import msgspec

from svgrender.formats import BY_NAME, FORMATS
from svgrender.params import RenderRequest


class Fit(msgspec.Struct, omit_defaults=True):
    """How a changed text was fitted, or where a smart crop was centred (the answer's `layout`,
    by layer name): text layers have lines, fontSize, scale and cut; cropped image layers
    imageFocus ("x,y" fractions of the picture) and imageFocusSource."""
    lines: int | None = None
    fontSize: float | None = None
    scale: float | None = None
    cut: bool | None = None
    overlaps: list[str] = []
    imageFocus: str | None = None
    imageFocusSource: Literal["face", "attention", "given"] | None = None


class Answer(msgspec.Struct, omit_defaults=True):
    id: str
    templateId: str
    imageUrl: str
    thumbnailUrl: str
    retinaThumbnailUrl: str
    fileName: str
    metadata: str | None
    width: int
    height: int
    warnings: list[str] = []
    layout: dict[str, Fit] = {}


class VariantAnswer(Answer):
    key: str = ""


class VariantsAnswer(msgspec.Struct):
    """The answer to a request with `variants`: one image (nine fields + fit report) each."""
    templateId: str
    variants: list[VariantAnswer]


class SetMemberAnswer(Answer):
    """One member of a set render: its nine fields, fit report, and the layers of the request
    it does not have (skipped there, not an error)."""
    skipped: list[str] = []


class SetMemberVariants(msgspec.Struct):
    """One member of a set render with `variants`: an image per variant, and the layers of the
    request the member does not have."""
    templateId: str
    variants: list[VariantAnswer]
    skipped: list[str] = []


class SetAnswer(msgspec.Struct, omit_defaults=True):
    """The answer to POST /sets/{setId}/images: one image per member template (`images`), or
    with `variants`, one entry per member with an image per variant (`members`)."""
    setId: str
    images: list[SetMemberAnswer] | None = None
    members: list[SetMemberVariants] | None = None


class TemplateSet(msgspec.Struct):
    id: str
    templates: list[str]


class RowNote(msgspec.Struct):
    """A batch row whose text was cut, shrunk or now overlaps another: what its answer said."""
    row: int
    warnings: list[str]
    layout: dict[str, Fit]


class BatchStatus(msgspec.Struct, omit_defaults=True):
    id: str
    templateId: str
    state: str
    total: int
    done: int
    failed: int
    errors: list[dict] = []
    notes: list[RowNote] = []


class Error(msgspec.Struct, omit_defaults=True):
    message: str
    code: str
    layer: str | None = None
    field: str | None = None


class TemplateSummary(msgspec.Struct, omit_defaults=True):
    id: str
    name: str
    width: int
    height: int
    layerCount: int
    valid: bool
    error: str | None = None


class TextBox(msgspec.Struct):
    """Where a changed text may go, in pixels."""
    x: float
    y: float
    width: float
    height: float


class Layer(msgspec.Struct, omit_defaults=True):
    type: str
    name: str
    x: float
    y: float
    width: float
    height: float
    properties: list[str]
    label: str | None = None
    text: str | None = None
    color: str | None = None
    imageUrl: str | None = None
    anchor: str | None = None  # start | middle | end: where a changed text is anchored
    grows: str | None = None  # down | up | both: where its extra lines go
    boxSource: str | None = None  # explicit | flow | shape | canvas | request | none
    box: TextBox | None = None
    current: dict[str, str | float | int | bool] | None = None  # the template's own values


class TemplateDetail(TemplateSummary):
    layers: list[Layer] = []


class Upload(TemplateSummary):
    removed: list[str] = []


class Links(msgspec.Struct):
    url: str
    thumbnailUrl: str
    retinaThumbnailUrl: str
    templateId: str
    templateVersion: str
    pinned: bool


class FontAdded(msgspec.Struct):
    family: str
    style: str
    file: str


class Fonts(msgspec.Struct):
    families: list[str]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str) -> dict:
    return {"content": {"application/json": {"schema": _ref(name)}}}


def _errors(*codes: int) -> dict:
    return {str(code): {"description": "error", **_json("Error")} for code in codes}


def document(secured: bool = True) -> dict:
    """The spec; `secured` when API keys are configured (an open server declares no auth, and
    its state-changing operations may answer 403 `csrf_refused`: see api/csrf.py)."""
    spec = _document(secured)
    if not secured:
        for operations in spec["paths"].values():
            for method, operation in operations.items():
                if method in ("post", "put", "patch", "delete"):
                    operation["responses"].setdefault("403", _errors(403)["403"])
    return spec


def _document(secured: bool) -> dict:
    _, components = msgspec.json.schema_components(
        [RenderRequest, Answer, VariantsAnswer, SetAnswer, TemplateSet, BatchStatus, Error, TemplateSummary, TemplateDetail, Upload, Fonts, FontAdded,
         Links],
        ref_template="#/components/schemas/{name}")
    components["RenderRequest"]["properties"]["format"]["enum"] = list(BY_NAME)
    template_id = {"name": "templateId", "in": "path", "required": True,
                   "schema": {"type": "string"}}
    image_id = {"name": "imageId", "in": "path", "required": True, "schema": {"type": "string"}}
    render = {"requestBody": {"required": False, **_json("RenderRequest")},
              "parameters": [template_id],
              "responses": {"201": {"description": "rendered and stored (with `variants`: one "
                                                   "image per variant)", "content": {
                  "application/json": {"schema": {"anyOf": [_ref("Answer"),
                                                            _ref("VariantsAnswer")]}}}},
                            **_errors(400, 401, 404, 413, 422, 502, 503, 504)}}
    svg_body = {"content": {"image/svg+xml": {"schema": {"type": "string"}},
                            "multipart/form-data": {"schema": {
                                "type": "object", "required": ["file"], "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "name": {"type": "string"}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "svgrender", "version": "0.1.0",
                 "description": "SVG templates in, personalised images out."},
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}] if secured else [],
        "paths": {
            "/designs/{templateId}": {"post": {"operationId": "render", **render}},
            "/v1/templates/{templateId}/images": {"post": {"operationId": "renderV1", **render}},
            "/designs/{templateId}/preview": {"post": {
                "operationId": "preview",
                "summary": "Render without storing: the image bytes and the fit report",
                "description": "The same body as a render. Answers the image itself, drawn at "
                               "the thumbnail width unless `width` asks for more (the smallest "
                               "drawn size at least that wide: thumbnail, retina thumbnail or "
                               "the full image). Nothing is written to storage; identical "
                               "previews come from a small in-memory cache. Headers: "
                               "`X-Svgrender-Layout` (JSON: the fit report of the changed text "
                               "layers, as an answer's `layout`), `X-Svgrender-Warnings`, "
                               "`X-Svgrender-Cache` (hit | miss), `X-Svgrender-Width`, "
                               "`X-Svgrender-Height`.",
                "parameters": [template_id, {"name": "width", "in": "query", "required": False,
                                             "schema": {"type": "integer", "minimum": 1,
                                                        "maximum": 20000}}],
                "requestBody": {"required": False, **_json("RenderRequest")},
                "responses": {"200": {
                    "description": "the image (not stored)",
                    "headers": {"X-Svgrender-Layout": {
                        "description": "fit report by layer (JSON)",
                        "schema": {"type": "string"}}},
                    "content": {f.media_type: {} for f in FORMATS.values()}},
                    **_errors(400, 401, 404, 413, 422, 429, 502, 503, 504)}}},
            "/sets": {"get": {
                "operationId": "listSets", "summary": "The template sets (sets.json and PUT)",
                "responses": {"200": {"description": "sets", "content": {"application/json": {
                    "schema": {"type": "array", "items": _ref("TemplateSet")}}}},
                    **_errors(401, 422)}}},
            "/sets/{setId}": {"put": {
                "operationId": "putSet",
                "summary": "Make or replace a template set (admin key)",
                "description": "Every member must be a valid template (a 422 names the bad "
                               "one as `templates[i]`). Stored where uploaded templates are; "
                               "the sets of templates/sets.json are read-only (403).",
                "parameters": [{"name": "setId", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["templates"],
                               "additionalProperties": False, "properties": {
                                   "templates": {"type": "array",
                                                 "items": {"type": "string"}}}}}}},
                "responses": {"200": {"description": "the set as stored",
                                      **_json("TemplateSet")},
                              **_errors(400, 401, 403, 413, 422)}}},
            "/sets/{setId}/batches": {"post": {
                "operationId": "createSetBatch",
                "summary": "A batch over a template set: every row for every member",
                "description": "The body of POST /batches/{templateId} (CSV or JSON rows). "
                               "Each row is rendered for each member (rows × members results, "
                               "numbered row by row; zip entries `{fileName or row}-{member}`). "
                               "A column is refused only if no member has its layer.",
                "parameters": [{"name": "setId", "in": "path", "required": True,
                                "schema": {"type": "string"}}] + [
                    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                    for n in ("format", "webhookUrl", "pdf")],
                "requestBody": {"required": True, "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "array",
                                                    "items": _ref("RenderRequest")}}}},
                "responses": {"202": {"description": "queued: the batch's progress",
                                      "content": {"application/json": {"schema": {
                                          "type": "object"}}}},
                              **_errors(400, 401, 404, 413, 422, 429, 503)}}},
            "/sets/{setId}/images": {"post": {
                "operationId": "renderSet",
                "summary": "Render every template of a set with one body",
                "description": "The usual render body (params, format, scale, metadata; pages "
                               "or frames too), rendered for each member template. A layer a "
                               "member does not have is skipped for it and named in its "
                               "`skipped`; any other error names the member. With `variants` "
                               "the answer has `members` (each with an image per variant) "
                               "instead of `images`; at most 60 images per request. No "
                               "`webhookUrl` yet.",
                "parameters": [{"name": "setId", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "requestBody": {"required": False, **_json("RenderRequest")},
                "responses": {"201": {"description": "every member rendered and stored",
                                      **_json("SetAnswer")},
                              **_errors(400, 401, 404, 413, 422, 502, 503, 504)}}},
            "/templates": {
                "get": {"operationId": "listTemplates", "responses": {"200": {
                    "description": "templates", "content": {"application/json": {"schema": {
                        "type": "array", "items": _ref("TemplateSummary")}}}}, **_errors(401)}},
                "post": {"operationId": "uploadTemplate", "requestBody": svg_body,
                         "responses": {"201": {"description": "stored", **_json("Upload")},
                                       **_errors(400, 401, 413, 422)}}},
            "/templates/{templateId}": {
                "parameters": [template_id],
                "get": {"operationId": "getTemplate", "responses": {
                    "200": {"description": "layers", **_json("TemplateDetail")},
                    **_errors(401, 404, 422)}},
                "put": {"operationId": "replaceTemplate", "requestBody": svg_body, "responses": {
                    "200": {"description": "replaced", **_json("Upload")},
                    **_errors(400, 401, 404, 413, 422)}},
                "delete": {"operationId": "deleteTemplate", "responses": {
                    "204": {"description": "deleted"}, **_errors(401, 404)}}},
            "/templates/{templateId}/layers/{layer}/box": {"put": {
                "operationId": "setTextBox",
                "summary": "Save a text layer's box into the template (admin key)",
                "description": "The box in 1x pixels, as `GET /templates/{templateId}` reports "
                               "it; stored as an explicit `data-box` in the text's own units, "
                               "a new template version. Only uploaded templates (or with "
                               "SVGRENDER_TEMPLATES_WRITABLE).",
                "parameters": [template_id, {"name": "layer", "in": "path", "required": True,
                                             "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": _ref("TextBox")}}},
                "responses": {"200": {"description": "the template, with the new box",
                                      **_json("TemplateDetail")},
                              **_errors(400, 401, 403, 404, 413, 422)}}},
            "/images/{imageId}": {
                "parameters": [image_id],
                "get": {"operationId": "getImage", "responses": {
                    "200": {"description": "the render's answer", **_json("Answer")},
                    **_errors(401, 404)}},
                "delete": {"operationId": "deleteImage", "responses": {
                    "204": {"description": "deleted"}, **_errors(401, 404)}}},
            "/files/{fileName}": {"get": {
                "operationId": "getFile", "security": [],
                "parameters": [{"name": "fileName", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the file", "content": {
                    f.media_type: {} for f in FORMATS.values()}}, **_errors(404)}}},
            # One path: GET takes `{templateId}.{format}`, POST a template id.
            "/links/{name}": {
                "parameters": [{"name": "name", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "post": {
                    "operationId": "makeLink",
                    "description": "`name` is a template id; answers signed links to GET.",
                    "parameters": [{"name": "pin", "in": "query", "required": False,
                                    "schema": {"type": "string", "enum": ["1", "true"]}}],
                    "requestBody": {"required": False, **_json("RenderRequest")},
                    "responses": {"200": {"description": "signed links (nothing rendered)",
                                          **_json("Links")},
                                  **_errors(400, 401, 404, 409, 413, 414, 422)}},
                "get": {
                    "operationId": "getLink", "security": [],
                    "description": "`name` is `{templateId}.{format}`; the query is "
                                   "`layer.property=value…&s=signature` (see docs/links.md).",
                    "parameters": [
                        {"name": "s", "in": "query", "required": False,
                         "schema": {"type": "string"}},
                        {"name": "v", "in": "query", "required": False,
                         "schema": {"type": "string"}},
                        {"name": "size", "in": "query", "required": False,
                         "schema": {"type": "string", "enum": ["thumb", "thumb2x"]}},
                        {"name": "scale", "in": "query", "required": False,
                         "schema": {"type": "number", "minimum": 1, "maximum": 4}}],
                    "responses": {"200": {"description": "the image", "content": {
                        f.media_type: {} for f in FORMATS.values()}},
                        "304": {"description": "not modified"},
                        **_errors(400, 403, 404, 414, 422, 429, 502, 503, 504)}}},
            "/links/sets/{name}": {
                "parameters": [{"name": "name", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "post": {
                    "operationId": "makeSetLinks",
                    "description": "`name` is a set id; answers `{setId, pinned, members: [{url, "
                                   "thumbnailUrl, retinaThumbnailUrl, templateId, "
                                   "templateVersion, skipped}]}`, a signed link per member.",
                    "requestBody": {"required": False, **_json("RenderRequest")},
                    "responses": {"200": {"description": "signed links (nothing rendered)",
                                          "content": {"application/json": {"schema": {
                                              "type": "object"}}}},
                                  **_errors(400, 401, 404, 409, 413, 414, 422)}},
                "get": {
                    "operationId": "getSetLink", "security": [],
                    "description": "`name` is `{setId}.{format}`; the query names the member "
                                   "(`member={templateId}`, signed with the rest) and the "
                                   "params as in a template link.",
                    "parameters": [{"name": "member", "in": "query", "required": True,
                                    "schema": {"type": "string"}},
                                   {"name": "s", "in": "query", "required": False,
                                    "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "the member's image", "content": {
                        f.media_type: {} for f in FORMATS.values()}},
                        "304": {"description": "not modified"},
                        **_errors(400, 403, 404, 414, 422, 429, 502, 503, 504)}}},
            "/batches/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "post": {
                    "operationId": "createBatch",
                    "description": "`id` is a template id. A CSV (header of layer.property "
                                   "columns, fileName, format, scale, metadata) or JSON rows.",
                    "parameters": [{"name": n, "in": "query", "required": False,
                                    "schema": {"type": "string"}}
                                   for n in ("format", "webhookUrl", "pdf")],
                    "requestBody": {"required": True, "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        "application/json": {"schema": {"anyOf": [
                            {"type": "array", "items": _ref("RenderRequest")},
                            {"type": "object", "required": ["rows"], "properties": {
                                "rows": {"type": "array", "items": _ref("RenderRequest")},
                                "format": {"type": "string"},
                                "webhookUrl": {"type": "string"},
                                "pdf": {"type": "string", "enum": ["combined"]}}}]}}}},
                    "responses": {"202": {"description": "queued: the batch's progress",
                                          "content": {"application/json": {"schema": {
                                              "type": "object"}}}},
                                  **_errors(400, 401, 404, 413, 422, 503)}},
                "get": {"operationId": "getBatch", "responses": {
                    "200": {"description": "progress, rate, ETA, row errors, rows whose text "
                                           "was cut or shrunk (notes), webhook attempts",
                            **_json("BatchStatus")},
                    **_errors(401, 404)}},
                "delete": {"operationId": "cancelBatch", "responses": {
                    "200": {"description": "cancelled what had not started",
                            "content": {"application/json": {"schema": {"type": "object"}}}},
                    **_errors(401, 404)}}},
            "/batches/{id}/zip": {"get": {
                "operationId": "batchZip",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the finished rows' images",
                                      "content": {"application/zip": {}}},
                              **_errors(401, 404)}}},
            "/batches/{id}/pdf": {"get": {
                "operationId": "batchPdf",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "one combined PDF in row order",
                                      "content": {"application/pdf": {}}},
                              **_errors(401, 404, 422)}}},
            "/readyz": {"get": {"operationId": "ready", "security": [], "responses": {
                "200": {"description": "ready", "content": {"application/json": {
                    "schema": {"type": "object"}}}},
                "503": {"description": "not ready (the failing check)", "content": {
                    "application/json": {"schema": {"type": "object"}}}}}}},
            "/metrics": {"get": {"operationId": "metrics", "responses": {
                "200": {"description": "Prometheus text format",
                        "content": {"text/plain": {}}}, **_errors(401)}}},
            "/v1/fonts": {"get": {"operationId": "fonts", "responses": {
                "200": {"description": "font families", **_json("Fonts")}, **_errors(401)}},
                "post": {"operationId": "uploadFont", "summary": "Add a font (TTF, OTF, WOFF, "
                         "WOFF2) for every replica; admin key", "requestBody": {
                             "required": True, "content": {"font/ttf": {"schema": {
                                 "type": "string", "format": "binary"}},
                                 "application/octet-stream": {"schema": {
                                     "type": "string", "format": "binary"}}}},
                         "responses": {"201": {"description": "stored", **_json("FontAdded")},
                                       **_errors(401, 403, 413, 422)}}},
            "/mcp": {"post": {
                "operationId": "mcp", "summary": "MCP (Model Context Protocol) over streamable "
                "HTTP, for assistants (with the `mcp` extra installed)",
                "description": "JSON-RPC 2.0 messages of MCP (initialize, tools/list, "
                               "tools/call…); send `Accept: application/json, "
                               "text/event-stream`. Stateless: JSON answers, no session. Tool "
                               "calls run as API requests with this request's key.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["jsonrpc", "method"], "properties": {
                        "jsonrpc": {"const": "2.0"}, "id": {"type": ["string", "integer"]},
                        "method": {"type": "string"}, "params": {"type": "object"}}}}}},
                "responses": {**{str(code): {"description": what, "content": {
                    "application/json": {"schema": {"type": "object"}}}} for code, what in (
                        (200, "the JSON-RPC answer"), (400, "not a JSON-RPC message"),
                        (406, "Accept must allow application/json and text/event-stream"))},
                              "202": {"description": "a notification was accepted"},
                              **_errors(401, 413)}}},
            "/healthz": {"get": {"operationId": "health", "security": [], "responses": {
                "200": {"description": "up", "content": {"application/json": {"schema": {
                    "type": "object"}}}}}}},
        },
    }
