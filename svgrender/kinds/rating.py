"""`rating`: N shapes (star, heart, circle) in a row in the layer's box, the first `rating` of
them filled; a fractional one is filled exactly that fraction of its width (a clipPath rect
over the filled copy of the shape). Vector, centred in the box."""

from __future__ import annotations

import math

from svgrender.kinds import place

MAX_SHAPES = 20
GAP = 0.2  # of a shape's size, between shapes


def _star() -> str:
    points = []
    for i in range(10):
        angle = -math.pi / 2 + i * math.pi / 5
        r = 0.5 if i % 2 == 0 else 0.5 * 0.382
        points.append(f"{0.5 + r * math.cos(angle):.4f} {0.52 + r * math.sin(angle):.4f}")
    return "M" + "L".join(points) + "Z"


SHAPES = {  # each in a unit square
    "star": _star(),
    "heart": ("M0.5 0.92C0.5 0.92 0.04 0.62 0.04 0.32C0.04 0.16 0.16 0.06 0.3 0.06"
              "C0.4 0.06 0.47 0.12 0.5 0.2C0.53 0.12 0.6 0.06 0.7 0.06"
              "C0.84 0.06 0.96 0.16 0.96 0.32C0.96 0.62 0.5 0.92 0.5 0.92Z"),
    "circle": "M0.5 0.04A0.46 0.46 0 1 1 0.5 0.96A0.46 0.46 0 1 1 0.5 0.04Z",
}


def apply_rating(t, value: float) -> None:
    param = t.param
    count = param.rating_max if param.rating_max is not None else 5
    if not 1 <= count <= MAX_SHAPES:
        t.fail(f"ratingMax must be between 1 and {MAX_SHAPES}, got {count}", "ratingMax")
    if not 0 <= value <= count:
        t.fail(f"rating must be between 0 and ratingMax ({count}), got {value:g}", "rating")
    filled = t.color(param.rating_color or "#f5b301", "ratingColor")
    empty = None if place.is_none(param.rating_empty_color) else \
        t.color(param.rating_empty_color or "#d9d9d9", "ratingEmptyColor")
    shape = SHAPES[param.rating_shape or "star"]
    bx, by, bw, bh = place.pixel_box(t)
    ux, uy, uw, uh = place.user_box(t, bx, by, bw, bh)
    size = min(uh, uw / (count + GAP * (count - 1)))
    step = size * (1 + GAP)
    row = step * (count - 1) + size
    x0, y0 = ux + (uw - row) / 2, uy + (uh - size) / 2
    holder = place.replace_content(t)
    drawing = place.svg("g", transform=f"translate({place.fmt(x0)} {place.fmt(y0)}) "
                                       f"scale({place.fmt(size)})")
    drawing.set("data-kind", "rating")
    unit_step = 1 + GAP
    clip_id = f"{t.name}__rating"
    for i in range(count):
        fraction = min(max(value - i, 0.0), 1.0)
        at = f"translate({place.fmt(i * unit_step)} 0)"
        if fraction < 1 and empty is not None:
            drawing.append(place.svg("path", d=shape, transform=at, **place.paint(empty)))
        if fraction >= 1:
            drawing.append(place.svg("path", d=shape, transform=at, **place.paint(filled)))
        elif fraction > 0:
            clip = place.svg("clipPath", id=clip_id)
            clip.append(place.svg("rect", x=place.fmt(i * unit_step), y="-0.01",
                                  width=place.fmt(fraction), height="1.02"))
            place.defs(t.root).append(clip)
            part = place.svg("g", clip_path=f"url(#{clip_id})")
            part.append(place.svg("path", d=shape, transform=at, **place.paint(filled)))
            drawing.append(part)
    holder.append(drawing)
