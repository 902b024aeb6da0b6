"""Text layers drawn with Pango (shaping, fallback fonts, colour emoji, RTL, wrapping).

Two ways to place text, both in the element's user space so PDF keeps real text:
- *faithful*: the template's own lines (`x`/`y`/`dx`/`dy` chunks, text-anchor,
  dominant-baseline), each chunk one Pango run sequence, as a browser places them;
- *box*: when a request changed the layer (apply.py marks it `data-layout="box"`) or the text
  is an Inkscape flowRoot, the whole text is laid out in the layer's box: wrapping, alignment,
  line height, max lines with an ellipsis, shrink-to-fit. Nothing is drawn outside the box.

Layout uses unhinted metrics, so 1x, thumbnail and 2x thumbnail wrap identically.
"""

from __future__ import annotations

import functools
import re
import threading
from contextvars import ContextVar
from dataclasses import dataclass

import cairocffi as cairo
import pangocairocffi
import pangocffi
from cairosvg.colors import color as cairosvg_color
from cairosvg.helpers import paint, size
from pangocffi import ffi as pango_ffi
from pangocffi import gobject, pango

from svgrender.draw.fonts import (face_named, fresh_font_map, generation, installed_families,
                                  warn_missing_family, with_kind_fallback)
from svgrender.draw.text_masks import fill_outlines
from svgrender.notices import report_fit, warn
from svgrender.svg.prepare import strokes_first

SCALE = pangocffi.units_from_double(1)  # PANGO_SCALE
SPAN_TAGS = {"tspan", "flowPara", "flowSpan", "textPath", "a"}
WEIGHTS = {"normal": 400, "bold": 700, "bolder": 700, "lighter": 300}


def _font_options():
    options = cairo.FontOptions()
    options.set_hint_metrics(cairo.HINT_METRICS_OFF)  # same layout at every scale
    options.set_hint_style(cairo.HINT_STYLE_SLIGHT)  # vertical snapping only, as Chromium
    options.set_antialias(cairo.ANTIALIAS_GRAY)
    return options


_OPTIONS = _font_options()


_reference = threading.local()


def _reference_context() -> cairo.Context:
    """An identity-matrix context every layout is made on, whatever it is drawn on: so text is
    laid out in template units, the same lines at 1x, in the thumbnail and at 2x."""
    context = getattr(_reference, "context", None)
    if context is None:
        context = _reference.context = cairo.Context(cairo.ImageSurface(cairo.FORMAT_A8, 1, 1))
    return context


def new_layout(context: cairo.Context | None = None) -> pangocffi.Layout:
    """A layout in template units (`context` is where it will be drawn; it does not matter)."""
    fresh_font_map()
    pango_context = pangocairocffi.create_context(_reference_context())
    # pangocffi's Context frees nothing (no _GC_METHOD): without this every layout leaked its
    # PangoContext, ~0.5 KB, and a worker's RSS grew by ~27 MB per 1,000 renders. The layout
    # holds its own reference.
    pango_context._pointer = pango_ffi.gc(pango_context._pointer, gobject.g_object_unref)
    pointer = pango_ffi.cast("void *", cairo.ffi.cast("uintptr_t", _OPTIONS._pointer))
    pangocairocffi.set_font_options(pango_context, pointer)
    # Unrounded glyph positions: Pango would round them to whole template units, which in a
    # mm-unit document moves letters by a visible fraction of a glyph ("D ecember").
    pango.pango_context_set_round_glyph_positions(pango_context._pointer, False)
    layout = pangocffi.Layout(pango_context)
    pango.pango_layout_set_auto_dir(layout._pointer, True)
    return layout


@dataclass
class Style:
    family: str
    size: float
    weight: int
    italic: bool
    letter_spacing: float

    def description(self, size: float | None = None) -> pangocffi.FontDescription:
        desc = pangocffi.FontDescription()
        desc.family = self.family
        desc.set_absolute_size(pangocffi.units_from_double(size or self.size))
        desc.weight = self.weight
        desc.style = pangocffi.Style.ITALIC if self.italic else pangocffi.Style.NORMAL
        return desc


def _families(value: str) -> str:
    names = [n.strip().strip("'\"") for n in (value or "sans-serif").split(",") if n.strip()]
    return ",".join(names) or "sans-serif"


def style_of(surface, node) -> Style:
    weight = str(node.get("font-weight", "normal")).strip()
    weight_value = WEIGHTS.get(weight) or (int(weight) if weight.isdigit() else 400)
    italic = node.get("font-style") in ("italic", "oblique")
    families = _families(node.get("font-family", "sans-serif"))
    first, _, rest = families.partition(",")
    installed = installed_families()
    face = None if any(name.strip().lower() in installed for name in rest.split(",")) \
        else face_named(first)
    if face:  # "MiriamLibre-Bold" (as Illustrator writes fonts): the face of that name. A
        # family installed further down the list wins, as in browsers and Inkscape.
        families = ",".join([face.family] + ([rest] if rest else []))
        weight_value, italic = face.weight, face.italic
    families = with_kind_fallback(families)  # 'Oswald' missing: Roboto Condensed next
    spacing = node.get("letter-spacing", "normal")
    return Style(families,
                 max(size(surface, node.get("font-size", "16px")), 0.01) if node.get(
                     "font-size") else surface.font_size,
                 max(1, min(1000, weight_value)), italic,
                 0.0 if spacing in (None, "normal") else size(surface, spacing))


@dataclass
class Run:
    text: str
    node: object  # the cairosvg node whose style applies


@dataclass
class Chunk:
    x: float | None
    y: float | None
    dx: float
    dy: float
    anchor: str
    runs: list[Run]


def _first(value) -> str | None:
    if value in (None, ""):
        return None
    return str(value).replace(",", " ").split()[0]


def chunks_of(surface, node) -> list[Chunk]:
    """Split a <text> into chunks: a new one wherever a span sets x or y (or dx/dy).

    CairoSVG already applied xml:space and turned tails into anonymous tspans.
    """
    def position(element, anchor) -> Chunk:
        return Chunk(_num(surface, _first(element.get("x")), "x"),
                     _num(surface, _first(element.get("y")), "y"),
                     _num(surface, _first(element.get("dx")), "x") or 0.0,
                     _num(surface, _first(element.get("dy")), "y") or 0.0, anchor, [])

    chunks = [position(node, node.get("text-anchor", "start"))]

    def visit(element, anchor):
        if element.text:
            _add_text(surface, chunks, element, anchor)
        for child in element.children:
            if child.tag not in SPAN_TAGS or child.tag == "textPath":  # (drawn on its path)
                continue
            child_anchor = child.get("text-anchor", anchor)
            chunk = position(child, child_anchor)
            if (chunk.x is not None or chunk.y is not None or chunk.dx or chunk.dy
                    or child.tag == "flowPara"):
                chunks.append(chunk)
            visit(child, child_anchor)

    visit(node, node.get("text-anchor", "start"))
    return [c for c in chunks if any(r.text for r in c.runs)]


POSITION_LISTS = (("x", "x"), ("y", "y"), ("dx", "x"), ("dy", "y"))


def _add_text(surface, chunks: list[Chunk], element, anchor: str) -> None:
    """An element's own text, character by character where its x/y/dx/dy are lists (Inkscape
    and PDF imports place every glyph, e.g. justified lines): each listed position starts a
    new chunk at that character, as in a browser; characters past the lists run on."""
    text = element.text
    lists = {name: str(element.get(name)).replace(",", " ").split()
             for name, _ in POSITION_LISTS if element.get(name)}
    if max((len(values) for values in lists.values()), default=0) <= 1:
        chunks[-1].runs.append(Run(text, element))
        return
    characters = list(text)
    chunks[-1].runs.append(Run(characters[0], element))  # its position made this chunk
    for index, character in enumerate(characters[1:], start=1):
        values = {name: _num(surface, lists[name][index], axis)
                  for name, axis in POSITION_LISTS if name in lists and index < len(lists[name])}
        if values:
            chunks.append(Chunk(values.get("x"), values.get("y"), values.get("dx") or 0.0,
                                values.get("dy") or 0.0, anchor, []))
        runs = chunks[-1].runs
        if runs and runs[-1].node is element:  # run on: one layout for the unplaced rest
            runs[-1] = Run(runs[-1].text + character, element)
        else:
            runs.append(Run(character, element))


def _num(surface, value, axis):
    if value is None:
        return None
    try:
        return size(surface, value, axis)
    except (ValueError, TypeError):
        return None


def _is_private_use(char: str) -> bool:
    code = ord(char)
    return 0xE000 <= code <= 0xF8FF or code >= 0xF0000


@functools.lru_cache(maxsize=1024)
def _named_font_has(family: str, weight: int, italic: bool, char: str, fonts: int) -> bool:
    """Whether the first family named has a glyph for `char`, without fallback fonts."""
    first = family.split(",", 1)[0].strip().lower()
    if first not in installed_families():
        return False
    probe = new_layout()
    probe.font_description = Style(family, 16.0, weight, italic, 0.0).description()
    probe.text = char
    attrs = pangocffi.AttrList()
    attrs.insert(pangocffi.Attribute.from_fallback(False, 0, len(char.encode())))
    probe.attributes = attrs
    return pango.pango_layout_get_unknown_glyphs_count(probe._pointer) == 0


def _own_private_use(text: str, style: Style) -> str:
    """Private-use characters (icon fonts: FontAwesome's U+F000…) only from the font named:
    from any other font that happens to claim the code point they are a random glyph."""
    if not any(_is_private_use(char) for char in text):
        return text
    lacking = {char for char in text if _is_private_use(char) and not _named_font_has(
        style.family, style.weight, style.italic, char, generation())}
    if not lacking:
        return text
    codes = ", ".join(f"U+{ord(char):04X}" for char in sorted(lacking)[:20])
    warn(f"private-use characters {codes} are not in font {style.family.split(',')[0]!r}: "
         "not drawn (icon fonts draw their own code points only)")
    return "".join(char for char in text if char not in lacking)


def _layout_for(context, run_text: str, style: Style, size_override: float | None = None,
                private_use_checked: bool = False):
    if not private_use_checked:
        run_text = _own_private_use(run_text, style)
    layout = new_layout(context)
    layout.font_description = style.description(size_override)
    layout.text = run_text
    if style.letter_spacing:
        attrs = pangocffi.AttrList()
        attrs.insert(pangocffi.Attribute.from_letter_spacing(
            pangocffi.units_from_double(style.letter_spacing), 0, len(run_text.encode())))
        layout.attributes = attrs
    return layout


def _check_family(style: Style) -> None:
    """A family the machine lacks is drawn with a substitute or the closest face of its kind:
    say which and why, once per render (fonts.py)."""
    warn_missing_family(style.family)


def _check_glyphs(context, layout, text: str, style: Style) -> None:
    _check_family(style)
    if pango.pango_layout_get_unknown_glyphs_count(layout._pointer) <= 0:
        return
    missing = []
    for char in dict.fromkeys(text):
        if len(missing) >= 20:
            break
        probe = _layout_for(context, char, style)
        if pango.pango_layout_get_unknown_glyphs_count(probe._pointer) > 0:
            missing.append(f"U+{ord(char):04X}")
    if missing:
        warn(f"no installed font has glyphs for {', '.join(missing)} (family {style.family!r})")


def _set_paint(surface, node, kind: str) -> bool:
    """Set the fill or stroke source of `node`; False when it paints nothing."""
    from cairosvg.defs import gradient_or_pattern

    value = node.get(kind, "black" if kind == "fill" else None)
    if value in (None, "none"):
        return False
    opacity = float(node.get(f"{kind}-opacity", 1))
    source, color = paint(value)
    if not gradient_or_pattern(surface, node, source, opacity):
        surface.context.set_source_rgba(*surface.map_color(color, opacity))
    return True


def _draw_layout(surface, node, layout, x: float, y: float, device_hinted: bool = False,
                 content: tuple | None = None, coloured: list | None = None) -> None:
    """`content` (text and style) lets small outlined text reuse its coverage (text_masks).
    `coloured`: the byte ranges in another colour than `node`'s fill, and their colours."""
    context = surface.context
    if not surface.stroke_and_fill:  # inside a <clipPath>: the glyph outlines are the clip
        context.move_to(x, y)
        pangocairocffi.layout_path(context, layout)
        return
    context.save()
    context.move_to(x, y)
    stroked = node.get("stroke") not in (None, "none")
    under = stroked and strokes_first(node.get("paint-order"))
    if under:
        _stroke_layout(surface, node, layout, x, y)
    context.move_to(x, y)
    if _set_paint(surface, node, "fill"):
        if device_hinted:
            _for_device(context, layout)
        if _device_size(context, layout) <= OUTLINE_TEXT_PX \
                and isinstance(context.get_target(), cairo.ImageSurface):  # PDF keeps real text
            # Outlines, not cairo's glyph cache: cairo 1.16 puts cached glyphs on whole pixels,
            # so small letters drift by up to half a pixel each (browsers place them at
            # fractions). Large letters keep the faster cache: half a pixel is little to them.
            if coloured:
                _fill_runs(context, layout, coloured)
            elif content is not None:
                fill_outlines(context, layout, content)
            else:
                pangocairocffi.layout_path(context, layout)
                context.fill()
        else:
            pangocairocffi.show_layout(context, layout)
    if stroked and not under:
        _stroke_layout(surface, node, layout, x, y)
    context.restore()


def _fill_runs(context: cairo.Context, layout, coloured: list) -> None:
    """Outlines of text whose runs differ in colour (outlines carry none), run by run: the
    run's line filled within the run's advance, in its colour or the current source."""
    x, y = context.get_current_point()
    iterator = line_iterator(layout)
    pointer = iterator._pointer
    ink, run, line = (pango_ffi.new("PangoRectangle *") for _ in range(3))
    while True:
        if pango.pango_layout_iter_get_run_readonly(pointer) != pango_ffi.NULL:
            index = pango.pango_layout_iter_get_index(pointer)
            pango.pango_layout_iter_get_run_extents(pointer, ink, run)
            pango.pango_layout_iter_get_line_extents(pointer, ink, line)
            height = line.height / SCALE
            context.save()
            context.rectangle(x + run.x / SCALE, y + line.y / SCALE - height, run.width / SCALE,
                              3 * height)  # only this line is filled: room for its glyphs
            context.clip()
            colour = next((c for start, end, c in coloured if start <= index < end), None)
            if colour:
                context.set_source_rgba(*colour)
            context.move_to(x + line.x / SCALE,
                            y + pango.pango_layout_iter_get_baseline(pointer) / SCALE)
            pangocairocffi.pangocairo.pango_cairo_layout_line_path(
                context._pointer, pango.pango_layout_iter_get_line_readonly(pointer))
            context.fill()
            context.restore()
        if not pango.pango_layout_iter_next_run(pointer):
            break


def _stroke_layout(surface, node, layout, x: float, y: float) -> None:
    context = surface.context
    context.move_to(x, y)
    pangocairocffi.layout_path(context, layout)
    context.set_line_width(size(surface, node.get("stroke-width", "1")))
    if _set_paint(surface, node, "stroke"):
        context.stroke()
    context.new_path()


OUTLINE_TEXT_PX = 40.0


def _device_size(context: cairo.Context, layout: pangocffi.Layout) -> float:
    """The font size in device pixels (vertical scale of the drawing matrix)."""
    _, _, _, yy, _, _ = context.get_matrix()
    size = layout.font_description.size / SCALE if layout.font_description else 16.0
    return abs(yy) * size


def _for_device(context: cairo.Context, layout: pangocffi.Layout) -> None:
    """Glyphs hinted for the device pixels they land on (a 4.2-unit mm font drawn 16 px tall is
    hinted as 16 px, as browsers do), not for the template units they were laid out in. Only
    for the template's own lines: re-laid out for the device, a wrapped box layout can break
    its lines differently at each size (seen in tests), which must never happen."""
    xx, yx, xy, yy, _, _ = context.get_matrix()
    if yx or xy or abs(abs(xx) - abs(yy)) > 1e-6 * abs(yy):
        return  # stretched or rotated: Pango would lay the glyphs out for the wrong width
    pangocairocffi.update_context(context, layout.context)
    pango.pango_layout_context_changed(layout._pointer)


def _on_pixel_row(context: cairo.Context, x: float, top: float, baseline: float) -> float:
    """The layout top moved so its baseline sits on a whole device pixel row, as browsers place
    horizontal text (vertically hinted glyphs on a fractional baseline blur by half a pixel).
    Only for axis-aligned drawing: a rotated or skewed line has no pixel row."""
    xx, yx, xy, yy, _, _ = context.get_matrix()
    if yx or xy or not yy:
        return top
    _, device_y = context.user_to_device(x, top + baseline)
    return top + (round(device_y) - device_y) / yy


def _baseline_shift(node, layout) -> float:
    """Distance from the layout top to where the SVG y lands, per dominant-baseline."""
    baseline = layout.get_baseline() / SCALE
    _, logical = layout.get_extents()
    height = logical.height / SCALE
    mode = (node.get("dominant-baseline") or node.get("alignment-baseline") or "auto").strip()
    em = layout.font_description.size / SCALE if layout.font_description else height / 1.2
    if mode == "middle":  # half the x-height above the alphabetic baseline (as Chromium)
        return baseline - 0.27 * em
    if mode == "central":
        return height / 2
    if mode == "hanging":
        return baseline - 0.8 * em
    if mode in ("text-before-edge", "text-top"):
        return 0.0
    if mode in ("text-after-edge", "text-bottom", "ideographic"):
        return height
    return baseline


@dataclass
class LaidChunk:
    """One chunk's runs laid out (Pango layouts and advances), ready to draw from any x."""
    laid: list  # (run, layout, advance)
    contents: dict  # per run: what its drawn coverage depends on (text_masks)
    total: float  # the advance of the whole chunk (after textLength)
    stretch: float  # lengthAdjust="spacingAndGlyphs"
    anchor: str  # start / middle / end as drawn (direction rtl already flipped)

    def start(self, pen_x: float) -> float:
        """Where the chunk's first glyph goes for an anchor at `pen_x`."""
        return pen_x - {"middle": self.total / 2, "end": self.total}.get(self.anchor, 0.0)


def lay_chunk(surface, node, chunk: Chunk, alone: bool, check: bool = True,
              font_size: float | None = None) -> LaidChunk:
    """`alone`: the text's only chunk (textLength applies to it). `font_size`: every run at
    this size instead of its own (a changed text shrunk to fit)."""
    context = surface.context
    laid = []
    contents = {}
    for run in chunk.runs:
        style = style_of(surface, run.node)
        if font_size is not None:
            style.size = font_size
        contents[id(run)] = (run.text, style.family, style.size, style.weight, style.italic,
                             style.letter_spacing)
        layout = _layout_for(context, run.text, style)
        if check:
            _check_glyphs(context, layout, run.text, style)
        _, logical = layout.get_extents()
        # Browsers space after every character, Pango between a run's characters only.
        laid.append((run, layout, logical.width / SCALE + style.letter_spacing))
    total = sum(width for _, _, width in laid)
    stretch = 1.0
    target = _num(surface, node.get("textLength"), "x") if alone else None
    if target and target > 0 and total > 0:
        laid, stretch = _fit_length(surface, node, laid, total, target)
        total = target
    anchor = chunk.anchor
    if node.get("direction") == "rtl":  # start/end follow the writing direction
        anchor = {"start": "end", "end": "start"}.get(anchor, anchor)
    return LaidChunk(laid, contents, total, stretch, anchor)


def draw_chunk(surface, chunk: LaidChunk, x: float, pen_y: float) -> float:
    """Draw a laid chunk with its first glyph at `x` on baseline `pen_y`; returns its end."""
    context = surface.context
    stretch = chunk.stretch
    for run, layout, width in chunk.laid:
        if stretch != 1.0:  # lengthAdjust="spacingAndGlyphs": the glyphs widen too
            context.save()
            context.translate(x, 0)
            context.scale(stretch, 1)
            context.translate(-x, 0)
        top = pen_y - _baseline_shift(run.node, layout)
        if stretch == 1.0:  # (re-laid out under a stretch)
            top = _on_pixel_row(context, x, top, layout.get_baseline() / SCALE)
        _draw_layout(surface, run.node, layout, x, top, device_hinted=stretch == 1.0,
                     content=chunk.contents[id(run)])
        if stretch != 1.0:
            context.restore()
        x += width * stretch
    return x


def draw_faithful(surface, node) -> None:
    pen_x, pen_y = 0.0, 0.0
    chunks = chunks_of(surface, node)
    for chunk in chunks:
        pen_x = (chunk.x if chunk.x is not None else pen_x) + chunk.dx
        pen_y = (chunk.y if chunk.y is not None else pen_y) + chunk.dy
        laid = lay_chunk(surface, node, chunk, len(chunks) == 1)
        pen_x = draw_chunk(surface, laid, laid.start(pen_x), pen_y)


def _fit_length(surface, node, laid, total: float, target: float):
    """`textLength`: the text's advance made exactly `target` — by spacing the characters
    (default: the extra shared by the gaps between them) or by stretching the glyphs.
    Returns the new runs and the horizontal stretch."""
    if (node.get("lengthAdjust") or "spacing").strip() == "spacingAndGlyphs":
        return laid, target / total
    characters = sum(len(run.text) for run, _, _ in laid)
    if characters < 2:
        return laid, 1.0
    extra = (target - total) / (characters - 1)
    refit = []
    for run, _, _ in laid:
        style = style_of(surface, run.node)
        style.letter_spacing += extra
        spaced = _layout_for(surface.context, run.text, style)
        _, logical = spaced.get_extents()
        refit.append((run, spaced, logical.width / SCALE))
    return refit, 1.0  # the first glyph at x, the last one ending at x + textLength


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


def line_iterator(layout: pangocffi.Layout) -> pangocffi.LayoutIter:
    """layout.get_iter() that is freed: pangocffi's LayoutIter never frees its iterator (its
    _GC_METHOD is annotated, not assigned), and each kept its whole layout alive: ~25 KB a
    render that no cache bound."""
    iterator = layout.get_iter()
    iterator._pointer = pango_ffi.gc(iterator._pointer, pango.pango_layout_iter_free)
    return iterator


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
        warn(f"layer {name!r}: the text does not fit its box{fitted} and was cut with an "
             "ellipsis (give it a larger box, autoFit, or less text)")
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


# Box layouts of the render in progress, by node: laid out (auto-fit search included) once in
# template units and drawn at all three sizes (the image and both thumbnails).
current_layouts: ContextVar[dict | None] = ContextVar("svgrender_layouts", default=None)


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
            report_fit(node.get("data-layer") or node.get("id") or "text", {
                "lines": entry.layout.get_line_count(), "fontSize": round(style.size, 2),
                "scale": 1.0, "cut": entry.cut})
        return entry
    layout, font_size = fit_layout(surface.context, text, style, box, node)
    if changed:
        report_fit(node.get("data-layer") or node.get("id") or "text", {
            "lines": layout.get_line_count(), "fontSize": round(font_size, 2),
            "scale": round(font_size / style.size, 3),
            "cut": bool(pango.pango_layout_is_ellipsized(layout._pointer))})
    return BoxLayout(layout, node, [])


def draw_box(surface, node, box, text: str) -> None:
    context = surface.context
    style = style_of(surface, node)
    layouts = current_layouts.get()
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
    placed = current_text_lines.get()
    if placed is not None and node.get("id") and node.get("data-text") is not None:
        placed[node.get("id")] = (layout.font_description.size / SCALE,
                                  list(_placed_lines(context, layout, style, left, top, width)))
    if placed is not None and entry.flowed and node.get(FLOW_MARK) is not None:
        placed[(FLOW_MARK, node.get(FLOW_MARK))] = list(
            _flowed_pieces(layout, entry.flowed, left, top))


# Lines as laid out for the raster sizes, by layer id: the SVG output writes these positions.
current_text_lines: ContextVar[dict | None] = ContextVar("svgrender_text_lines", default=None)
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
