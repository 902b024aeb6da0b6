"""Painting laid-out text: fill and stroke sources, glyph outlines (kept as masks), device
hinting for small text (split from text.py)."""

from __future__ import annotations


import cairocffi as cairo
import pangocairocffi
import pangocffi
from cairosvg.helpers import paint, size
from pangocffi import ffi as pango_ffi
from pangocffi import pango

from svgrender.draw.text_masks import fill_outlines, paint_kept
from svgrender.svg.prepare import strokes_first
from svgrender.draw.text_style import SCALE, line_iterator

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
                 content: tuple | None = None, coloured: list | None = None,
                 keep_coverage: bool = True) -> None:
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
                fill_outlines(context, layout, content, keep=keep_coverage)
            else:
                pangocairocffi.layout_path(context, layout)
                context.fill()
        else:
            pangocairocffi.show_layout(context, layout)
    if stroked and not under:
        _stroke_layout(surface, node, layout, x, y)
    context.restore()


def draw_kept(surface, node, x: float, y: float, content: tuple, em: float) -> bool:
    """Fill a run from its kept coverage mask, without a layout (text_measures): what
    _draw_layout draws for small outlined text that is only filled. False where it would
    draw otherwise (a stroke, large or PDF text, a clip path) or no mask is kept."""
    context = surface.context
    if not surface.stroke_and_fill or node.get("stroke") not in (None, "none") or \
            not isinstance(context.get_target(), cairo.ImageSurface):
        return False
    _, _, _, yy, _, _ = context.get_matrix()
    if abs(yy) * em > OUTLINE_TEXT_PX:
        return False
    context.save()
    try:
        context.move_to(x, y)
        return not _set_paint(surface, node, "fill") or paint_kept(context, content)
    finally:
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
