"""The filter engine: SVG <filter> chains run on pixels, at any output scale.

CairoSVG ignores most filter primitives (feGaussianBlur above all: Figma's drop shadows vanish or
become hard copies). seams.py hands us the filtered element's pixels right after CairoSVG drew
them into a group (`pop_group_to_source`); we rasterise the filter region at device resolution,
run the primitives (filter_ops.py) and put the result back as the source CairoSVG then paints with
the element's opacity and mask. Lengths are scaled by the current transform, so a 2x thumbnail
blurs with twice the radius.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Callable

import cairocffi as cairo
import numpy as np
from cairosvg.bounding_box import calculate_bounding_box
from cairosvg.colors import color as parse_cairo_color
from cairosvg.helpers import size

from svgrender.draw import filter_buffers as fb
from svgrender.draw import filter_ops as ops
from svgrender.draw.filter_buffers import Buf
from svgrender.draw.filter_under import (Under, ink_inside, names_below, opaque_rect,
                                         painted_as_is)
from svgrender.draw.context import context_of
from svgrender.svg.units import parse_fraction

log = logging.getLogger("svgrender.filters")

MAX_BLUR_DEVICE_PX = 800.0  # hard ceiling per axis, whatever settings and scale say
# A thumbnail down to 1/MAX_SAMPLE_DOWN of a size drawn before samples that size's filter
# results instead of running the chains again (the 400 px thumbnail of a 1200 px card: 1/3).
MAX_SAMPLE_DOWN = 4
# Filter regions (device px) from which a shadow is painted under its element rather than
# merged with it (filter_under.py): it saves two or three passes over the region and costs
# ~0.05 ms of calls; 16 shadowed 240×90 tiles (45k px regions) cost 38 ms merged, 49 under.
UNDER_FROM_PIXELS = 100_000



def _numbers(value, count: int | None = None) -> list[float]:
    try:
        numbers = [float(v) for v in str(value or "").replace(",", " ").split()]
    except ValueError:
        numbers = []
    return numbers if count is None else numbers[:count]


class _Context:
    """Geometry of one filter application: user space -> buffer pixels."""

    def __init__(self, surface, node, filter_node, matrix: cairo.Matrix, k: float):
        self.surface, self.node, self.filter_node = surface, node, filter_node
        self.matrix, self.k = matrix, k
        self.sx = k * math.hypot(matrix.xx, matrix.yx)
        self.sy = k * math.hypot(matrix.xy, matrix.yy)
        self.bbox = calculate_bounding_box(surface, node)
        self.primitive_bbox = filter_node.get("primitiveUnits") == "objectBoundingBox"
        self.origin = (0, 0)

    def to_buffer(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = self.matrix.transform_point(x, y)
        return dx * self.k - self.origin[0], dy * self.k - self.origin[1]

    def user_rect_to_buffer(self, x, y, w, h) -> tuple[int, int, int, int]:
        corners = [self.to_buffer(px, py) for px, py in ((x, y), (x + w, y), (x, y + h),
                                                         (x + w, y + h))]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        return (math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)), math.ceil(max(ys)))

    def filter_region(self) -> tuple[float, float, float, float] | None:
        f = self.filter_node
        if f.get("filterUnits") == "userSpaceOnUse":
            return (size(self.surface, f.get("x", "-10%"), "x"), size(self.surface, f.get("y", "-10%"), "y"),
                    size(self.surface, f.get("width", "120%"), "x"),
                    size(self.surface, f.get("height", "120%"), "y"))
        if not self.bbox:
            return None
        bx, by, bw, bh = self.bbox
        return (bx + parse_fraction(f.get("x"), -0.1) * bw, by + parse_fraction(f.get("y"), -0.1) * bh,
                parse_fraction(f.get("width"), 1.2) * bw, parse_fraction(f.get("height"), 1.2) * bh)

    def length(self, value: float, axis: str) -> float:
        """A primitive length (stdDeviation, dx, radius) in buffer pixels."""
        if self.primitive_bbox and self.bbox:
            value *= self.bbox[2] if axis == "x" else self.bbox[3]
        return value * (self.sx if axis == "x" else self.sy)

    def offset(self, dx: float, dy: float) -> tuple[float, float]:
        if self.primitive_bbox and self.bbox:
            dx, dy = dx * self.bbox[2], dy * self.bbox[3]
        ddx, ddy = self.matrix.transform_distance(dx, dy)
        return ddx * self.k, ddy * self.k


def _rasterise(pattern, matrix: cairo.Matrix, k: float, x0: int, y0: int, w: int, h: int) -> Buf:
    image = cairo.ImageSurface(cairo.FORMAT_ARGB32, w, h)
    context = cairo.Context(image)
    context.translate(-x0, -y0)
    context.scale(k, k)
    context.transform(matrix)
    context.set_source(pattern)
    context.paint()
    image.flush()
    return Buf(image)


def _inked_edges(source: Buf, box, wanted, width: int, height: int) -> tuple[bool, ...]:
    """For each side (left, top, right, bottom): whether the buffer should reach past the canvas
    there — `wanted` (the region plus reach) does, `box` (`source`, clamped to the canvas) stops
    at the canvas's edge, and the element has ink on that edge."""
    sides = (wanted[0] < 0 and box[0] == 0, wanted[1] < 0 and box[1] == 0,
             wanted[2] > width and box[2] == width, wanted[3] > height and box[3] == height)
    if not any(sides):
        return sides
    alpha = source._pixels()[..., 3]
    return (sides[0] and bool(alpha[:, 0].any()), sides[1] and bool(alpha[0].any()),
            sides[2] and bool(alpha[:, -1].any()), sides[3] and bool(alpha[-1].any()))


def _continue_past_canvas(source: Buf, geo: _Context, box, width: int, height: int) -> None:
    """Repeat the canvas's edge pixels into the part of `source` (buffer `box` in canvas pixels)
    beyond each canvas side the element's box crosses; the rest beyond stays transparent."""
    if not geo.bbox:
        sides = (True, True, True, True)  # no box known (text…): as if it ran on
    else:
        x, y, w, h = geo.bbox
        corners = [geo.to_buffer(px, py) for px, py in ((x, y), (x + w, y), (x, y + h),
                                                        (x + w, y + h))]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        sides = (min(xs) < -0.5, min(ys) < -0.5, max(xs) > width + 0.5, max(ys) > height + 0.5)
    x0, y0, x1, y1 = box
    left, top = max(-x0, 0), max(-y0, 0)  # buffer column/row of the canvas's first pixel
    right = min(width - x0, x1 - x0)  # one past the canvas's last column/row in the buffer
    bottom = min(height - y0, y1 - y0)
    if left >= right or top >= bottom or not any(sides):
        return
    pixels = source._pixels()
    if sides[0] and left:
        pixels[:, :left] = pixels[:, left:left + 1]
    if sides[2] and right < pixels.shape[1]:
        pixels[:, right:] = pixels[:, right - 1:right]
    if sides[1] and top:
        pixels[:top] = pixels[top:top + 1]
    if sides[3] and bottom < pixels.shape[0]:
        pixels[bottom:] = pixels[bottom - 1:bottom]
    source.surface.mark_dirty()


REDUCED_BLUR_SIGMA = 8.0  # device px a blur keeps after its chain is computed reduced
REDUCE_FROM_SIGMA = 96.0  # device px: narrower blurs run at full resolution


def _reduction(primitives, geo: _Context) -> int:
    """How much smaller the chain can be computed: when its result is a wide blur (a Figma
    layer blur or glow, stdDeviation in the hundreds), it holds no detail finer than the
    blur, so 1/f resolution with a blur of σ/f looks the same and costs the same whatever σ
    is. Other chains (a shadow merged under the sharp source) run at full resolution."""
    if not primitives or primitives[-1].tag != "feGaussianBlur":
        return 1
    sd = _numbers(primitives[-1].get("stdDeviation", "0"), 2) or [0.0]
    sigma = min(geo.length(sd[0], "x"), geo.length(sd[-1], "y"))
    return int(sigma // REDUCED_BLUR_SIGMA) if sigma >= REDUCE_FROM_SIGMA else 1


def _device_size(surface) -> tuple[int, int, float]:
    target = surface.cairo
    if isinstance(target, cairo.ImageSurface):
        return target.get_width(), target.get_height(), 1.0
    k = 2.0  # vector outputs (PDF): filtered elements are embedded as 144-dpi pixels
    return math.ceil(surface.width * k), math.ceil(surface.height * k), k


def _scale_of(matrix: cairo.Matrix, k: float) -> float:
    return k * max(math.hypot(matrix.xx, matrix.yx), math.hypot(matrix.xy, matrix.yy))


def _sample_cached(context: cairo.Context, cached, scale: float) -> bool:
    """Set the source to a filter result drawn before at a larger size, sampled down, when
    that is as exact as running the chain again. A blurred or shadowed layer has no detail a
    smaller size would draw differently; the sharp shape inside a shadow's result is:
    - down to half size, bilinear sampling is exact enough;
    - at 1/n (n ≤ MAX_SAMPLE_DOWN, the 400 px thumbnail of a 1200 px card) with the smaller
      pixels' edges on the larger ones', when the result holds no detail sharper than a blur
      of n pixels (`_softness`: a glow, a layer blur; not a shadow under its sharp shape),
      each smaller pixel is the mean of the n × n it covers
      (tests/test_filter_sampling.py compares both with running the chain again).
    False: run the chain (rotated, another ratio, off the grid)."""
    _, drawn_scale, result, user_to_buffer, softness = cached
    if not drawn_scale >= scale:
        return False
    if scale >= drawn_scale / 2:
        pattern = cairo.SurfacePattern(result)
        pattern.set_matrix(user_to_buffer)
        pattern.set_filter(cairo.FILTER_BILINEAR)
        context.set_source(pattern)
        return True
    blocks = _whole_blocks(context.get_matrix(), user_to_buffer, result)
    if blocks is None or softness < blocks[0]:
        return False  # (sharp detail: drawn again, as n × n means would soften it)
    n, (bx0, by0, bx1, by1), (dx0, dy0) = blocks
    small = fb.reduced_argb(result, n, bx0, by0, bx1, by1)
    pattern = cairo.SurfacePattern(small)
    pattern.set_matrix(context.get_matrix().multiply(cairo.Matrix(x0=-dx0, y0=-dy0)))
    pattern.set_filter(cairo.FILTER_NEAREST)  # pixel for pixel
    context.set_source(pattern)
    return True


def _whole_blocks(device: cairo.Matrix, user_to_buffer: cairo.Matrix, result):
    """(n, the result's rectangle in whole n × n blocks, where its first block lands in device
    pixels) when the result maps onto device pixels at exactly 1/n with block edges on pixel
    edges; else None."""
    buffer_to_device = cairo.Matrix(*user_to_buffer.as_tuple())
    try:
        buffer_to_device.invert()
    except cairo.Error:
        return None
    xx, yx, xy, yy, tx, ty = buffer_to_device.multiply(device).as_tuple()
    if abs(yx) > 1e-9 or abs(xy) > 1e-9 or xx <= 0 or abs(xx - yy) > 1e-9:
        return None
    n = round(1 / xx)
    # buffer pixel b lands on device (b + tx·n) / n: block edges on device pixel edges when
    # tx·n is whole.
    ox, oy = tx * n, ty * n
    if not 2 <= n <= MAX_SAMPLE_DOWN or abs(1 / xx - n) > 1e-6 or \
            abs(ox - round(ox)) > 1e-4 or abs(oy - round(oy)) > 1e-4:
        return None
    ox, oy = round(ox), round(oy)
    width, height = result.get_width(), result.get_height()
    # Blocks covering the result: buffer columns from bx0 (≤ 0) in steps of n, on the grid
    # where (b + ox) is a multiple of n.
    bx0, by0 = -((ox % n) or 0), -((oy % n) or 0)
    bx1 = bx0 + -(-(width - bx0) // n) * n
    by1 = by0 + -(-(height - by0) // n) * n
    return n, (bx0, by0, bx1, by1), ((bx0 + ox) // n, (by0 + oy) // n)


SAME_INPUT_KEPT = 8  # different sources kept per filter and geometry (a render's lifetime)
SAME_INPUT_MAX_BYTES = 4 << 20  # larger sources are not compared nor kept
SAME_INPUT_TOTAL_BYTES = 64 << 20  # sources kept for comparison in one render, at most


def _input_bytes(entry: list) -> bytes:
    """A kept element's source pixels as bytes, made the first time they are compared."""
    if entry[0] is None:
        entry[0] = entry[2][0].tobytes()
        entry[2] = None  # (the buffer is no longer needed)
    return entry[0]


def _same_input_key(primitives, geo: _Context, source, k: float, reduce: int) -> tuple | None:
    """What a chain's result depends on besides the source's pixels: the filter, the scale
    and orientation (blur widths, offsets), the box's size (objectBoundingBox primitive
    units) and the buffer's size. Not the region's place in the buffer: only the window
    taken from the result depends on it (tiles along the canvas's edge have their regions
    cut by it, and share the run of the tiles inside). None: position-dependent (primitive
    subregions) or too large to compare."""
    width, height = source.size
    if width * height * 4 > SAME_INPUT_MAX_BYTES or any(_has_subregion(p) for p in primitives):
        return None
    box = tuple(geo.bbox[2:]) if geo.primitive_bbox and geo.bbox else None
    return ("same input", id(geo.filter_node), k, reduce,
            geo.matrix.xx, geo.matrix.yx, geo.matrix.xy, geo.matrix.yy, box, width, height)


def apply_filter(surface, node, name: str) -> None:
    """Replace the current source (the element's drawn group) by its filtered pixels."""
    filter_node = surface.filters.get(name)
    if filter_node is None:
        return
    # Filtered results of the render, reused for its smaller sizes (one render draws the image,
    # the thumbnail and the retina thumbnail from one tree). Values keep the node alive, so an
    # id() can't be reused by another node while the render lasts.
    results = context_of(surface).filter_results
    width, height, k = _device_size(surface)
    scale = _scale_of(surface.context.get_matrix(), k)
    cached = results.get((id(node), name)) if results is not None else None
    if isinstance(cached, Under):
        if painted_as_is(surface, node) and cached.can_sample(scale, MAX_SAMPLE_DOWN):
            cached.paint(surface.context)  # (the element's own group stays the source)
            return
    elif cached is not None and isinstance(surface.cairo, cairo.ImageSurface) and \
            _sample_cached(surface.context, cached, scale):
        return
    primitives = [c for c in filter_node.children if c.tag.startswith("fe")]
    unsupported = sorted({c.tag for c in primitives if c.tag not in PRIMITIVES})
    if unsupported:
        context_of(surface).warn(f"filter {name!r} uses unsupported {', '.join(unsupported)}; "
             f"element {node.get('id') or node.tag!r} drawn unfiltered")
        return
    context = surface.context
    pattern = context.get_source()
    matrix = context.get_matrix()
    geo = _geometry(surface, node, filter_node, matrix, k, keep=False)
    reduce = _fact(geo, _reduction, primitives)
    if reduce > 1:  # the whole chain at 1/reduce resolution: its result is all blur anyway
        k, width, height = k / reduce, math.ceil(width / reduce), math.ceil(height / reduce)
        geo = _Context(surface, node, filter_node, matrix, k)
    region = geo.filter_region()
    if region is None:  # no bbox known (text…): filter the element's ink area plus a margin
        full = _rasterise(pattern, matrix, k, 0, 0, width, height)
        ys, xs = np.nonzero(full.to_float()[..., 3] > 0)
        if len(xs) == 0:
            return
        inverse = cairo.Matrix(*matrix.as_tuple())
        inverse.invert()
        x0, y0 = inverse.transform_point(xs.min() / k, ys.min() / k)
        x1, y1 = inverse.transform_point((xs.max() + 1) / k, (ys.max() + 1) / k)
        bw, bh = abs(x1 - x0), abs(y1 - y0)
        geo.bbox = (min(x0, x1), min(y0, y1), bw, bh)
        region = geo.filter_region()
    rx0, ry0, rx1, ry1 = geo.user_rect_to_buffer(*region)
    # A reduced result keeps one pixel beyond the canvas: the upscale samples between pixels,
    # and a cleared neighbour would darken the canvas edges by half a (large) pixel.
    edge = 1 if reduce > 1 else 0
    rx0, ry0 = max(rx0, -edge), max(ry0, -edge)
    rx1, ry1 = min(rx1, width + edge), min(ry1, height + edge)
    if rx1 <= rx0 or ry1 <= ry0:
        context.set_source_rgba(0, 0, 0, 0)
        return
    # Like Chromium, primitives see the source beyond the region's edge (a blur near the edge
    # does not fade to transparent); only the result is clipped to the region. The buffer
    # reaches past the canvas by the chain's reach: transparent where the element ends at the
    # canvas (a blurred full-page picture fades at the page's edge, as in a browser), the
    # canvas's edge pixels repeated where the element runs on past it (a card off the page
    # keeps its shadow up to the edge): the group holds nothing beyond the canvas to draw.
    pad = _fact(geo, _reach, primitives)
    px0, py0, px1, py1 = rx0 - pad, ry0 - pad, rx1 + pad, ry1 + pad
    if reduce == 1:
        # Past the canvas only on a side where the element has ink on the canvas's edge: on the
        # others a buffer ending at the canvas draws the same (nothing there to fade or to
        # continue) at the old cost — a card inside the page keeps its shadow buffer small.
        box = (max(px0, 0), max(py0, 0), min(px1, width), min(py1, height))
        source = _rasterise(pattern, matrix, k, box[0], box[1], box[2] - box[0], box[3] - box[1])
        inked = _inked_edges(source, box, (px0, py0, px1, py1), width, height)
        if any(inked):
            px0, py0 = (px0 if inked[0] else box[0]), (py0 if inked[1] else box[1])
            px1, py1 = (px1 if inked[2] else box[2]), (py1 if inked[3] else box[3])
            source = _rasterise(pattern, matrix, k, px0, py0, px1 - px0, py1 - py0)
            _continue_past_canvas(source, geo, (px0, py0, px1, py1), width, height)
        else:
            px0, py0, px1, py1 = box
    else:
        source = _rasterise(pattern, matrix, k, px0, py0, px1 - px0, py1 - py0)
    rasterised = source  # (holds the memory `pixels` views)
    pixels = fb.pixels_view(source)
    below = None  # the merge's layers under the element, when painted under it (filter_under)
    if _fact(geo, _bounded, primitives):
        # The result cannot reach past the element's ink plus the chain's reach: work only there.
        ink = fb.ink_box(source)
        if ink is None:
            context.set_source_rgba(0, 0, 0, 0)
            return
        if reduce == 1 and (rx1 - rx0) * (ry1 - ry0) >= UNDER_FROM_PIXELS and \
                painted_as_is(surface, node) and ink_inside(
                (px0 + ink[0], py0 + ink[1], px0 + ink[2], py0 + ink[3]),
                (rx0, ry0, rx1, ry1), width, height):
            below = names_below(primitives, _linear)
        cx0, cy0 = max(ink[0] - pad, 0), max(ink[1] - pad, 0)
        cx1, cy1 = min(ink[2] + pad, px1 - px0), min(ink[3] + pad, py1 - py0)
        source = fb.crop(source, cx0, cy0, cx1, cy1)
        pixels = pixels[cy0:cy1, cx0:cx1]
        px0, py0, px1, py1 = px0 + cx0, py0 + cy0, px0 + cx1, py0 + cy1
    # Another element of this render with the same filter, the same pixels and the same
    # geometry relative to its buffer (a grid of identical shadowed cards) has the same result.
    same_key = _same_input_key(primitives, geo, source, k, reduce)
    if same_key is not None and below is not None:
        same_key += ("under",)  # (its result lacks the element)
    same = results.setdefault(same_key, []) if results is not None and same_key else None
    # Compared as bytes: one copy of the strided view, then a memcmp that stops at the first
    # difference (array_equal compared every pixel again for each element kept). Made only
    # once a second element meets the same key: most filters are used once in a render.
    hit = None
    if same:
        key_bytes = pixels.tobytes()
        hit = next((entry for entry in same if _input_bytes(entry) == key_bytes), None)
    if hit is not None:
        padded = hit[1]
    else:
        geo.origin = (px0, py0)
        try:
            padded = run_chain(primitives, source, geo, filter_node, below=below)
        except (ValueError, TypeError, ArithmeticError) as exc:  # MemoryError: render fails
            context_of(surface).warn(f"filter {name!r} failed ({type(exc).__name__}); "
                                     "element drawn unfiltered")
            return
        kept = results.get("same input bytes", 0) if results is not None else 0
        if same is not None and len(same) < SAME_INPUT_KEPT and kept < SAME_INPUT_TOTAL_BYTES:
            # [its bytes once made, the result, the pixels (a view: its buffer kept with it)]
            same.append([None, padded, (pixels, rasterised)])
            width, height = rasterised.size
            results["same input bytes"] = kept + width * height * 4  # (what is held)
    # Only the filter region shows: the result is the padded buffer's window on it
    # (outside it the pattern paints nothing, as a clip would leave).
    pw, ph = padded.size
    wx0, wy0 = min(max(rx0 - px0, 0), pw), min(max(ry0 - py0, 0), ph)
    wx1, wy1 = max(min(rx1 - px0, pw), wx0 + 1), max(min(ry1 - py0, ph), wy0 + 1)
    if below is not None:
        under = Under(padded, matrix.multiply(cairo.Matrix(k, 0, 0, k, -px0, -py0)),
                      (wx0, wy0, wx1, wy1), scale, _fact(geo, _under_softness, primitives),
                      opaque_rect(pixels[..., 3]))
        under.paint(context)  # then CairoSVG paints the element's group over it
        if results is not None:
            results[(id(node), name)] = under
        return
    result = fb.window_argb(padded, wx0, wy0, wx1, wy1)
    filtered = cairo.SurfacePattern(result)
    to_buffer = cairo.Matrix(k, 0, 0, k, -px0 - wx0, -py0 - wy0)
    user_to_buffer = matrix.multiply(to_buffer)
    filtered.set_matrix(user_to_buffer)
    context.set_source(filtered)
    if results is not None and isinstance(surface.cairo, cairo.ImageSurface):
        results[(id(node), name)] = (node, scale, result, user_to_buffer,
                                     _fact(geo, _softness, primitives))  # (its own pixels)


# --- the primitives: one entry each (run; what bounds its result; how far it reaches) ---------

class Step:
    """What a primitive's run sees: its inputs by name (converted to its colour space), the
    geometry, and the region's size."""

    def __init__(self, take, geo: _Context, width: int, height: int, linear: bool, peek=None):
        self._take, self.geo, self.width, self.height, self.linear = take, geo, width, height, linear
        self.peek = peek

    def input(self, name: str | None) -> Buf:
        return self._take(name, self.linear)


def _sigmas(node, geo: _Context, default: str = "0") -> tuple[float, float]:
    sd = _numbers(node.get("stdDeviation", default), 2) or [float(default)]
    sdx, sdy = sd[0], sd[1] if len(sd) > 1 else sd[0]
    return (min(max(geo.length(sdx, "x"), 0.0), MAX_BLUR_DEVICE_PX),
            min(max(geo.length(sdy, "y"), 0.0), MAX_BLUR_DEVICE_PX))


def _offset_of(node, geo: _Context, default: float = 0.0) -> tuple[float, float]:
    return geo.offset(parse_fraction(node.get("dx"), default), parse_fraction(node.get("dy"), default))


def run_blur(node, step: Step) -> Buf:
    return fb.blur(step.input(node.get("in")), *_sigmas(node, step.geo))


def run_offset(node, step: Step) -> Buf:
    return fb.offset(step.input(node.get("in")), *_offset_of(node, step.geo))


def run_flood(node, step: Step) -> Buf:
    return fb.flood(step.width, step.height, _flood_color(node, step.linear))


def run_color_matrix(node, step: Step) -> Buf:
    return fb.color_matrix(step.input(node.get("in")), node.get("type", "matrix"),
                           _numbers(node.get("values")))


def run_composite(node, step: Step) -> Buf:
    operator = node.get("operator", "over")
    if operator == "over":
        fast = _over([node.get("in2"), node.get("in")], step)
        if fast is not None:
            return fast
    a, b = step.input(node.get("in")), step.input(node.get("in2"))
    if operator == "arithmetic":
        k = tuple(parse_fraction(node.get(f"k{i}"), 0.0) for i in range(1, 5))
        return fb.Buf.from_float(ops.arithmetic(a.to_float(), b.to_float(), k))
    return fb.composite(a, b, fb.PORTER_DUFF.get(operator, fb.PORTER_DUFF["over"]))


def run_blend(node, step: Step) -> Buf:
    mode = node.get("mode", "normal")
    if mode not in fb.BLEND:
        context_of(step.geo.surface).warn(f"feBlend mode {mode!r} is not supported; using normal")
        mode = "normal"
    if mode == "normal":  # "over"
        fast = _over([node.get("in2"), node.get("in")], step)
        if fast is not None:
            return fast
    return fb.composite(step.input(node.get("in")), step.input(node.get("in2")), fb.BLEND[mode])


def run_merge(node, step: Step) -> Buf:
    names = [child.get("in") for child in node.children if child.tag == "feMergeNode"]
    return _over(names, step) or fb.merge([step.input(name) for name in names], step.width,
                                          step.height)


def _over(names: list, step: Step) -> Buf | None:
    """Layers painted over each other in linearRGB, without converting whole images: each
    layer goes to sRGB as it is (a source image, or a single-colour shadow converted by its
    colour), cairo paints them in sRGB, and only the pixels where a partly transparent layer
    lies on something (antialiased edges) are composited again in linearRGB — everywhere else
    "over" gives the same pixel in either space. None: not applicable (sRGB chain, or a
    full-colour layer computed in linearRGB)."""
    if not step.linear or step.peek is None or not names:
        return None
    return _over_layers([step.peek(name) for name in names], step)


def _over_layers(stored: list[tuple[Buf, bool]], step: Step) -> Buf | None:
    """_over on layers as they are stored: (buffer, whether it is in linearRGB)."""
    if not step.linear:
        return None
    layers = []
    for buf, is_linear in stored:
        if is_linear and not buf.alpha_only:
            if buf.solid is None:
                return None
            buf = fb.recoloured(buf, _convert_colour(buf.solid, linear=False))
        layers.append(buf)
    kept = [layer for layer in layers if not layer.is_blank()]  # Figma's transparent flood
    layers = kept or layers
    # Mixing: a partly transparent pixel (1..254: one uint8 compare after wrapping 0 to 255)
    # over something drawn below it (or possibly drawn: a lazy layer's rectangle; the exact
    # compositing of a pixel with nothing below gives the same pixel).
    below = layers[0].maybe_drawn()
    mixing = np.zeros_like(below)
    for layer in layers[1:]:
        partial = (layer.alpha_plane() - np.uint8(1)) < 254
        partial &= below
        mixing |= partial
        if layer is not layers[-1]:
            below |= layer.maybe_drawn()
    ys, xs = np.divmod(np.flatnonzero(mixing), mixing.shape[1])
    out = fb.Buf.blank(step.width, step.height)
    context = out.context()
    exact = np.zeros((len(ys), 4), np.float32)  # premultiplied linearRGB at the mixing pixels
    for index, layer in enumerate(layers):
        layer.paint_onto(context)
        if len(ys):
            # The bottom layer's pixels are what it just painted on the blank buffer (a lazy
            # shadow is never drawn twice); the others have theirs already.
            pixels = out._pixels()[ys, xs] if index == 0 else layer.pixels_at(ys, xs)
            rgba = pixels[:, [2, 1, 0, 3]].astype(np.float32) * (1 / 255)
            exact = ops.srgb_to_linear(rgba) + exact * (1 - rgba[:, 3:4])
    out.alpha_only = all(layer.alpha_only for layer in layers)
    colours = {layer.solid for layer in layers}
    if len(colours) == 1 and None not in colours:
        out.solid = colours.pop()  # e.g. a shadow merged with an empty flood
    if len(ys):
        pixels = ops.linear_to_srgb(exact)[:, [2, 1, 0, 3]]
        out._pixels()[ys, xs] = np.clip(pixels * 255 + 0.5, 0, 255).astype(np.uint8)
        out.surface.mark_dirty()
    out.linear = False
    return out


def run_drop_shadow(node, step: Step) -> Buf:
    # The shadow is the input's alpha (the same in either colour space) in one colour, so in a
    # linearRGB chain the input is laid over it without converting it (see _over_layers).
    stored = step.peek(node.get("in")) if step.peek is not None else None
    shadow = fb.blur(fb.alpha_of(stored[0] if stored else step.input(node.get("in"))),
                     *_sigmas(node, step.geo, "2"))
    shadow = fb.offset(shadow, *_offset_of(node, step.geo, 2.0))
    colour = fb.flood(step.width, step.height, _flood_color(node, step.linear))
    shadow = fb.composite(colour, shadow, fb.PORTER_DUFF["in"])
    if stored is not None:
        fast = _over_layers([(shadow, step.linear), stored], step)
        if fast is not None:
            return fast
    return fb.composite(step.input(node.get("in")), shadow, fb.PORTER_DUFF["over"])


def run_morphology(node, step: Step) -> Buf:
    radius = _numbers(node.get("radius", "0"), 2) or [0.0]
    rx, ry = radius[0], radius[1] if len(radius) > 1 else radius[0]
    src = step.input(node.get("in"))
    return fb.Buf.from_float(ops.morphology(
        src.to_float(), int(round(min(step.geo.length(rx, "x"), MAX_BLUR_DEVICE_PX))),
        int(round(min(step.geo.length(ry, "y"), MAX_BLUR_DEVICE_PX))),
        node.get("operator", "erode") == "dilate"), src.alpha_only)


def run_component_transfer(node, step: Step) -> Buf:
    functions = {}
    for child in node.children:
        channel = {"feFuncR": 0, "feFuncG": 1, "feFuncB": 2, "feFuncA": 3}.get(child.tag)
        if channel is None:
            continue
        attrs = {key: parse_fraction(child.get(key), default) for key, default in (
            ("slope", 1.0), ("intercept", 0.0), ("amplitude", 1.0), ("exponent", 1.0),
            ("offset", 0.0))}
        attrs["tableValues"] = _numbers(child.get("tableValues"))
        functions[channel] = (child.get("type", "identity"), attrs)
    return fb.Buf.from_float(ops.component_transfer(step.input(node.get("in")).to_float(),
                                                    functions))


def run_tile(node, step: Step) -> Buf:
    return step.input(node.get("in"))  # tiles of the whole region: the input itself


# "Bounded": transparent wherever the inputs are transparent (then work can be cropped to the
# ink). `of(name)` answers it for an input.
def follows_input(node, of) -> bool:
    return of(node.get("in"))


def flood_bounded(node, of) -> bool:
    return parse_fraction(node.get("flood-opacity"), 1.0) <= 0


def color_matrix_bounded(node, of) -> bool:
    values = _numbers(node.get("values"))
    alpha_offset = values[19] if node.get("type", "matrix") == "matrix" and len(values) >= 20 \
        else 0.0
    return of(node.get("in")) and alpha_offset <= 0


def transfer_bounded(node, of) -> bool:
    return of(node.get("in")) and not [c for c in node.children if c.tag == "feFuncA"]


def composite_bounded(node, of) -> bool:
    a, b, op = of(node.get("in")), of(node.get("in2")), node.get("operator", "over")
    if op == "in":
        return a or b
    if op == "out":
        return a
    if op == "atop":
        return b
    if op == "arithmetic":
        k2, k3, k4 = (parse_fraction(node.get(f"k{i}"), 0.0) for i in (2, 3, 4))
        return k4 <= 0 and (k2 == 0 or a) and (k3 == 0 or b)
    return a and b


def blend_bounded(node, of) -> bool:
    return of(node.get("in")) and of(node.get("in2"))


def merge_bounded(node, of) -> bool:
    return all(of(c.get("in")) for c in node.children if c.tag == "feMergeNode")


# "Reach": how far (device px) outside the region a primitive pulls pixels from.
def no_reach(node, geo: _Context) -> float:
    return 0.0


def blur_reach(node, geo: _Context) -> float:
    sd = max(_numbers(node.get("stdDeviation", "0"), 2) or [0.0])
    return 3 * min(max(geo.length(sd, "x"), geo.length(sd, "y")), MAX_BLUR_DEVICE_PX)


def offset_reach(node, geo: _Context) -> float:
    dx, dy = _offset_of(node, geo)
    return max(abs(dx), abs(dy))


def drop_shadow_reach(node, geo: _Context) -> float:
    return blur_reach(node, geo) + offset_reach(node, geo)


def morphology_reach(node, geo: _Context) -> float:
    radius = max(_numbers(node.get("radius", "0"), 2) or [0.0])
    return min(max(geo.length(radius, "x"), geo.length(radius, "y")), MAX_BLUR_DEVICE_PX)


@dataclass(frozen=True)
class Primitive:
    run: Callable
    bounded: Callable = follows_input
    reach: Callable = no_reach


PRIMITIVES: dict[str, Primitive] = {
    "feGaussianBlur": Primitive(run_blur, reach=blur_reach),
    "feOffset": Primitive(run_offset, reach=offset_reach),
    "feFlood": Primitive(run_flood, bounded=flood_bounded),
    "feColorMatrix": Primitive(run_color_matrix, bounded=color_matrix_bounded),
    "feComposite": Primitive(run_composite, bounded=composite_bounded),
    "feBlend": Primitive(run_blend, bounded=blend_bounded),
    "feMerge": Primitive(run_merge, bounded=merge_bounded),
    "feDropShadow": Primitive(run_drop_shadow, reach=drop_shadow_reach),
    "feMorphology": Primitive(run_morphology, reach=morphology_reach),
    "feComponentTransfer": Primitive(run_component_transfer, bounded=transfer_bounded),
    "feTile": Primitive(run_tile),
}


def _fact(geo: _Context, compute: Callable, primitives):
    """compute(primitives, geo) (or compute(primitives)), once per render for a filter at one
    scale and orientation (16 shadowed cards: the first one's reach, reduction…)."""
    results = context_of(geo.surface).filter_results
    if results is None:
        return _call_fact(compute, primitives, geo)
    m = geo.matrix
    box = tuple(geo.bbox[2:]) if geo.primitive_bbox and geo.bbox else None
    key = ("fact", compute.__name__, id(geo.filter_node), geo.k, m.xx, m.yx, m.xy, m.yy, box)
    if key not in results:
        results[key] = _call_fact(compute, primitives, geo)
    return results[key]


def _call_fact(compute: Callable, primitives, geo: _Context):
    return compute(primitives) if compute is _bounded else compute(primitives, geo)


def _bounded(primitives) -> bool:
    """True when the chain's result is transparent wherever the source is transparent and out
    of the chain's reach: then the work can be cropped to the ink (a shadow is, a flood is not)."""
    bounded: dict[str, bool] = {"SourceGraphic": True, "SourceAlpha": True,
                                "BackgroundImage": True, "BackgroundAlpha": True,
                                "FillPaint": False, "StrokePaint": False}
    last = True

    def of(name) -> bool:
        return bounded.get(name, last) if name else last

    for node in primitives:
        primitive = PRIMITIVES.get(node.tag)
        last = primitive.bounded(node, of) if primitive else of(node.get("in"))
        if node.get("result"):
            bounded[node.get("result")] = last
    return last


def _softness(primitives, geo: _Context) -> float:
    """The narrowest blur (device px) every path from the element's pixels to the chain's
    result goes through: 0 when sharp detail (the source itself, a morphology) reaches the
    result, inf when none does (a flood)."""
    return _soft_results(primitives, geo)(None)


def _under_softness(primitives, geo: _Context) -> float:
    """_softness of the layers the final merge lays under the element (filter_under)."""
    of = _soft_results(primitives[:-1], geo)
    return min((of(name) for name in names_below(primitives, _linear) or []), default=0.0)


def _soft_results(primitives, geo: _Context) -> Callable:
    """name (None: the last result) -> its softness after running `primitives`."""
    soft: dict[str, float] = {"SourceGraphic": 0.0, "SourceAlpha": 0.0}
    last = 0.0

    def of(name) -> float:
        return soft.get(name, 0.0) if name else last

    for node in primitives:
        tag = node.tag
        if tag == "feGaussianBlur":
            sigma = min(_sigmas(node, geo))
            last = max(of(node.get("in")), sigma)
        elif tag == "feFlood":
            last = math.inf
        elif tag in ("feOffset", "feColorMatrix", "feComponentTransfer", "feTile"):
            last = of(node.get("in"))
        elif tag in ("feComposite", "feBlend"):
            last = min(of(node.get("in")), of(node.get("in2")))
        elif tag == "feMerge":
            last = min((of(c.get("in")) for c in node.children if c.tag == "feMergeNode"),
                       default=math.inf)
        else:  # morphology, a drop shadow (its source on top), anything else
            last = 0.0
        if node.get("result"):
            soft[node.get("result")] = last
    return of


def _reach(primitives, geo: _Context) -> int:
    """How far (device px) outside the region any primitive can pull pixels from."""
    reach = sum(PRIMITIVES[node.tag].reach(node, geo) for node in primitives
                if node.tag in PRIMITIVES)
    return int(math.ceil(min(reach, 4 * MAX_BLUR_DEVICE_PX)))


def _linear(node) -> bool:
    return (node.get("color-interpolation-filters") or "linearRGB") != "sRGB"


def run_chain(primitives, source: Buf, geo: _Context, filter_node, below=None) -> Buf:
    """Run the primitives in order; returns the last result in sRGB. `below`: the final
    merge's inputs under its SourceGraphic (filter_under): the result is those alone."""
    width, height = source.size
    standard = {"SourceGraphic": (source, False)}
    results: dict[str, tuple[Buf, bool]] = {}  # name -> (buffer, is_linear)
    last: tuple[Buf, bool] | None = None

    def take(name, linear: bool) -> Buf:
        buf, is_linear = peek(name)
        if is_linear == linear or buf.alpha_only:  # alpha is the same in both spaces
            return buf
        if buf.solid is not None:  # one colour: convert the colour, repaint the alpha
            return fb.recoloured(buf, _convert_colour(buf.solid, linear))
        return fb.converted(buf, to_linear=linear)

    def peek(name) -> tuple[Buf, bool]:
        """An input as it is stored, and whether it is in linearRGB."""
        if name == "SourceAlpha":
            standard.setdefault("SourceAlpha", (fb.alpha_of(source), False))
        elif name in ("BackgroundImage", "BackgroundAlpha", "FillPaint", "StrokePaint"):
            standard.setdefault(name, (fb.Buf.blank(width, height), False))
        return (standard.get(name) or results.get(name or "") or last
                or standard["SourceGraphic"])

    for node in primitives:
        primitive = PRIMITIVES.get(node.tag)
        if primitive is None:
            continue
        linear = _linear(node)
        if below is not None and node is primitives[-1]:
            layers = [take(name, False) for name in below]
            return layers[0] if len(layers) == 1 else fb.merge(layers, width, height)
        out = primitive.run(node, Step(take, geo, width, height, linear, peek))
        if _has_subregion(node):
            out = fb.clip(out, *_subregion(node, geo))
        last = (out, linear if out.linear is None else out.linear)
        if node.get("result"):
            results[node.get("result")] = last
    if last is None:
        return source
    buf, is_linear = last
    if is_linear and not buf.alpha_only:
        return fb.converted(buf, to_linear=False)
    return buf


def _convert_colour(colour, linear: bool) -> tuple[float, float, float]:
    """A straight colour to linearRGB (linear=True) or back to sRGB."""
    if linear:
        return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                     for c in colour)
    return tuple(c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
                 for c in colour)


def _flood_color(node, linear: bool) -> tuple[float, float, float, float]:
    r, g, b, a = parse_cairo_color(node.get("flood-color", "black"))
    a *= max(0.0, min(1.0, parse_fraction(node.get("flood-opacity"), 1.0)))
    if linear:
        r, g, b = _convert_colour((r, g, b), linear=True)
    return (r * a, g * a, b * a, a)


def _has_subregion(node) -> bool:
    return any(node.get(attr) is not None for attr in ("x", "y", "width", "height"))


def _subregion(node, geo: _Context) -> tuple[int, int, int, int]:
    """A primitive's x/y/width/height as a buffer rectangle (defaults: the filter region)."""
    region = geo.filter_region() or (0, 0, 0, 0)
    if geo.primitive_bbox and geo.bbox:
        bx, by, bw, bh = geo.bbox
        x = bx + parse_fraction(node.get("x"), (region[0] - bx) / bw if bw else 0) * bw
        y = by + parse_fraction(node.get("y"), (region[1] - by) / bh if bh else 0) * bh
        w = parse_fraction(node.get("width"), region[2] / bw if bw else 0) * bw
        h = parse_fraction(node.get("height"), region[3] / bh if bh else 0) * bh
    else:
        s = geo.surface
        x = size(s, node.get("x"), "x") if node.get("x") is not None else region[0]
        y = size(s, node.get("y"), "y") if node.get("y") is not None else region[1]
        w = size(s, node.get("width"), "x") if node.get("width") is not None else region[2]
        h = size(s, node.get("height"), "y") if node.get("height") is not None else region[3]
    return geo.user_rect_to_buffer(x, y, w, h)


def _geometry(surface, node, filter_node, matrix: cairo.Matrix, k: float,
              keep: bool) -> _Context:
    """The element's filter geometry; group_extent keeps it for apply_filter, which runs
    right after CairoSVG drew the element's group (same node, same matrix)."""
    results = context_of(surface).filter_results
    key = ("geometry", id(node), id(filter_node), matrix.as_tuple(), k)
    geo = results.pop(key, None) if results is not None else None
    if geo is None:
        geo = _Context(surface, node, filter_node, matrix, k)
    if keep and results is not None:
        results[key] = geo
    return geo


def group_extent(surface, node, name: str) -> tuple[int, int, int, int] | None:
    """The device rectangle a filtered element's group needs (its filter region plus the
    chain's reach), or None when it is not known before drawing (text, a transform of its own,
    a vector output). CairoSVG groups a filtered element over the whole canvas: a canvas-sized
    group to allocate, clear and paint for every small shadow. apply_filter reads no pixel
    of the group outside this rectangle."""
    filter_node = surface.filters.get(name)
    if filter_node is None or node.get("transform") or \
            not isinstance(surface.cairo, cairo.ImageSurface):
        return None
    geo = _geometry(surface, node, filter_node, surface.context.get_matrix(), 1.0, keep=True)
    region = geo.filter_region()
    if region is None:
        return None
    primitives = [c for c in filter_node.children if c.tag.startswith("fe")]
    reduce = max(_fact(geo, _reduction, primitives), 1)
    margin = _fact(geo, _reach, primitives) + 3 * reduce + 2  # rounding at a reduced resolution
    x0, y0, x1, y1 = geo.user_rect_to_buffer(*region)
    return x0 - margin, y0 - margin, x1 + margin, y1 + margin
