"""POST /designs/{templateId}/preview: a render that is never stored.

The body is a render request (`params`, `format`, `scale`); the answer is the image itself, at
thumbnail size unless `?width=` asks for more: the smallest drawn size at least that wide (the
thumbnail, the retina thumbnail or the full image). The fit report of the changed text layers
comes in `X-Svgrender-Layout` (JSON, by layer: lines, fontSize, scale, cut, overlaps) and any
warnings in `X-Svgrender-Warnings`. Identical previews come from a small in-memory cache
(`X-Svgrender-Cache: hit`); nothing is written to storage, so the studio's gallery, live preview
and variants sheet cost no disk.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from svgrender.api.body import read_limited
from svgrender.api.views import warnings_header
from svgrender.errors import InvalidParam
from svgrender.render import output_sizes

MAX_WIDTH = 20_000


def requested_width(request: Request, default: int) -> int:
    raw = request.query_params.get("width")
    if raw is None or raw == "":
        return default
    try:
        width = int(raw)
    except ValueError:
        width = 0
    if not 1 <= width <= MAX_WIDTH:
        raise InvalidParam(f"width is a whole number of pixels from 1 to {MAX_WIDTH}, got "
                           f"{raw[:20]!r}", field="width", code="invalid_width")
    return width


def layout_header(layout: dict) -> str:
    """The fit report as one line of ASCII JSON (header values are Latin-1)."""
    return json.dumps(layout, ensure_ascii=True, separators=(",", ":"))


async def preview(request: Request) -> Response:
    service = request.app.state.service
    template_id = request.path_params["template_id"]
    service.refuse_busy_client(request.scope.get("svgrender.client"))  # 429 before any work
    template = await service.template(template_id)  # 404 / 422 first
    width = requested_width(request, service.settings.thumb_width)
    body = await read_limited(request, service.settings.max_body_bytes)
    admitted = await service.admit(template, body)
    rendered, hit = await service.preview(admitted, client=request.scope.get("svgrender.client"))
    sizes = output_sizes(template, admitted.request.scale, service.settings)
    # The smallest drawn size at least `width` wide, else the largest.
    order = sorted(range(3), key=lambda i: sizes[i].width)
    index = next((i for i in order if sizes[i].width >= width), order[-1])
    output = rendered.files[index]
    size = sizes[index]
    headers = {"X-Svgrender-Layout": layout_header(rendered.layout),
               "X-Svgrender-Cache": "hit" if hit else "miss",
               "X-Svgrender-Width": str(size.width), "X-Svgrender-Height": str(size.height),
               "Cache-Control": "no-store", **(warnings_header(rendered.warnings) or {})}
    request.scope.get("svgrender.log", {}).update(template=template_id, preview=True,
                                                  cacheHit=hit)
    return Response(output.data, media_type=output.media_type, headers=headers)
