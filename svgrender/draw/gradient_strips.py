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
             painted: "StripSource | None" = None) -> cairo.Pattern | None:
    """A pattern drawing the same colours as `gradient` through the current transform `ctm`,
    or None where the gradient is cheap already or degenerate.

    `painted` (a StripSource of this gradient) keeps what every size shares: the gradient's
    geometry, and its strips by length (sizes whose transforms ask for as many entries sample
    one strip, painted once)."""
    return (painted or StripSource(gradient)).pattern(ctm)


class StripSource:
    """One linear gradient's strips: its geometry read once, each strip painted once per
    length. An Illustrator export has thousands of gradients, each drawn at three sizes."""

    __slots__ = ("gradient", "points", "length2", "to_gradient", "from_gradient", "pad",
                 "stops", "strips")

    def __init__(self, gradient: cairo.LinearGradient):
        self.gradient = gradient
        x1, y1, x2, y2 = self.points = gradient.get_linear_points()
        dx, dy = x2 - x1, y2 - y1
        self.length2 = dx * dx + dy * dy
        self.to_gradient = gradient.get_matrix()  # user space -> gradient space
        self.from_gradient = None
        if self.length2 > 0:
            from_gradient = cairo.Matrix(*self.to_gradient.as_tuple())
            try:
                from_gradient.invert()
            except cairo.CairoError:
                pass
            else:
                self.from_gradient = from_gradient
        # extend NONE: transparent beyond the ends. The strip's own extend must stay PAD (its
        # across coordinate wanders off its single row), so it gets a transparent entry each end.
        self.pad = 1 if gradient.get_extend() == cairo.EXTEND_NONE else 0
        self.stops: list | None = None  # read on the first strip painted
        self.strips: dict[int, tuple[cairo.ImageSurface, cairo.Matrix]] = {}

    def pattern(self, ctm: cairo.Matrix) -> cairo.Pattern | None:
        if self.from_gradient is None:
            return None  # degenerate, or a transform that cannot be inverted
        x1, y1, x2, y2 = self.points
        dx, dy, length2 = x2 - x1, y2 - y1, self.length2
        to_device = self.from_gradient.multiply(ctm)  # gradient space -> device space
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
        found = self.strips.get(steps)
        if found is None:
            found = self.strips[steps] = self._strip(steps)
        strip, matrix = found
        pattern = cairo.SurfacePattern(strip)
        pattern.set_matrix(matrix)
        pattern.set_extend(cairo.EXTEND_PAD if self.pad else self.gradient.get_extend())
        pattern.set_filter(cairo.FILTER_NEAREST)
        return pattern

    def _strip(self, steps: int) -> tuple[cairo.ImageSurface, cairo.Matrix]:
        """The gradient's colours along one row of `steps` pixels, and the matrix from user
        space to it."""
        x1, y1, x2, y2 = self.points
        dx, dy, length2, pad = x2 - x1, y2 - y1, self.length2, self.pad
        strip = cairo.ImageSurface(cairo.FORMAT_ARGB32, steps + 2 * pad, 1)
        along = cairo.LinearGradient(pad, 0, pad + steps, 0)
        if self.stops is None:
            self.stops = self.gradient.get_color_stops()
        for offset, *rgba in self.stops:
            along.add_color_stop_rgba(offset, *rgba)
        along.set_extend(cairo.EXTEND_NONE)
        context = cairo.Context(strip)
        context.set_source(along)
        context.set_operator(cairo.OPERATOR_SOURCE)
        context.paint()
        strip.flush()
        # Gradient space -> strip: x is t·steps along the gradient vector, y the distance across
        # it (the strip is one row, so any y samples it; it only keeps the matrix invertible).
        across = cairo.Matrix(xx=steps * dx / length2, xy=steps * dy / length2,
                              x0=pad - steps * (x1 * dx + y1 * dy) / length2,
                              yx=-dy / length2, yy=dx / length2, y0=(x1 * dy - y1 * dx) / length2)
        return strip, self.to_gradient.multiply(across)
