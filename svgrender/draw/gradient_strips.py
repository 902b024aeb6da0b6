"""Linear gradients drawn from a one-row strip.

pixman draws a linear gradient whose colour changes along device y (every diagonal or vertical
gradient: Figma and Inkscape backgrounds) pixel by pixel in floating point, ~5 ns a pixel: a
4 ms fill for a 1200×630 card. A gradient is a function of one coordinate, so the same colours
come from a strip of them (the same cairo gradient drawn once along a row) sampled through an
affine pattern matrix: nearest-pixel lookups, ~4× cheaper. Gradients that change along x only
stay as they are (pixman draws one row of those and copies it).
"""

from __future__ import annotations

import math

import cairocffi as cairo

MIN_STEPS, MAX_STEPS = 256, 4096  # strip length: about one entry per device pixel


def as_strip(gradient: cairo.LinearGradient, ctm: cairo.Matrix,
             painted: dict | None = None) -> cairo.Pattern | None:
    """A pattern drawing the same colours as `gradient` through the current transform `ctm`,
    or None where the gradient is cheap already or degenerate.

    `painted` keeps this gradient's strips by length: sizes whose transforms ask for as many
    entries (short gradients all get MIN_STEPS) sample one strip, painted once."""
    x1, y1, x2, y2 = gradient.get_linear_points()
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    if length2 <= 0:
        return None
    to_gradient = gradient.get_matrix()  # user space -> gradient space
    to_device = cairo.Matrix(*to_gradient.as_tuple())
    try:
        to_device.invert()
    except cairo.CairoError:
        return None
    to_device = to_device.multiply(ctm)  # gradient space -> device space
    # How the gradient parameter t changes with device x and y.
    inverse = cairo.Matrix(*to_device.as_tuple())
    try:
        inverse.invert()
    except cairo.CairoError:
        return None
    dt_dx = (inverse.xx * dx + inverse.yx * dy) / length2
    dt_dy = (inverse.xy * dx + inverse.yy * dy) / length2
    if abs(dt_dy) < 1e-9:
        return None  # constant down each column: pixman's own fast path
    steps = int(min(MAX_STEPS, max(MIN_STEPS, math.ceil(1 / max(math.hypot(dt_dx, dt_dy),
                                                                 1e-9)))))
    # extend NONE: transparent beyond the ends. The strip's own extend must stay PAD (its
    # across coordinate wanders off its single row), so it gets a transparent entry each end.
    pad = 1 if gradient.get_extend() == cairo.EXTEND_NONE else 0
    strip = painted.get(steps) if painted is not None else None
    if strip is None:
        strip = _paint_strip(gradient, steps, pad)
        if painted is not None:
            painted[steps] = strip
    pattern = cairo.SurfacePattern(strip)
    # Gradient space -> strip: x is t·steps along the gradient vector, y the distance across
    # it (the strip is one row, so any y samples it; it only keeps the matrix invertible).
    across = cairo.Matrix(xx=steps * dx / length2, xy=steps * dy / length2,
                          x0=pad - steps * (x1 * dx + y1 * dy) / length2,
                          yx=-dy / length2, yy=dx / length2, y0=(x1 * dy - y1 * dx) / length2)
    pattern.set_matrix(to_gradient.multiply(across))
    pattern.set_extend(cairo.EXTEND_PAD if pad else gradient.get_extend())
    pattern.set_filter(cairo.FILTER_NEAREST)
    return pattern


def _paint_strip(gradient: cairo.LinearGradient, steps: int, pad: int) -> cairo.ImageSurface:
    """The gradient's colours drawn along one row of `steps` pixels (+ `pad` clear ones each end)."""
    strip = cairo.ImageSurface(cairo.FORMAT_ARGB32, steps + 2 * pad, 1)
    along = cairo.LinearGradient(pad, 0, pad + steps, 0)
    for offset, *rgba in gradient.get_color_stops():
        along.add_color_stop_rgba(offset, *rgba)
    along.set_extend(cairo.EXTEND_NONE)
    context = cairo.Context(strip)
    context.set_source(along)
    context.set_operator(cairo.OPERATOR_SOURCE)
    context.paint()
    strip.flush()
    return strip
