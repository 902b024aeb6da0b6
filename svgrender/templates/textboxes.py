"""Where a text layer's box comes from, written once at template load as `data-box`
("x y width height" in the text's own user units), for text.py to lay changed text out in.

Sources, first match wins: an explicit `data-box`; a rect named `<layer>-box`; Inkscape's
`shape-inside:url(#rect)`; Inkscape/SVG 2 `inline-size`; SVG 1.2 `flowRoot > flowRegion > rect`;
`data-width`/`data-max-width` on Figma-style line blocks; the shape the text sits on (a button,
a card: the smallest rect drawn before it that contains it); else the canvas, with the text's
own margin, so a changed text never runs off the canvas. Where the text sat in a shape also
gives its alignment (a label centred in its button stays centred).
"""

from __future__ import annotations

import math
import re

import cairocffi as cairo
from lxml import etree

from svgrender.svg.xml import font_size_of, href, local_name, parse_style, url_fragment
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


def text_box(element: etree._Element, ids: dict, pixel_box, to_user,
             lines_only: bool = False) -> tuple | None:
    """The box the text's own markup gives, or None."""
    if element.get("data-box"):
        return None  # already explicit
    style = parse_style(element.get("style"))
    if local_name(element) == "flowRoot":
        for region in element.iter():
            if local_name(region) == "flowRegion":
                for shape in region:
                    if local_name(shape) == "rect":
                        return _rect_box(shape)
                    # Inkscape often flows into a <use> of a rect defined elsewhere.
                    target = ids.get((href(shape) or "").lstrip("#")) \
                        if local_name(shape) == "use" else None
                    box = _rect_box(target) if target is not None and \
                        local_name(target) == "rect" else None
                    if box is not None:
                        dx, dy = _length(shape.get("x")) or 0.0, _length(shape.get("y")) or 0.0
                        return (box[0] + dx, box[1] + dy, box[2], box[3])
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
    if len(lines) >= 1 and pixel_box and pixel_box[2] > 0 and (
            lines_only or _has_width(element)):
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


TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")


def parse_transform(value: str | None) -> cairo.Matrix:
    matrix = cairo.Matrix()
    for name, args in TRANSFORM.findall(value or ""):
        try:
            n = [float(v) for v in args.replace(",", " ").split()]
        except ValueError:
            continue
        step = cairo.Matrix()
        if name == "matrix" and len(n) == 6:
            step = cairo.Matrix(*n)
        elif name == "translate" and n:
            step = cairo.Matrix(x0=n[0], y0=n[1] if len(n) > 1 else 0.0)
        elif name == "scale" and n:
            step = cairo.Matrix(xx=n[0], yy=n[1] if len(n) > 1 else n[0])
        elif name == "rotate" and n:
            step = cairo.Matrix.init_rotate(math.radians(n[0]))
            if len(n) == 3:
                step = cairo.Matrix(x0=-n[1], y0=-n[2]) * step * cairo.Matrix(x0=n[1], y0=n[2])
        elif name == "skewX" and n:
            step = cairo.Matrix(xy=math.tan(math.radians(n[0])))
        elif name == "skewY" and n:
            step = cairo.Matrix(yx=math.tan(math.radians(n[0])))
        matrix = step * matrix  # later transforms apply first (closer to the element)
    return matrix


def to_root(element: etree._Element, root: etree._Element) -> cairo.Matrix:
    """The element's own user units -> the root's user units (its and its ancestors' transforms)."""
    matrix = cairo.Matrix()
    node = element
    while node is not None and node is not root:
        matrix = matrix * parse_transform(node.get("transform"))
        node = node.getparent()
    return matrix


def _into(element, root, box) -> tuple | None:
    """A box in root user units, in the element's own units (None when rotated or skewed)."""
    matrix = to_root(element, root)
    if abs(matrix.xy) > 1e-9 or abs(matrix.yx) > 1e-9:
        return None
    try:
        matrix.invert()
    except cairo.CairoError:
        return None
    x, y, w, h = box
    (x0, y0), (x1, y1) = matrix.transform_point(x, y), matrix.transform_point(x + w, y + h)
    return (min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))


def _unpainted_box(rect, element, root) -> tuple | None:
    """A `<layer>-box` rect drawn with no paint (the usual way to mark a box in an editor) has
    no ink to measure: its geometry, in the text's own units."""
    box = _rect_box(rect)
    if box is None:
        return None
    matrix = to_root(rect, root)
    x, y, w, h = box
    corners = [matrix.transform_point(px, py) for px, py in
               ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return _into(element, root, (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))


def placement(element: etree._Element, root: etree._Element, to_pixels) -> dict:
    """How a changed text is placed, as the template report shows it: anchor, growth, the
    box's source and the box in 1x pixels (`to_pixels`: root user units -> pixels)."""
    out = {"anchor": element.get("data-anchor") or _anchor(element),
           "grows": element.get("data-grows") or "down",
           "boxSource": element.get("data-box-source") or "none"}
    numbers = [float(v) for v in (element.get("data-box") or "").split()]
    if len(numbers) == 4:
        matrix = to_root(element, root)
        x, y, w, h = numbers
        corners = [matrix.transform_point(px, py) for px, py in
                   ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        left, top, width, height = to_pixels(min(xs), min(ys), max(xs) - min(xs),
                                             max(ys) - min(ys))
        out["box"] = {"x": round(left, 2), "y": round(top, 2), "width": round(width, 2),
                      "height": round(height, 2)}
    return out


CANVAS_SHARE = 0.9  # a rect this share of the canvas is a background, not a container


def _container(element, layer_box, boxes, order, canvas_area):
    """The smallest rect drawn before `element` whose box contains the text's ink box."""
    x, y, w, h = layer_box
    position = order.get(element, 0)
    best = None
    for rect, index in order.items():
        if index >= position or local_name(rect) != "rect":
            continue
        rx, ry, rw, rh = boxes.get(rect, (0, 0, 0, 0))
        area = rw * rh
        if (area <= 0 or area >= CANVAS_SHARE * canvas_area or rx > x + 0.5 or ry > y + 0.5
                or rx + rw < x + w - 0.5 or ry + rh < y + h - 0.5 or rw < w * 1.05):
            continue
        if best is None or area < best[0]:
            best = (area, (rx, ry, rw, rh))
    return best[1] if best else None


def _alignment(inner, outer) -> tuple[str, str]:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    left, right = x - ox, ox + ow - (x + w)
    top, bottom = y - oy, oy + oh - (y + h)
    horizontal = "center" if abs(left - right) <= 0.15 * ow else ("left" if left < right
                                                                  else "right")
    vertical = "middle" if abs(top - bottom) <= 0.2 * oh else ("top" if top < bottom
                                                               else "bottom")
    return horizontal, vertical


def _canvas_box(layer_box, anchor, canvas) -> tuple:
    """From the text to the canvas edges, keeping the text's own margin (at most 5 %)."""
    x, y, w, h = layer_box
    cw, ch = canvas
    margin = max(0.0, min(x, cw - (x + w), 0.05 * cw))
    if anchor == "middle":
        centre = x + w / 2
        half = max(w / 2, min(centre, cw - centre) - margin)
        left, right = centre - half, centre + half
    elif anchor == "end":
        left, right = margin, x + w
    else:
        left, right = x, cw - margin
    # Vertically the whole canvas but the margin: text grows down or up from its own lines.
    vertical = max(0.0, min(margin, y, ch - (y + h)))
    return (left, vertical, max(right - left, w), max(ch - 2 * vertical, h))


def _on_path(element: etree._Element) -> bool:
    """Text on a path has no box: its path is its line (a new text stays on it)."""
    return any(local_name(child) == "textPath" for child in element)


def annotate(root: etree._Element, layers: dict, to_user, boxes: dict | None = None,
             text_lines: dict | None = None,
             canvas: tuple[float, float] | None = None) -> None:
    """Write on every text layer that can have one its box (`data-box`) and where it came from
    (`data-box-source`: explicit | flow | shape | canvas), its anchor (`data-anchor`) and the
    way a longer text grows (`data-grows`: down | up | both). A box is only a limit: a changed
    text starts from its own lines (draw/text_anchor.py)."""
    boxes, text_lines = boxes or {}, text_lines or {}
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    order = {el: i for i, el in enumerate(root.iter())}
    canvas_area = canvas[0] * canvas[1] if canvas else 0.0
    for layer in layers.values():
        element = layer.element
        if (layer.kind != "text" or local_name(element) not in ("text", "flowRoot")
                or _on_path(element)):
            continue
        lines = _lines(text_lines.get(element))
        if element.get("data-box"):
            _describe(element, "explicit", lines)
            continue
        box = text_box(element, ids, layer.box, to_user)
        source = "explicit" if _has_width(element) else "flow"
        hint = frame_px = None
        if box is None and layer.box[2] > 0 and canvas:
            named = ids.get(f"{layer.name}-box")
            frame = boxes.get(named) if named is not None else None
            source = "explicit"
            if frame is None and named is not None and local_name(named) == "rect":
                box = _unpainted_box(named, element, root)
            if box is None and frame is None and not _has_width(element):
                frame = _container(element, layer.box, boxes, order, canvas_area)
                source = "shape"
                if frame is not None:
                    horizontal, _ = _alignment(layer.box, frame)
                    hint = {"center": "middle", "right": "end"}.get(horizontal, "start")
                    pad = min(0.08 * frame[2], 16.0)
                    frame_px = frame
                    frame = (frame[0] + pad, frame[1], frame[2] - 2 * pad, frame[3])
            if box is None and frame is None and not _has_width(element):
                frame = _canvas_box(layer.box, _anchor(element), canvas)
                frame_px, source = (0.0, 0.0, canvas[0], canvas[1]), "canvas"
            if frame is not None:
                box = _into(element, root, to_user(*frame))
            if box is None:
                box = text_box(element, ids, layer.box, to_user, lines_only=True)
                source = "explicit"
        if box and canvas:
            box = _within(box, _into(element, root, to_user(0.0, 0.0, *canvas)))
        if box:
            element.set("data-box", " ".join(f"{v:g}" for v in box))
        size_px = lines.font_size * layer.box[3] / max(_user_height(element, root, to_user,
                                                                  layer.box), 1e-9) \
            if lines is not None else 0.0
        grows = _growth(layer.box, frame_px, size_px) if frame_px else None
        _describe(element, source if box else "none", lines, hint, grows)
    named = {layer.element for layer in layers.values()}
    for element in root.iter():  # flowed text nobody named (optimisers strip ids) still flows
        if isinstance(element.tag, str) and local_name(element) == "flowRoot" \
                and element not in named and not element.get("data-box"):
            box = text_box(element, ids, None, to_user)
            if box:
                element.set("data-box", " ".join(f"{v:g}" for v in box))


def _user_height(element, root, to_user, box) -> float:
    """The height of a pixel box in the element's own units (to scale its font size)."""
    inside = _into(element, root, to_user(*box))
    return inside[3] if inside else box[3]


def _lines(facts: dict | None):
    from svgrender.draw.text_lines import Line, OwnLines
    if not facts or not facts.get("lines"):
        return None
    return OwnLines([Line(baseline, left, right, text, anchor)
                     for left, right, baseline, text, anchor in facts["lines"]],
                    facts["fontSize"])


def _describe(element, source: str, lines, hint: str | None = None,
              grows: str | None = None) -> None:
    """The anchor, growth and box source a changed text is placed by (and the report shows)."""
    from svgrender.draw.text_lines import anchor_of
    element.set("data-box-source", source)
    if lines is not None:
        single = len(lines.lines) == 1 and lines.lines[0].anchor == "start"
        anchor, _ = anchor_of(lines.lines, lines.font_size, hint if single else None)
        element.set("data-anchor", element.get("data-anchor") or anchor)
    elif local_name(element) == "flowRoot":
        align = _flow_align(element)
        element.set("data-anchor", {"center": "middle", "right": "end"}.get(align, "start"))
    if local_name(element) == "flowRoot" or source in ("explicit", "flow") and grows is None:
        grows = _box_growth(element, lines)
    element.set("data-grows", element.get("data-grows") or grows or "down")


def _flow_align(element) -> str:
    for child in element.iter():
        if isinstance(child.tag, str) and local_name(child) == "flowPara":
            style = parse_style(child.get("style"))
            value = style.get("text-align") or child.get("text-align") or ""
            return {"middle": "center", "end": "right"}.get(value, value)
    return "left"


def _growth(ink, frame, font_size: float = 0.0) -> str:
    """Down from the first baseline, up from the last when the text sits on its frame's
    bottom (a price at a card's foot), both ways when centred in a snug frame (a button)."""
    text_top, text_bottom = ink[1], ink[1] + ink[3]
    top, bottom = frame[1], frame[1] + frame[3]
    text_height, frame_height = max(ink[3], 1e-6), max(frame[3], 1e-6)
    top_gap, bottom_gap = text_top - top, bottom - text_bottom
    snug = frame_height <= max(3 * text_height, 4 * font_size)  # a button, a badge, a pill
    if snug and abs(top_gap - bottom_gap) <= 0.2 * frame_height:
        return "both"
    if bottom_gap < top_gap and bottom_gap <= max(text_height, 0.15 * frame_height):
        return "up"
    return "down"


def _box_growth(element, lines) -> str | None:
    """For a box in the text's own units: the growth its lines' place in it gives."""
    box = [float(v) for v in (element.get("data-box") or "").split()]
    if lines is None or len(box) != 4 or local_name(element) == "flowRoot":
        return None
    size = lines.font_size
    ink = (0.0, lines.lines[0].baseline - 0.75 * size, 0.0,
           lines.lines[-1].baseline - lines.lines[0].baseline + size)
    return _growth(ink, box)


def _within(box: tuple, canvas: tuple | None) -> tuple:
    """The part of `box` on the canvas (a shape-inside or flow region reaching past the page
    edge would let a longer text run off it); the box itself when they do not meet."""
    if canvas is None:
        return box
    x0, y0 = max(box[0], canvas[0]), max(box[1], canvas[1])
    x1 = min(box[0] + box[2], canvas[0] + canvas[2])
    y1 = min(box[1] + box[3], canvas[1] + canvas[3])
    return (x0, y0, x1 - x0, y1 - y0) if x1 - x0 >= 1e-6 and y1 - y0 >= 1e-6 else box


def _has_width(element) -> bool:
    return bool(element.get("data-width") or element.get("data-max-width"))


def _anchor(element) -> str:
    first = next((c for c in element if local_name(c) == "tspan"), None)
    return (element.get("text-anchor") or (first.get("text-anchor") if first is not None
                                            else None) or "start").strip()
