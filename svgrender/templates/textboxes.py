"""Where a text layer's box comes from, written once at template load as `data-box`
("x y width height" in the text's own user units), for text.py to lay text out in.

Sources, first match wins: an explicit `data-box`; Inkscape's `shape-inside:url(#rect)`;
Inkscape/SVG 2 `inline-size`; SVG 1.2 `flowRoot > flowRegion > rect`; Figma-style line blocks
(`<tspan x y>` lines: the lines' extent, width from `data-width`/`data-max-width` if given).
"""

from __future__ import annotations

from lxml import etree

from svgrender.svg.xml import font_size_of, local_name, parse_style, url_fragment
from svgrender.svg.units import parse_length


def _length(value: str | None) -> float | None:
    try:
        return parse_length(value) if value not in (None, "") else None
    except ValueError:
        return None


def _rect_box(rect: etree._Element) -> tuple[float, float, float, float] | None:
    values = [_length(rect.get(a)) for a in ("x", "y", "width", "height")]
    x, y, w, h = (v or 0.0 for v in values)
    return (x, y, w, h) if w > 0 and h > 0 else None


def text_box(element: etree._Element, ids: dict, pixel_box, to_user) -> tuple | None:
    """The box of one text element, or None (then its text is placed line by line)."""
    if element.get("data-box"):
        return None  # already explicit
    style = parse_style(element.get("style"))
    if local_name(element) == "flowRoot":
        for region in element.iter():
            if local_name(region) == "flowRegion":
                for shape in region:
                    if local_name(shape) == "rect":
                        return _rect_box(shape)
        return None
    shape = ids.get(url_fragment(style.get("shape-inside") or element.get("shape-inside")) or "")
    if shape is not None and local_name(shape) == "rect":
        return _rect_box(shape)
    inline = _length(style.get("inline-size") or element.get("inline-size"))
    lines = [c for c in element if local_name(c) == "tspan" and c.get("y") is not None]
    size = font_size_of(lines[0] if lines else element)
    if inline:
        x = _length((lines[0] if lines else element).get("x")) or 0.0
        y = _length((lines[0] if lines else element).get("y")) or 0.0
        return (x, y - size, inline, size * 1.25 * max(1, len(lines)))
    if len(lines) >= 1 and pixel_box and pixel_box[2] > 0:
        xs = [_length(line.get("x")) or 0.0 for line in lines]
        ys = [_length(line.get("y")) or 0.0 for line in lines]
        px, py, pw, ph = pixel_box
        ux, uy, uw, uh = to_user(px, py, pw, ph)
        width = _length(element.get("data-width") or element.get("data-max-width")) or max(
            uw + (ux - min(xs)), size)
        top = min(ys) - size
        bottom = max(ys) + size * 0.3
        return (min(xs), top, width, bottom - top)
    return None


def annotate(root: etree._Element, layers: dict, to_user) -> None:
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for layer in layers.values():
        if layer.kind != "text" or local_name(layer.element) not in ("text", "flowRoot"):
            continue
        box = text_box(layer.element, ids, layer.box, to_user)
        if box:
            layer.element.set("data-box", " ".join(f"{v:g}" for v in box))
