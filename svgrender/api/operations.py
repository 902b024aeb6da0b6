"""The OpenAPI operation of each route, by name (api/routes.py pairs them with handlers).

Path parameters are not repeated here: api/openapi.py derives them from each route's path.
`security` and the admin key's 403 are not written here either: they follow the route's access.
"""

from __future__ import annotations

from svgrender.formats import FORMATS


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(name: str) -> dict:
    return {"content": {"application/json": {"schema": ref(name)}}}


def errors(*codes: int) -> dict:
    return {str(code): {"description": "error", **json_body("Error")} for code in codes}


OBJECT = {"content": {"application/json": {"schema": {"type": "object"}}}}
IMAGES = {f.media_type: {} for f in FORMATS.values()}
HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}

RENDER = {"requestBody": {"required": False, **json_body("RenderRequest")},
          "responses": {"201": {"description": "rendered and stored (with `variants`: one "
                                               "image per variant)", "content": {
              "application/json": {"schema": {"anyOf": [ref("Answer"),
                                                        ref("VariantsAnswer")]}}}},
                        **errors(400, 401, 404, 413, 422, 502, 503, 504)}}
SVG_BODY = {"content": {"image/svg+xml": {"schema": {"type": "string"}},
                        "multipart/form-data": {"schema": {
                            "type": "object", "required": ["file"], "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "name": {"type": "string"}}}}}}


def op(operation_id: str, **fields) -> dict:
    return {"operationId": operation_id, **fields}


render = op("render", **RENDER)
render_v1 = op("renderV1", **RENDER)
preview = op(
    "preview",
    summary="Render without storing: the image bytes and the fit report",
    description="The same body as a render. Answers the image itself, drawn at "
                "the thumbnail width unless `width` asks for more (the smallest "
                "drawn size at least that wide: thumbnail, retina thumbnail or "
                "the full image). Nothing is written to storage; identical "
                "previews come from a small in-memory cache. Headers: "
                "`X-Svgrender-Layout` (JSON: the fit report of the changed text "
                "layers, as an answer's `layout`), `X-Svgrender-Warnings`, "
                "`X-Svgrender-Cache` (hit | miss), `X-Svgrender-Width`, "
                "`X-Svgrender-Height`.",
    parameters=[{"name": "width", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 20000}}],
    requestBody={"required": False, **json_body("RenderRequest")},
    responses={"200": {"description": "the image (not stored)",
                       "headers": {"X-Svgrender-Layout": {
                           "description": "fit report by layer (JSON)",
                           "schema": {"type": "string"}}},
                       "content": IMAGES},
               **errors(400, 401, 404, 413, 422, 429, 502, 503, 504)})
list_sets = op(
    "listSets", summary="The template sets (sets.json and PUT)",
    responses={"200": {"description": "sets", "content": {"application/json": {
        "schema": {"type": "array", "items": ref("TemplateSet")}}}}, **errors(401, 422)})
put_set = op(
    "putSet", summary="Make or replace a template set (admin key)",
    description="Every member must be a valid template (a 422 names the bad one as "
                "`templates[i]`). Stored where uploaded templates are; the sets of "
                "templates/sets.json are read-only (403).",
    requestBody={"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["templates"], "additionalProperties": False,
        "properties": {"templates": {"type": "array", "items": {"type": "string"}}}}}}},
    responses={"200": {"description": "the set as stored", **json_body("TemplateSet")},
               **errors(400, 401, 403, 413, 422)})
create_set_batch = op(
    "createSetBatch", summary="A batch over a template set: every row for every member",
    description="The body of POST /batches/{templateId} (CSV or JSON rows). Each row is "
                "rendered for each member (rows × members results, numbered row by row; zip "
                "entries `{fileName or row}-{member}`). A column is refused only if no member "
                "has its layer.",
    parameters=[{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                for n in ("format", "webhookUrl", "pdf")],
    requestBody={"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "array", "items": ref("RenderRequest")}}}},
    responses={"202": {"description": "queued: the batch's progress", **OBJECT},
               **errors(400, 401, 404, 413, 422, 429, 503)})
render_set = op(
    "renderSet", summary="Render every template of a set with one body",
    description="The usual render body (params, format, scale, metadata; pages "
                "or frames too), rendered for each member template. A layer a "
                "member does not have is skipped for it and named in its "
                "`skipped`; any other error names the member. With `variants` "
                "the answer has `members` (each with an image per variant) "
                "instead of `images`; at most 60 images per request. No "
                "`webhookUrl` yet.",
    requestBody={"required": False, **json_body("RenderRequest")},
    responses={"201": {"description": "every member rendered and stored",
                       **json_body("SetAnswer")},
               **errors(400, 401, 404, 413, 422, 502, 503, 504)})


def list_templates(operation_id: str = "listTemplates") -> dict:
    return op(operation_id, responses={"200": {
        "description": "templates", "content": {"application/json": {"schema": {
            "type": "array", "items": ref("TemplateSummary")}}}}, **errors(401)})


upload_template = op("uploadTemplate", requestBody=SVG_BODY,
                     responses={"201": {"description": "stored", **json_body("Upload")},
                                **errors(400, 401, 413, 422)})


def get_template(operation_id: str = "getTemplate") -> dict:
    return op(operation_id, responses={"200": {"description": "layers",
                                               **json_body("TemplateDetail")},
                                       **errors(401, 404, 422)})


replace_template = op("replaceTemplate", requestBody=SVG_BODY, responses={
    "200": {"description": "replaced", **json_body("Upload")},
    **errors(400, 401, 404, 413, 422)})
delete_template = op("deleteTemplate", responses={"204": {"description": "deleted"},
                                                  **errors(401, 404)})
name_layer = op(
    "nameLayer", summary="Make an unnamed element a layer (admin key)",
    description="`path` is one of the template's `unnamed` elements as `GET "
                "/templates/{templateId}` lists them; it gets `name` as its id, a new "
                "template version. Only uploaded templates (or with "
                "SVGRENDER_TEMPLATES_WRITABLE).",
    requestBody={"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["path", "name"], "additionalProperties": False,
        "properties": {"path": {"type": "string"}, "name": {"type": "string"}}}}}},
    responses={"201": {"description": "the template, with the new layer",
                       **json_body("TemplateDetail")},
               **errors(400, 401, 404, 413, 422)})
set_text_box = op(
    "setTextBox", summary="Save a text layer's box into the template (admin key)",
    description="The box in 1x pixels, as `GET /templates/{templateId}` reports "
                "it; stored as an explicit `data-box` in the text's own units, "
                "a new template version. Only uploaded templates (or with "
                "SVGRENDER_TEMPLATES_WRITABLE).",
    requestBody={"required": True, "content": {"application/json": {
        "schema": ref("TextBox")}}},
    responses={"200": {"description": "the template, with the new box",
                       **json_body("TemplateDetail")},
               **errors(400, 401, 404, 413, 422)})


def get_image(operation_id: str = "getImage") -> dict:
    return op(operation_id, responses={"200": {"description": "the render's answer",
                                               **json_body("Answer")}, **errors(401, 404)})


def delete_image(operation_id: str = "deleteImage") -> dict:
    return op(operation_id, responses={"204": {"description": "deleted"}, **errors(401, 404)})


get_file = op("getFile", responses={"200": {"description": "the file", "content": IMAGES},
                                    **errors(404)})
make_link = op(
    "makeLink", description="`name` is a template id; answers signed links to GET.",
    parameters=[{"name": "pin", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["1", "true"]}}],
    requestBody={"required": False, **json_body("RenderRequest")},
    responses={"200": {"description": "signed links (nothing rendered)", **json_body("Links")},
               **errors(400, 401, 404, 409, 413, 414, 422)})
get_link = op(
    "getLink", description="`name` is `{templateId}.{format}`; the query is "
                           "`layer.property=value…&s=signature` (see docs/links.md).",
    parameters=[
        {"name": "s", "in": "query", "required": False, "schema": {"type": "string"}},
        {"name": "v", "in": "query", "required": False, "schema": {"type": "string"}},
        {"name": "size", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["thumb", "thumb2x"]}},
        {"name": "scale", "in": "query", "required": False,
         "schema": {"type": "number", "minimum": 1, "maximum": 4}}],
    responses={"200": {"description": "the image", "content": IMAGES},
               "304": {"description": "not modified"},
               **errors(400, 403, 404, 414, 422, 429, 502, 503, 504)})
make_set_links = op(
    "makeSetLinks", description="`name` is a set id; answers `{setId, pinned, members: [{url, "
                                "thumbnailUrl, retinaThumbnailUrl, templateId, templateVersion, "
                                "skipped}]}`, a signed link per member.",
    requestBody={"required": False, **json_body("RenderRequest")},
    responses={"200": {"description": "signed links (nothing rendered)", **OBJECT},
               **errors(400, 401, 404, 409, 413, 414, 422)})
get_set_link = op(
    "getSetLink", description="`name` is `{setId}.{format}`; the query names the member "
                              "(`member={templateId}`, signed with the rest) and the params as "
                              "in a template link.",
    parameters=[{"name": "member", "in": "query", "required": True,
                 "schema": {"type": "string"}},
                {"name": "s", "in": "query", "required": False, "schema": {"type": "string"}}],
    responses={"200": {"description": "the member's image", "content": IMAGES},
               "304": {"description": "not modified"},
               **errors(400, 403, 404, 414, 422, 429, 502, 503, 504)})
create_batch = op(
    "createBatch", description="`id` is a template id. A CSV (header of layer.property "
                               "columns, fileName, format, scale, metadata) or JSON rows.",
    parameters=[{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                for n in ("format", "webhookUrl", "pdf")],
    requestBody={"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/json": {"schema": {"anyOf": [
            {"type": "array", "items": ref("RenderRequest")},
            {"type": "object", "required": ["rows"], "properties": {
                "rows": {"type": "array", "items": ref("RenderRequest")},
                "format": {"type": "string"},
                "webhookUrl": {"type": "string"},
                "pdf": {"type": "string", "enum": ["combined"]}}}]}}}},
    responses={"202": {"description": "queued: the batch's progress", **OBJECT},
               **errors(400, 401, 404, 413, 422, 503)})
get_batch = op("getBatch", responses={
    "200": {"description": "progress, rate, ETA, row errors, rows whose text "
                           "was cut or shrunk (notes), webhook attempts",
            **json_body("BatchStatus")},
    **errors(401, 404)})
cancel_batch = op("cancelBatch", responses={
    "200": {"description": "cancelled what had not started", **OBJECT}, **errors(401, 404)})
batch_zip = op("batchZip", responses={"200": {"description": "the finished rows' images",
                                              "content": {"application/zip": {}}},
                                      **errors(401, 404)})
batch_pdf = op("batchPdf", responses={"200": {"description": "one combined PDF in row order",
                                              "content": {"application/pdf": {}}},
                                      **errors(401, 404, 422)})
ready = op("ready", responses={"200": {"description": "ready", **OBJECT},
                               "503": {"description": "not ready (the failing check)",
                                       **OBJECT}})
health = op("health", responses={"200": {"description": "up", **OBJECT}})
metrics = op("metrics", responses={"200": {"description": "Prometheus text format",
                                           "content": {"text/plain": {}}}, **errors(401)})
openapi = op("openapi", summary="This document", responses={
    "200": {"description": "OpenAPI 3.1", **OBJECT}})
fonts = op("fonts", responses={"200": {"description": "font families", **json_body("Fonts")},
                               **errors(401)})
upload_font = op(
    "uploadFont", summary="Add a font (TTF, OTF, WOFF, WOFF2) for every replica; admin key",
    requestBody={"required": True, "content": {
        "font/ttf": {"schema": {"type": "string", "format": "binary"}},
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
    responses={"201": {"description": "stored", **json_body("FontAdded")},
               **errors(401, 413, 422)})
mcp = op(
    "mcp", summary="MCP (Model Context Protocol) over streamable HTTP, for assistants (with "
                   "the `mcp` extra installed)",
    description="JSON-RPC 2.0 messages of MCP (initialize, tools/list, "
                "tools/call…); send `Accept: application/json, "
                "text/event-stream`. Stateless: JSON answers, no session. Tool "
                "calls run as API requests with this request's key.",
    requestBody={"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["jsonrpc", "method"], "properties": {
            "jsonrpc": {"const": "2.0"}, "id": {"type": ["string", "integer"]},
            "method": {"type": "string"}, "params": {"type": "object"}}}}}},
    responses={**{str(code): {"description": what, **OBJECT} for code, what in (
        (200, "the JSON-RPC answer"), (400, "not a JSON-RPC message"),
        (406, "Accept must allow application/json and text/event-stream"))},
        "202": {"description": "a notification was accepted"},
        **errors(401, 413)})
# The studio and the API reference: HTML pages and their static files, no key needed.
docs_page = op("docsPage", summary="The API reference (HTML, drawn from this document)",
               responses={"200": {"description": "the page", **HTML}})
studio_redirect = op("studioRedirect", summary="The studio: redirects to /studio/",
                     responses={"308": {"description": "to /studio/"}})
studio_page = op("studioPage", summary="The studio (HTML)",
                 responses={"200": {"description": "the page", **HTML}})
studio_template = op("studioTemplatePage", summary="The studio, opened on one template",
                     responses={"200": {"description": "the page", **HTML}})
studio_file = op("studioFile", summary="One of the studio's static files (JS, CSS, HTML)",
                 responses={"200": {"description": "the file", "content": {
                     "text/javascript": {}, "text/css": {}, "text/html": {}}},
                            **errors(404)})
