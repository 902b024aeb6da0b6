"""Text on a path (`<textPath>`): letters placed along a path by arc length, as browsers do.

Each run is shaped whole (so advances keep kerning and letter-spacing); each character is then
drawn alone, its middle on the point it reaches along the path and turned to the path's
direction there. A character whose middle falls off either end of the path is not drawn
(SVG 1.1, 10.13.3). Text on a circle is how badges, seals and stamps are set.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, replace

import cairocffi as cairo
from cairosvg.helpers import size, transform
from cairosvg.url import parse_url
from pangocffi import ffi as pango_ffi
from pangocffi import pango

from svgrender.draw.text_chunks import _baseline_shift, _first, _num
from svgrender.draw.text_paint import _draw_layout
from svgrender.draw.text_style import (SCALE, SPAN_TAGS, Style, _check_glyphs, _layout_for,
                                       _own_private_use, style_of)
from svgrender.draw.context import context_of

SHAPES = ("path", "rect", "circle", "ellipse", "line", "polyline", "polygon")


class PathWalk:
    """A flattened path measured by arc length: where a distance along it lands, and which way
    the path runs there. A move inside the path adds no length (the text jumps with it)."""

    def __init__(self, flat_path):
        self.starts: list[float] = []  # arc length at the start of each segment
        self.segments: list[tuple[float, float, float, float]] = []
        length = 0.0
        current = start = None
        for kind, points in flat_path:
            if kind == cairo.PATH_MOVE_TO:
                current = start = points
                continue
            end = start if kind == cairo.PATH_CLOSE_PATH else points
            if current is None or end is None:
                continue
            (x0, y0), (x1, y1) = current, end
            step = math.hypot(x1 - x0, y1 - y0)
            if step > 0:
                self.starts.append(length)
                self.segments.append((x0, y0, x1, y1))
                length += step
            current = end
        self.length = length

    def at(self, distance: float) -> tuple[float, float, float] | None:
        """(x, y, angle in radians) at `distance` along the path; None off its ends."""
        if not self.segments or not 0 <= distance <= self.length:
            return None
        index = max(0, bisect.bisect_right(self.starts, distance) - 1)
        x0, y0, x1, y1 = self.segments[index]
        step = math.hypot(x1 - x0, y1 - y0)
        t = (distance - self.starts[index]) / step
        return x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, math.atan2(y1 - y0, x1 - x0)


def path_walk(surface, path_node) -> PathWalk | None:
    """The referenced shape, with its own transform, measured in the text's user space."""
    from cairosvg.surface import TAGS

    if path_node.tag not in SHAPES:
        return None
    context = surface.context
    context.save()
    context.new_path()
    transform(surface, path_node.get("transform"))
    TAGS[path_node.tag](surface, path_node)
    context.restore()  # the path stays; copied in the text's user space
    flat = list(context.copy_path_flat())
    context.new_path()
    return PathWalk(flat)


def referenced_path(surface, text_path):
    fragment = parse_url(text_path.get_href() or "").fragment
    return surface.paths.get(fragment) if fragment else None


@dataclass
class Letter:
    char: str
    node: object  # whose style applies
    style: Style
    start: float  # advance from the start of the text, in user units
    width: float
    dy: float  # baseline shift across the path (the spans' dy, summed)


def _positions(layout, text: str) -> list[tuple[float, float]]:
    """(x, width) of every character of a laid-out run, in user units."""
    rect = pango_ffi.new("PangoRectangle *")
    out, index = [], 0
    for char in text:
        pango.pango_layout_index_to_pos(layout._pointer, index, rect)
        x, width = rect.x / SCALE, rect.width / SCALE
        out.append((min(x, x + width), abs(width)))
        index += len(char.encode())
    return out


def letters_of(surface, text_path) -> list[Letter]:
    """The characters of a textPath and its spans, each with its advance from the start."""
    letters: list[Letter] = []
    pen = 0.0

    def add(element, dy: float) -> None:
        nonlocal pen
        style = style_of(surface, element)
        text = _own_private_use(element.text, style)
        if not text:
            return
        # Spacing as browsers add it, after every character (Pango adds it only between the
        # characters of a run); each character is drawn at the start of its advance.
        spacing, style = style.letter_spacing, replace(style, letter_spacing=0.0)
        layout = _layout_for(surface.context, text, style, private_use_checked=True)
        _check_glyphs(surface.context, layout, text, style)
        for index, (char, (x, width)) in enumerate(zip(text, _positions(layout, text))):
            letters.append(Letter(char, element, style, pen + x + index * spacing,
                                  width + spacing, dy))
        _, logical = layout.get_extents()
        pen += logical.width / SCALE + len(text) * spacing

    def visit(element, dy: float) -> None:
        nonlocal pen
        if element.text:
            add(element, dy)
        for child in element.children:
            if child.tag in SPAN_TAGS:
                pen += _num(surface, _first(child.get("dx")), "x") or 0.0
                visit(child, dy + (_num(surface, _first(child.get("dy")), "y") or 0.0))

    visit(text_path, _num(surface, _first(text_path.get("dy")), "y") or 0.0)
    return letters


def start_offset(surface, text_path, length: float) -> float:
    value = str(text_path.get("startOffset") or "0").strip()
    if value.endswith("%"):
        try:
            return float(value[:-1]) / 100 * length
        except ValueError:
            return 0.0
    return _num(surface, value, "x") or 0.0


def draw_on_path(surface, text, text_path) -> None:
    """One `<textPath>` of `text`: every character drawn on its point of the referenced path."""
    target = referenced_path(surface, text_path)
    walk = path_walk(surface, target) if target is not None else None
    if walk is None or walk.length <= 0:
        return
    letters = letters_of(surface, text_path)
    if not letters:
        return
    total = max(letter.start + letter.width for letter in letters)
    anchor = (text_path.get("text-anchor") or "start").strip()
    offset = start_offset(surface, text_path, walk.length) - {
        "middle": total / 2, "end": total}.get(anchor, 0.0)
    context = surface.context
    off_path = 0
    laid: dict[tuple, object] = {}  # one layout per character and run style (a seal repeats)
    for letter in letters:
        if letter.char.isspace() or letter.width <= 0:
            continue
        point = walk.at(offset + letter.start + letter.width / 2)
        if point is None:
            off_path += 1
            continue
        x, y, angle = point
        key = (letter.char, id(letter.style))
        layout = laid.get(key)
        if layout is None:
            layout = laid[key] = _layout_for(context, letter.char, letter.style,
                                             private_use_checked=True)
        context.save()
        context.translate(x, y)
        context.rotate(angle)
        top = letter.dy - _baseline_shift(letter.node, layout)
        _draw_layout(surface, letter.node, layout, -letter.width / 2, top)
        context.restore()
    if text.get("data-text") is not None:  # text the request changed: its fit report
        name = text.get("data-layer") or text.get("id") or "text"
        size = letters[0].style.size if letters else 0.0
        context_of(surface).report_fit(name, {"lines": 1, "fontSize": round(size, 2),
                                              "scale": 1.0, "cut": bool(off_path)})
    if off_path and text.get("data-text") is not None:
        name = text.get("data-layer") or text.get("id") or "text"
        context_of(surface).warn(f"layer {name!r}: {off_path} characters run past the end of the "
                                 "text's path and were not drawn (give it less text or a smaller "
                                 "font size)")
