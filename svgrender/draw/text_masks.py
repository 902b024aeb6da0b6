"""Small template text filled from its outlines, kept as coverage masks between requests.

Outlines put each letter at its fractional position, as browsers do (cairo 1.16's glyph cache
puts them on whole pixels), but filling them costs more than copying cached glyphs. The text a
request does not change (a subtitle, a price, a footer) comes out the same in every answer, so
its coverage is kept: an A8 mask per text, font, drawing matrix and sixteenth-of-a-pixel
position, painted with whatever fill the text has. Bounded by bytes, least recently used first.
"""

from __future__ import annotations

from math import ceil, floor

import cairocffi as cairo
import pangocairocffi
import pangocffi

from svgrender.draw.fonts import generation
from svgrender.lru import ByteBoundedCache

SCALE = pangocffi.units_from_double(1)
MAX_BYTES = 16 * 1024 * 1024
MAX_MASK_PIXELS = 4_000_000  # bigger (huge text): filled directly, never kept
PHASES = 16  # positions kept per pixel: 1/32 px at most from the exact one
PAD = 2  # pixels around the ink: antialiasing and hinting reach past the ink box


_masks = ByteBoundedCache(MAX_BYTES)


def fill_outlines(context: cairo.Context, layout: pangocffi.Layout, key: tuple,
                  keep: bool = True) -> None:
    """Fill `layout`'s glyph outlines at the current point with the current source. `key`
    names the layout's content (text and style) for the cache; `keep`: False for a request's
    own words, which the next request replaces: filled straight onto the target (a mask made
    and painted once costs ~12 % of a title-only answer), never from a kept mask, so the
    same words come out the same in every worker."""
    if not keep:
        pangocairocffi.layout_path(context, layout)
        context.fill()
        return
    full_key, (whole_x, whole_y), (phase_x, phase_y) = _placed(context, key)
    xx, yx, xy, yy, _, _ = context.get_matrix()
    cached = _masks.get(full_key)
    if cached is None:
        cached = _coverage(context, layout, (xx, yx, xy, yy), phase_x, phase_y)
        if cached is None:  # too big to keep: fill it here
            pangocairocffi.layout_path(context, layout)
            context.fill()
            return
        mask = cached[0]
        _masks.put(full_key, cached, mask.get_stride() * mask.get_height() if mask else 0)
    _paint(context, cached, whole_x, whole_y)


def paint_kept(context: cairo.Context, key: tuple) -> bool:
    """Fill a kept mask of `key`'s content at the current point, if one is kept for this
    matrix and position (no layout needed); False when none is."""
    full_key, (whole_x, whole_y), _ = _placed(context, key)
    cached = _masks.get(full_key)
    if cached is None:
        return False
    _paint(context, cached, whole_x, whole_y)
    return True


def _placed(context: cairo.Context, key: tuple):
    """(the mask's key, the device pixel of the current point, its phase in that pixel)."""
    xx, yx, xy, yy, _, _ = context.get_matrix()
    x, y = context.get_current_point()
    device_x, device_y = context.user_to_device(x, y)
    whole_x, whole_y = floor(device_x), floor(device_y)
    phase_x = round((device_x - whole_x) * PHASES) / PHASES
    phase_y = round((device_y - whole_y) * PHASES) / PHASES
    full_key = (key, round(xx, 6), round(yx, 6), round(xy, 6), round(yy, 6), phase_x, phase_y,
                context.get_fill_rule(), generation())
    return full_key, (whole_x, whole_y), (phase_x, phase_y)


def _paint(context: cairo.Context, cached, whole_x: int, whole_y: int) -> None:
    mask, left, top = cached
    context.new_path()
    if mask is None:  # no ink (spaces)
        return
    context.save()
    context.identity_matrix()
    context.mask_surface(mask, whole_x + left, whole_y + top)
    context.restore()


def _coverage(context, layout, linear, phase_x: float, phase_y: float):
    """(A8 mask, left, top): the layout's coverage with its origin at (phase_x, phase_y) of a
    device pixel, the mask's corner `left`, `top` pixels from that pixel; None if too big."""
    ink, _ = layout.get_extents()
    if ink.width <= 0 or ink.height <= 0:
        return (None, 0, 0)
    xx, yx, xy, yy = linear
    corners = [(ink.x + dx, ink.y + dy) for dx in (0, ink.width) for dy in (0, ink.height)]
    device = [((xx * u + xy * v) / SCALE, (yx * u + yy * v) / SCALE) for u, v in corners]
    left = floor(min(d[0] for d in device) + phase_x) - PAD
    top = floor(min(d[1] for d in device) + phase_y) - PAD
    width = ceil(max(d[0] for d in device) + phase_x) - left + PAD
    height = ceil(max(d[1] for d in device) + phase_y) - top + PAD
    if width * height > MAX_MASK_PIXELS:
        return None
    mask = cairo.ImageSurface(cairo.FORMAT_A8, width, height)
    drawing = cairo.Context(mask)
    drawing.set_matrix(cairo.Matrix(xx, yx, xy, yy, phase_x - left, phase_y - top))
    drawing.set_fill_rule(context.get_fill_rule())
    drawing.move_to(0, 0)
    pangocairocffi.layout_path(drawing, layout)
    drawing.fill()
    mask.flush()
    return (mask, left, top)
