"""PUT /templates/{templateId}/layers/{layer}/box {"x", "y", "width", "height"} in 1x pixels:
the text layer's box becomes an explicit `data-box` in the template (in the text element's own
user units), stored as a new version the way naming a layer is. A changed text then wraps in it.
"""

from __future__ import annotations

import math

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from svgrender.api.body import read_json
from svgrender.api.views import template_detail
from svgrender.errors import InvalidParam, UnknownLayer
from svgrender.svg.xml import local_name
from svgrender.templates.model import Template
from svgrender.templates.naming import element_path
from svgrender.templates.textboxes import _into

MAX_SIDE = 1_000_000.0


class PixelBox(msgspec.Struct, forbid_unknown_fields=True):
    x: float
    y: float
    width: float
    height: float


def box_attribute(template: Template, layer_name: str, box: PixelBox) -> tuple[str, str]:
    """(element path, `data-box` value) for this layer and pixel box."""
    values = (box.x, box.y, box.width, box.height)
    if not all(math.isfinite(v) and abs(v) <= MAX_SIDE for v in values) \
            or box.width <= 0 or box.height <= 0:
        raise InvalidParam("a box has a finite x and y and a positive width and height, in "
                           "pixels", field="width", code="invalid_box")
    layer = template.find(layer_name)
    if layer is None:
        raise UnknownLayer(f"Layer {layer_name[:64]!r} not found in template {template.id!r}",
                            layer=layer_name[:64])
    element = layer.element
    if layer.kind != "text" or local_name(element) not in ("text", "flowRoot") or any(
            local_name(child) == "textPath" for child in element):
        raise InvalidParam(f"layer {layer.name!r} is not a text with a box (a text on a path, "
                           "a span or another kind of layer)", layer=layer.name,
                           field="layer", code="not_a_text_box")
    user = _into(element, template.root, template.pixels_to_user(*values))
    if user is None:
        raise InvalidParam(f"layer {layer.name!r} is rotated or skewed: set its box in the SVG",
                           layer=layer.name, field="layer", code="not_a_text_box")
    return element_path(element), " ".join(f"{round(v, 3):g}" for v in user)


async def set_box(request: Request) -> Response:
    service = request.app.state.service
    template_id = request.path_params["template_id"]
    service.templates.check_id(template_id)
    service.templates.check_writable(template_id)
    box = await read_json(request, 16 * 1024, PixelBox, "box")
    template = await run_in_threadpool(service.templates.valid, template_id)
    path, value = box_attribute(template, request.path_params["layer"], box)
    template = await run_in_threadpool(service.templates.set_attributes, template_id, path,
                                       {"data-box": value})
    return JSONResponse(await run_in_threadpool(template_detail, template))
