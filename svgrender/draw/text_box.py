"""Box text: a changed text or an Inkscape flowRoot laid out in its box (wrap, align, line
height, max lines with an ellipsis, shrink-to-fit, flow regions) and drawn (split from
text.py)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pangocffi
from cairosvg.colors import color as cairosvg_color
from cairosvg.helpers import size
from pangocffi import ffi as pango_ffi
from pangocffi import pango

from svgrender.draw.fonts import generation
from svgrender.draw.context import context_of
from svgrender.draw.text_paint import _draw_layout
from svgrender.draw.text_style import (SCALE, Style, _check_glyphs, _layout_for, _own_private_use,
                                       line_iterator, style_of)

# --- box layout ----------------------------------------------------------------------------

ALIGN = {"left": pangocffi.Alignment.LEFT, "center": pangocffi.Alignment.CENTER,
         "right": pangocffi.Alignment.RIGHT, "justify": pangocffi.Alignment.LEFT}
WRAP = {"word": pangocffi.WrapMode.WORD_CHAR, "char": pangocffi.WrapMode.CHAR}


def box_of(surface, node) -> tuple[float, float, float, float] | None:
    numbers = [float(v) for v in str(node.get("data-box", "")).replace(",", " ").split()
               if _is_number(v)]
    return tuple(numbers) if len(numbers) == 4 and numbers[2] > 0 and numbers[3] > 0 else None


def _is_number(value: str) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False


def layout_in_box(context, text: str, style: Style, box, node, font_size: float):
    """A Pango layout of `text` fitted to box width/height at font_size; (layout, overflowed)."""
    _, _, width, height = box
    layout = _layout_for(context, text, style, font_size)
    wrap = node.get("data-wrap", "word")
    if wrap != "none":
        layout.width = pangocffi.units_from_double(width)
        layout.wrap = WRAP.get(wrap, pangocffi.WrapMode.WORD_CHAR)
    align = node.get("data-text-align") or {"middle": "center", "end": "right"}.get(
        node.get("text-anchor", "start"), "left")
    layout.alignment = ALIGN.get(align, pangocffi.Alignment.LEFT)
    if align == "justify":
        pango.pango_layout_set_justify(layout._pointer, True)
    line_height = node.get("data-line-height")
    if line_height:
        pango.pango_layout_set_line_spacing(layout._pointer, float(line_height))
    _, logical = layout.get_extents()
    lines = layout.get_line_count()
    max_lines = int(node.get("data-max-lines", "0") or 0)
    too_tall = logical.height / SCALE > height + 0.01
    too_wide = wrap == "none" and logical.width / SCALE > width + 0.01
    overflow = too_tall or too_wide or (max_lines and lines > max_lines)
    return layout, overflow


def _lines_height(layout, count: int) -> float:
    """Height (user units) from the layout's top to the bottom of its `count`-th line."""
    iterator = line_iterator(layout)
    bottom = 0.0
    for _ in range(count):
        _, logical = _line_extents(iterator)
        bottom = (logical.y + logical.height) / SCALE
        if not iterator.next_line():
            break
    return bottom


def _line_extents(iterator):
    ink = pango_ffi.new("PangoRectangle *")
    logical = pango_ffi.new("PangoRectangle *")
    pango.pango_layout_iter_get_line_extents(iterator._pointer, ink, logical)
    return ink, logical


def _clamp_lines(layout, box, node) -> None:
    """Keep the lines that fit the box (and maxLines); Pango ellipsizes the last one kept."""
    _, _, width, height = box
    limit = height
    max_lines = int(node.get("data-max-lines", "0") or 0)
    if max_lines and layout.get_line_count() > max_lines:
        limit = min(limit, _lines_height(layout, max_lines) + 0.01)
    if node.get("data-wrap") == "none":
        layout.width = pangocffi.units_from_double(width)
    layout.ellipsize = pangocffi.EllipsizeMode.END
    # A positive height limits the whole layout (all paragraphs), unlike a line count.
    layout.height = max(1, pangocffi.units_from_double(limit))


def fit_layout(context, text: str, style: Style, box, node):
    """The final layout of `text` in `box` and the font size chosen (autoFit shrinks it to the
    largest size that fits, never below data-min-font-size nor above the template's size)."""
    font_size = style.size
    layout, overflow = layout_in_box(context, text, style, box, node, font_size)
    if overflow and node.get("data-auto-fit") == "true":
        low = max(1.0, float(node.get("data-min-font-size") or font_size * 0.5))
        if layout_in_box(context, text, style, box, node, low)[1]:
            font_size = low
        else:  # largest size that fits, to 0.25 px, in at most 10 layouts
            high = font_size
            for _ in range(10):
                if high - low <= 0.25:
                    break
                mid = (low + high) / 2
                if layout_in_box(context, text, style, box, node, mid)[1]:
                    high = mid
                else:
                    low = mid
            font_size = low
        layout, overflow = layout_in_box(context, text, style, box, node, font_size)
    if overflow:
        _clamp_lines(layout, box, node)
    if overflow and node.get("data-text") is not None:  # text the request changed
        name = node.get("id") or node.get("data-name") or "text"
        fitted = " at its smallest font size" if node.get("data-auto-fit") == "true" else ""
        style.notices.warn(f"layer {name!r}: the text does not fit its box{fitted} and was cut "
                           "with an ellipsis (give it a larger box, autoFit, or less text)")
    return layout, font_size


def flow_layout(surface, node, box):
    """Untouched Inkscape flowed text: each paragraph and span in its own style (size, weight,
    family, colour), wrapped in the flow region; None when there is nothing to lay out."""
    runs: list[tuple[str, object, Style]] = []  # text, node, its style
    paragraphs = [c for c in node.children if c.tag in ("flowPara", "flowDiv")]
    if not paragraphs:
        return None
    spans: list[tuple[object, int, int]] = []  # paragraph, byte start, byte end
    widened: list[tuple[int, float]] = []  # byte index of a space, its extra width
    styled: list[tuple[int, int, dict]] = []  # byte start, end, the run's CSS (SVG output)
    offset = 0
    para_styles = [style_of(surface, para) for para in paragraphs]
    for index, para in enumerate(paragraphs):
        if index:
            runs.append(("\n", para, para_styles[index]))
            offset += 1
        start = offset
        for run_text, run_node in _flow_runs(para):  # each run's icons from its own font
            style = style_of(surface, run_node)
            run_text = _own_private_use(run_text, style)
            run_text, gaps = _hanging_spaces(run_text, style)
            for index, extra in gaps:
                widened.append((offset + index, extra))
            runs.append((run_text, run_node, style))
            styled.append((offset, offset + len(run_text.encode()), _css_of(run_node, style)))
            offset += len(run_text.encode())
        spans.append((para, start, offset))
    text = "".join(t for t, _, _ in runs)
    if not text.strip():
        return None
    first = paragraphs[0]
    base = runs[0][2] if runs else para_styles[0]
    layout = _layout_for(None, text, base, private_use_checked=True)
    attrs = pangocffi.AttrList()
    # CSS line heights are a multiple of the font size (Pango's factors multiply the font's
    # own line height, ~1.2-1.4 em: lines came out a third too far apart): each paragraph's
    # baseline distance as an absolute height, from its own line-height and font size.
    inherited = first.get("line-height") or node.get("line-height")
    heights = []
    for (para, start, end), para_style in zip(spans, para_styles):
        font_size = para_style.size
        height = _line_height(surface, para.get("line-height"), font_size) or _line_height(
            surface, inherited, font_size) or INKSCAPE_NORMAL_LINE_HEIGHT * font_size
        heights.append(height)
        attr = pango.pango_attr_line_height_new_absolute(pangocffi.units_from_double(height))
        attr.start_index, attr.end_index = start, end + 1  # with its line break
        pango.pango_attr_list_insert(attrs._pointer, attr)
    offset = 0
    # The colour most of the text has is the source the layout is filled with; only runs in
    # another colour carry it as an attribute (filled outlines cannot show those).
    paint_node = _dominant_fill(node, runs)
    base_fill = _fill_of(paint_node)
    coloured: list[tuple[int, int, tuple]] = []  # byte start, end, (r, g, b, a)
    for run_text, run_node, style in runs:
        end = offset + len(run_text.encode())
        attrs.insert(pangocffi.Attribute.from_font_desc(style.description(), offset, end))
        fill = _fill_of(run_node)
        if fill[0] not in (None, "none") and fill != base_fill and not str(
                fill[0]).startswith("url(") and run_text.strip():
            r, g, b, a = cairosvg_color(fill[0], float(fill[1]))
            coloured.append((offset, end, (r, g, b, a)))
            attrs.insert(pangocffi.Attribute.from_foreground_color(
                round(r * 65535), round(g * 65535), round(b * 65535), offset, end))
            attrs.insert(pangocffi.Attribute.from_foreground_alpha(
                max(1, round(a * 65535)), offset, end))
        offset = end
    for index, extra in widened:
        attrs.insert(pangocffi.Attribute.from_letter_spacing(
            pangocffi.units_from_double(extra), index, index + 1))
    layout.attributes = attrs
    layout.width = pangocffi.units_from_double(box[2])
    layout.wrap = pangocffi.WrapMode.WORD  # Inkscape never breaks inside a word
    align = str(first.get("text-align") or first.get("text-anchor") or "start")
    layout.alignment = ALIGN.get({"start": "left", "middle": "center", "end": "right"}.get(
        align, align), pangocffi.Alignment.LEFT)
    # Inkscape sets the first baseline at 0.76 em plus half the leading (measured on its
    # exports, the same for every font tried); Pango at the font's own ascent: up to 2 px
    # lower on a flyer's body text.
    size = base.size
    shift = INKSCAPE_ASCENT * size + (heights[0] - size) / 2 - layout.get_baseline() / SCALE
    cut = _keep_fitting_lines(layout, box, shift, size)
    cuts = {index + 1 for index, _ in widened}  # a widened space: browsers would not widen it
    return BoxLayout(layout, paint_node, coloured, shift, Flowed(styled, cuts), cut)


@dataclass
class Flowed:
    """What the SVG output needs to write untouched flowed text as positioned spans."""
    styled: list  # (byte start, end, CSS properties) of each run
    cuts: set  # byte indices a piece must start at


@dataclass
class BoxLayout:
    layout: pangocffi.Layout
    paint_node: object  # whose fill and stroke the text is drawn with
    coloured: list  # byte ranges in other colours (_fill_runs)
    shift: float = 0.0  # the first baseline moved to where Inkscape puts it
    flowed: Flowed | None = None
    cut: bool = False  # lines of the flow did not fit its region and were left out


def _css_of(node, style: Style) -> dict:
    fill, opacity = _fill_of(node)
    families = ", ".join(f"'{name.strip()}'" for name in style.family.split(",") if name.strip())
    return {"font-family": families, "font-size": f"{style.size:.4g}px",
            "font-weight": str(style.weight), "font-style": "italic" if style.italic else "normal",
            "fill": str(fill), "fill-opacity": str(opacity)}


def _fill_of(node) -> tuple:
    return node.get("fill", "black"), node.get("fill-opacity", 1)


def _dominant_fill(node, runs):
    """The run node whose fill covers the most characters (the flowRoot's when none)."""
    counts: dict[tuple, int] = {}
    first: dict[tuple, object] = {}
    for run_text, run_node, _ in runs:
        fill = _fill_of(run_node)
        if str(fill[0]).startswith("url("):
            continue
        counts[fill] = counts.get(fill, 0) + len(run_text.strip())
        first.setdefault(fill, run_node)
    if not counts:
        return node
    return first[max(counts, key=counts.get)]


INKSCAPE_NORMAL_LINE_HEIGHT = 1.25  # Inkscape's 'normal' for flowed text
INKSCAPE_ASCENT = 0.76


def _keep_fitting_lines(layout, box, shift: float, size: float) -> bool:
    """Inkscape's flow, as the designer saw it: lines are placed while they fit the region; a
    line reaching below it, or a word wider than it, ends the flow (nothing after is drawn).
    (Drawing the rest cut at the frame, or a word broken into letters, showed text the
    designer never saw.)"""
    _, _, width, height = box
    iterator = line_iterator(layout)
    while True:
        start = iterator.get_index()
        ink, _ = _line_extents(iterator)
        # The line fits while its em box (0.76 em above the baseline, 0.24 below) does.
        bottom = iterator.get_baseline() / SCALE + shift + (1 - INKSCAPE_ASCENT) * size
        wide = ink.width > 0 and (ink.x / SCALE < -1 or (ink.x + ink.width) / SCALE > width + 1)
        if bottom > height + 0.5 or wide:
            layout.text = layout.text.encode()[:start].decode("utf-8", "ignore")
            return True
        if not iterator.next_line():
            return False


SPACE_RUN = re.compile(" {2,}")


def _hanging_spaces(text: str, style: Style) -> tuple[str, list[tuple[int, float]]]:
    """Runs of preserved spaces as one space widened by letter-spacing: as wide mid-line, and
    hanging past the end of a line that breaks there, as Inkscape wraps them (designers type
    spaces to push words onto the next line). Pango counts a run of spaces into the line and
    moved the word before it down instead. Returns the text and (byte index, extra width)."""
    if "  " not in text:
        return text, []
    width = _space_width(style.family, style.size, style.weight, style.italic, generation())
    parts, gaps, position, length = [], [], 0, 0
    for match in SPACE_RUN.finditer(text):
        part = text[position:match.start() + 1]
        parts.append(part)
        length += len(part.encode())
        gaps.append((length - 1, (match.end() - match.start() - 1) * width))
        position = match.end()
    parts.append(text[position:])
    return "".join(parts), gaps


@functools.lru_cache(maxsize=256)
def _space_width(family: str, size: float, weight: int, italic: bool, fonts: int) -> float:
    layout = _layout_for(None, " ", Style(family, size, weight, italic, 0.0),
                         private_use_checked=True)
    _, logical = layout.get_extents()
    return logical.width / SCALE


def _line_height(surface, value, font_size: float) -> float | None:
    """A CSS line-height ("125%", "1.25", "16px", "1.2em") as a baseline distance."""
    value = str(value or "").strip()
    try:
        if value.endswith("%"):
            height = float(value[:-1]) / 100 * font_size
        elif value.endswith("em") and not value.endswith("rem"):
            height = float(value[:-2]) * font_size
        elif _is_number(value):
            height = float(value) * font_size
        else:
            height = size(surface, value) if value and value != "normal" else 0.0
    except (ValueError, TypeError):
        return None
    return height if height > 0 else None


def _flow_runs(element):
    if getattr(element, "text", None):
        yield element.text, element
    for child in getattr(element, "children", ()):
        yield from _flow_runs(child)


def _flowed_or_fitted(surface, node, box, text: str, style: Style) -> BoxLayout:
    """Flowed text keeps each paragraph's and span's own style (a changed paragraph takes its
    predecessor's, apply.py); it is fitted in one style (autoFit, a cut with '…') only when a
    changed text overflows the flow region. Changed text reports how it fitted."""
    changed = node.get("data-text") is not None
    entry = flow_layout(surface, node, box) if node.tag == "flowRoot" else None
    if entry is not None and entry.cut and changed and (
            node.get("data-auto-fit") == "true" or node.get("data-own-text") is None):
        entry = None
    if entry is not None:
        if changed:
            context_of(surface).report_fit(node.get("data-layer") or node.get("id") or "text", {
                "lines": entry.layout.get_line_count(), "fontSize": round(style.size, 2),
                "scale": 1.0, "cut": entry.cut})
        return entry
    layout, font_size = fit_layout(surface.context, text, style, box, node)
    if changed:
        context_of(surface).report_fit(node.get("data-layer") or node.get("id") or "text", {
            "lines": layout.get_line_count(), "fontSize": round(font_size, 2),
            "scale": round(font_size / style.size, 3),
            "cut": bool(pango.pango_layout_is_ellipsized(layout._pointer))})
    return BoxLayout(layout, node, [])


def draw_box(surface, node, box, text: str) -> None:
    context = surface.context
    style = style_of(surface, node)
    # Box layouts of the render, by node: laid out (auto-fit search included) once in template
    # units and drawn at all three sizes (the image and both thumbnails).
    layouts = context_of(surface).layouts
    key = (id(node), text, tuple(box))
    entry = layouts.get(key) if layouts is not None else None
    if entry is None:
        entry = _flowed_or_fitted(surface, node, box, text, style)
        _check_glyphs(context, entry.layout, text, style)
        if layouts is not None:
            layouts[key] = entry
    layout = entry.layout
    x, y, width, height = box
    _, logical = layout.get_extents()
    used = logical.height / SCALE
    valign = node.get("data-vertical-align", "top")
    top = y + entry.shift + {"middle": (height - used) / 2,
                             "bottom": height - used}.get(valign, 0.0)
    context.save()
    context.rectangle(x, y, width, height)  # nothing outside the box, whatever the font does
    context.clip()
    left = x - logical.x / SCALE if node.get("data-wrap") == "none" else x
    _draw_layout(surface, entry.paint_node, layout, left, top, coloured=entry.coloured)
    context.restore()
    # Lines as laid out for the raster sizes, by layer id: the SVG output writes these positions.
    placed = context_of(surface).text_lines
    if placed is not None and node.get("id") and node.get("data-text") is not None:
        placed[node.get("id")] = (layout.font_description.size / SCALE,
                                  list(_placed_lines(context, layout, style, left, top, width)))
    if placed is not None and entry.flowed and node.get(FLOW_MARK) is not None:
        placed[(FLOW_MARK, node.get(FLOW_MARK))] = list(
            _flowed_pieces(layout, entry.flowed, left, top))


FLOW_MARK = "data-svgrender-flow"  # numbers every flowRoot of a drawing (surfaces.py)


def _flowed_pieces(layout, flowed: Flowed, left: float, top: float):
    """(x, baseline y, text, CSS) of each run of each drawn line of untouched flowed text."""
    raw = layout.text.encode()
    rect = pango_ffi.new("PangoRectangle *")
    iterator = line_iterator(layout)
    while True:
        start = iterator.get_index()
        baseline = top + iterator.get_baseline() / SCALE
        last = not iterator.next_line()
        end = len(raw) if last else iterator.get_index()
        cuts = {start, end} | {s for s, _, _ in flowed.styled if start < s < end} | {
            c for c in flowed.cuts if start < c < end}
        ordered = sorted(cuts)
        for a, b in zip(ordered, ordered[1:]):
            text = raw[a:b].decode("utf-8", "ignore").rstrip("\n")
            if not text.strip():
                continue
            pango.pango_layout_index_to_pos(layout._pointer, a, rect)
            css = next((c for s, e, c in flowed.styled if s <= a < e), {})
            yield left + rect.x / SCALE, baseline, text, css
        if last:
            return


def _placed_lines(context, layout, style: Style, left: float, top: float, width: float):
    """(x, baseline y, text) of every visible line, the ellipsized one included."""
    raw = layout.text.encode()
    ellipsized = bool(pango.pango_layout_is_ellipsized(layout._pointer))
    iterator = line_iterator(layout)
    while True:
        start = iterator.get_index()
        _, logical = _line_extents(iterator)
        baseline = top + iterator.get_baseline() / SCALE
        last = not iterator.next_line()
        end = len(raw) if last else iterator.get_index()
        chunk = raw[start:end].decode("utf-8", "ignore").rstrip("\n")
        if last and ellipsized:
            chunk = _ellipsized(context, chunk, style, layout.font_description.size / SCALE,
                                width)
        yield left + logical.x / SCALE, baseline, chunk
        if last:
            return


def _ellipsized(context, text: str, style: Style, font_size: float, width: float) -> str:
    """The longest start of `text` that fits `width` with "…" after it (as Pango's END)."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        probe = _layout_for(context, text[:mid].rstrip() + "…", style, font_size)
        if probe.get_extents()[1].width / SCALE <= width + 0.01:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"


def text_content(node) -> str:
    """The layer's text with line breaks: data-text (set by apply.py) or its lines."""
    if node.get("data-text") is not None:
        return node.get("data-text")
    lines = []
    for child in node.children:
        if child.tag in ("flowPara", "tspan"):
            lines.append("".join(_all_text(child)))
    return "\n".join(lines) if lines else "".join(_all_text(node))


def _all_text(node):
    """Text of a CairoSVG node and its spans (CairoSVG turned tails into anonymous spans)."""
    if getattr(node, "text", None):
        yield node.text
    for child in getattr(node, "children", ()):
        yield from _all_text(child)
