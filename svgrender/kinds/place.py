"""Where a drawn kind goes: the layer's measured box, in whole 1x pixels, and a <g> in the
layer's place whose coordinates are the template's root user units."""

from __future__ import annotations

import math

import cairocffi as cairo
from lxml import etree

from svgrender.svg.xml import SVG_NS, local_name
from svgrender.templates.textboxes import parse_transform

# Attributes of a shape layer that stay on the <g> drawn in its place.
KEPT = ("id", "class", "style", "opacity", "display", "visibility", "clip-path", "mask",
        "filter", "data-name", "{http://www.inkscape.org/namespaces/inkscape}label")
# Paint and geometry of the old shape that must not leak into the drawing through the style.
DROPPED_STYLE = {"fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity",
                 "stroke-dasharray", "fill-rule"}


def svg(tag: str, **attrs) -> etree._Element:
    element = etree.Element(f"{{{SVG_NS}}}{tag}")
    for key, value in attrs.items():
        element.set(key.replace("_", "-"), str(value))
    return element


def defs(root: etree._Element) -> etree._Element:
    for child in root:
        if local_name(child) == "defs":
            return child
    node = svg("defs")
    root.insert(0, node)
    return node


def fmt(value: float) -> str:
    return f"{value:.6g}"


def pixel_box(t) -> tuple[float, float, float, float]:
    """The layer's measured box in 1x pixels (what a designer drew as the box)."""
    layer = t.template.layers[t.name]
    x, y, w, h = layer.box
    if not (w >= 1 and h >= 1) and local_name(t.element) == "rect":
        x, y, w, h = _rect_box(t)  # an invisible placeholder (fill="none"): its geometry
    if not (w >= 1 and h >= 1):
        t.fail("has no box to draw into (a rect or group with a size is needed)", _field(t))
    return x, y, w, h


def _rect_box(t) -> tuple[float, float, float, float]:
    try:
        rx, ry, rw, rh = (float((t.element.get(a) or "0").removesuffix("px"))
                          for a in ("x", "y", "width", "height"))
    except ValueError:
        return (0.0, 0.0, 0.0, 0.0)
    matrix = parse_transform(t.element.get("transform")) * _ctm(t.element)
    corners = [matrix.transform_point(px, py) for px, py in
               ((rx, ry), (rx + rw, ry), (rx, ry + rh), (rx + rw, ry + rh))]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return t.template.user_to_pixels(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def _field(t) -> str:
    given = t.param.given() if t.param is not None else {}
    return next(iter(given), "name")


def _ctm(element: etree._Element) -> cairo.Matrix:
    """The transforms of the element's ancestors: its parent's user units -> root user units."""
    matrix = cairo.Matrix()
    for ancestor in element.iterancestors():  # nearest first
        if ancestor.getparent() is None:
            break  # the root <svg>: its viewBox is the root user space itself
        matrix = matrix * parse_transform(ancestor.get("transform"))
    return matrix


def replace_content(t) -> etree._Element:
    """A <g> standing where the layer was (a shape: replaced; a group: emptied), whose children
    are drawn in root user units. t.element becomes the new layer element, so properties applied
    after this one (opacity, hidden) reach it. Returns the <g> to draw into."""
    element = t.element
    if local_name(element) in ("g", "a", "svg", "switch"):
        for child in list(element):
            element.remove(child)
        element.text = None
        inner = _ctm(element)
        inner = parse_transform(element.get("transform")) * inner
        holder = svg("g", stroke="none")
        element.append(holder)
    else:
        holder = svg("g")
        for key in KEPT:
            if element.get(key) is not None:
                holder.set(key, element.get(key))
        if holder.get("style"):
            kept = [part for part in holder.get("style").split(";")
                    if part.split(":", 1)[0].strip() not in DROPPED_STYLE and part.strip()]
            holder.set("style", ";".join(kept)) if kept else holder.attrib.pop("style")
        holder.tail = element.tail
        element.getparent().replace(element, holder)
        if holder.get("id"):
            t.ids[holder.get("id")] = holder
        t.element = holder
        inner = _ctm(holder)
        drawing = svg("g", stroke="none")
        holder.append(drawing)
        holder = drawing
    inverse = cairo.Matrix(*inner.as_tuple())
    try:
        inverse.invert()
    except cairo.Error:
        t.fail("sits in a transform that cannot be undone (scaled to zero)", _field(t))
    if inverse.as_tuple() != (1.0, 0.0, 0.0, 1.0, 0.0, 0.0):
        holder.set("transform", "matrix(" + " ".join(fmt(v) for v in inverse.as_tuple()) + ")")
    return holder


def user_box(t, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    """A box in 1x pixels as root user units."""
    return t.template.pixels_to_user(x, y, w, h)


def paint(color) -> dict:
    """fill (and fill-opacity) attributes of a parsed colour."""
    out = {"fill": color.hex}
    if color.a < 1:
        out["fill-opacity"] = f"{color.a:g}"
    return out


def is_none(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("none", "transparent")


def snap(value: float) -> float:
    return float(math.floor(value + 0.5))


def requires(owner: str, field: str):
    """A handler for an option that means nothing without its owner property."""
    def handler(t, _value) -> None:
        if owner not in t.param.given():
            t.fail(f"{field} goes with {owner}", field)
    return handler
