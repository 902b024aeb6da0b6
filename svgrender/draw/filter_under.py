"""A shadow painted under its element where it lands, not merged with it first.

Most shadow chains end by laying the element itself over the shadow in sRGB (Inkscape's and
our demo card's feMerge [shadow, SourceGraphic], Figma's feBlend of SourceGraphic over
"effect1_dropShadow").
When the element is then painted as it is (opacity 1, no mask, plain "over"), painting the
merge over the canvas draws what painting the layers below it onto the canvas and then the
element's own group draws: (S over Sh) over C = S over (Sh over C). That skips a region-sized
buffer to clear and two paints into it, and the element stays the group cairo drew at this
size: a thumbnail takes the shadow (all blur) from the image's run and draws the sharp
element itself, where a merged result had to run the whole chain again to keep that edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cairocffi as cairo
import numpy as np

from svgrender.draw.filter_buffers import Buf


HOLE_FROM_PIXELS = 65_536  # device px: a smaller opaque middle is painted over anyway


@dataclass
class Under:
    """The layers below the element, as one render drew them, for its other sizes too."""
    layers: Buf  # (lazy where the chain left them lazy: a tinted reduced plane)
    user_to_buffer: cairo.Matrix  # user space -> the layers' pixels, at the scale drawn
    window: tuple[int, int, int, int]  # the filter region in those pixels
    scale: float  # device px per user unit when drawn
    softness: float  # device px of blur every layer went through (at that scale)
    # Where the element is opaque (in those pixels), or None: the element painted over it
    # hides whatever lies below, so the layers are not painted there (a card's shadow is
    # mostly under the card: ~3/4 of its pixels at 1200 × 630).
    opaque: tuple[int, int, int, int] | None = None

    def can_sample(self, scale: float, max_down: float) -> bool:
        """Whether a size `scale` may take these layers, scaled, instead of a chain run:
        not larger than drawn, and down to half size, or to 1/max_down when as soft as the
        step between pixels (the rule for whole results, filters._sample_cached)."""
        if not self.scale >= scale:
            return False
        down = self.scale / scale
        return down <= 2 or (down <= max_down and self.softness >= down and
                             self._enlarged_by(down))

    def _enlarged_by(self, down: float) -> bool:
        """Whether the layers are a plane reduced by at least `down` that cairo scales up
        where it is painted (a drop shadow's blur): then painting them at 1/down still
        enlarges it, as smoothly as drawn. Full-size pixels painted at a third of their
        size would skip two in three (measured: twice the error against Chromium)."""
        factor = self.layers.enlargement()
        return factor is not None and factor >= down - 1e-9

    def paint(self, context: cairo.Context) -> None:
        """Paint the layers onto the context's target, within the filter region, with the
        context's current matrix (whatever size it draws)."""
        context.save()
        to_device = _buffer_to_device(self.user_to_buffer, context.get_matrix())
        context.set_matrix(to_device)
        x0, y0, x1, y1 = self.window
        context.rectangle(x0, y0, x1 - x0, y1 - y0)
        context.clip()
        hole = _device_hole(self.opaque, to_device) if self.opaque else None
        if hole is not None:
            context.identity_matrix()
            context.set_fill_rule(cairo.FILL_RULE_EVEN_ODD)
            hx0, hy0, hx1, hy1 = hole
            x0, y0, x1, y1 = context.clip_extents()
            context.rectangle(x0, y0, x1 - x0, y1 - y0)
            context.rectangle(hx0, hy0, hx1 - hx0, hy1 - hy0)
            context.clip()
            context.set_matrix(to_device)
        self.layers.paint_onto(context, sampled=not _whole_pixel_move(to_device))
        context.restore()


def _whole_pixel_move(matrix: cairo.Matrix) -> bool:
    xx, yx, xy, yy, tx, ty = matrix.as_tuple()
    return (xx, yx, xy, yy) == (1, 0, 0, 1) and tx == int(tx) and ty == int(ty)


def _device_hole(opaque: tuple[int, int, int, int], to_device: cairo.Matrix):
    """The opaque rectangle in whole device pixels well inside it (a pixel the element only
    partly covers at this size is never left out), or None if rotated or too small to pay
    for the clip it makes (cairo clips a paint to a rectangle with a hole as a polygon)."""
    xx, yx, xy, yy, _, _ = to_device.as_tuple()
    if abs(yx) > 1e-9 or abs(xy) > 1e-9:
        return None
    ax, ay = to_device.transform_point(opaque[0], opaque[1])
    bx, by = to_device.transform_point(opaque[2], opaque[3])
    x0, x1 = math.ceil(min(ax, bx)) + 1, math.floor(max(ax, bx)) - 1
    y0, y1 = math.ceil(min(ay, by)) + 1, math.floor(max(ay, by)) - 1
    return (x0, y0, x1, y1) if (x1 - x0) * (y1 - y0) >= HOLE_FROM_PIXELS else None


def opaque_rect(alpha: np.ndarray) -> tuple[int, int, int, int] | None:
    """A large rectangle (x0, y0, x1, y1) where `alpha` (H, W) is 255 everywhere, grown from
    the middle row and column and shrunk until its corners are in (a rounded card's), or
    None. Checked whole: one pass over it, far less than painting a shadow there."""
    height, width = alpha.shape
    cy, cx = height // 2, width // 2
    if height < 32 or width < 32 or alpha[cy, cx] != 255:
        return None
    x0, x1 = _run(alpha[cy], cx)
    y0, y1 = _run(alpha[:, cx], cy)
    for _ in range(8):
        if x1 - x0 < 16 or y1 - y0 < 16:
            return None
        if min(alpha[y0, x0], alpha[y0, x1 - 1], alpha[y1 - 1, x0], alpha[y1 - 1, x1 - 1]) \
                == 255 and alpha[y0:y1, x0:x1].min() == 255:
            return x0, y0, x1, y1
        step_x, step_y = max((x1 - x0) // 32, 2), max((y1 - y0) // 32, 2)
        x0, x1, y0, y1 = x0 + step_x, x1 - step_x, y0 + step_y, y1 - step_y
    return None


def _run(line: np.ndarray, at: int) -> tuple[int, int]:
    """The run of 255s in `line` around index `at`: (first, one past the last)."""
    closed = np.flatnonzero(line != 255)
    before, after = closed[closed < at], closed[closed > at]
    return (int(before[-1]) + 1 if len(before) else 0,
            int(after[0]) if len(after) else len(line))


def _buffer_to_device(user_to_buffer: cairo.Matrix, device: cairo.Matrix) -> cairo.Matrix:
    """Buffer pixels -> device pixels; a whole-pixel move exactly (the size the layers were
    drawn at), so pixman copies rather than resamples."""
    inverse = cairo.Matrix(*user_to_buffer.as_tuple())
    inverse.invert()
    xx, yx, xy, yy, tx, ty = inverse.multiply(device).as_tuple()
    if abs(xx - 1) < 1e-9 and abs(yy - 1) < 1e-9 and abs(yx) < 1e-9 and abs(xy) < 1e-9 and \
            abs(tx - round(tx)) < 1e-6 and abs(ty - round(ty)) < 1e-6:
        return cairo.Matrix(x0=round(tx), y0=round(ty))
    return cairo.Matrix(xx, yx, xy, yy, tx, ty)


def painted_as_is(surface, node) -> bool:
    """Whether CairoSVG will paint the element's filtered group plainly: onto pixels, with
    opacity 1, no mask, the "over" operator (a blend mode paints from a group of its own)."""
    if not isinstance(surface.cairo, cairo.ImageSurface) or node.get("mask"):
        return False
    try:
        opacity = float(node.get("opacity", 1))
    except (TypeError, ValueError):
        return False
    return opacity >= 1 and surface.context.get_operator() == cairo.OPERATOR_OVER


def names_below(primitives, linear) -> list | None:
    """The inputs a chain's last primitive lays under the element itself, or None when the
    chain does not end that way (or mixes in linearRGB, where the element's antialiased edge
    mixes with the shadow in another space). The endings: an feMerge whose last node is
    SourceGraphic (Inkscape's, hand-written), an feBlend mode="normal" or feComposite "over"
    of SourceGraphic onto something (Figma's `in="SourceGraphic" in2="effect1_dropShadow"`)."""
    last = primitives[-1] if primitives else None
    if last is None or linear(last) or \
            any(last.get(a) is not None for a in ("x", "y", "width", "height")):
        return None
    if last.tag == "feMerge":
        names = [child.get("in") for child in last.children if child.tag == "feMergeNode"]
        return names[:-1] if len(names) >= 2 and names[-1] == "SourceGraphic" else None
    over = (last.tag == "feBlend" and (last.get("mode") or "normal") == "normal") or \
        (last.tag == "feComposite" and (last.get("operator") or "over") == "over")
    return [last.get("in2")] if over and last.get("in") == "SourceGraphic" else None


def ink_inside(ink: tuple[int, int, int, int], region: tuple[int, int, int, int],
               width: int, height: int) -> bool:
    """Whether the element's ink on the canvas (device pixels) lies within the filter region:
    then its group painted unclipped is its group clipped to the region."""
    x0, y0 = max(ink[0], 0), max(ink[1], 0)
    x1, y1 = min(ink[2], width), min(ink[3], height)
    if x1 <= x0 or y1 <= y0:
        return True  # nothing of it on the canvas
    return region[0] <= x0 and region[1] <= y0 and x1 <= region[2] and y1 <= region[3]
