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
from contextvars import ContextVar

import cairocffi as cairo
import numpy as np
from cairosvg.bounding_box import calculate_bounding_box
from cairosvg.colors import color as parse_cairo_color
from cairosvg.helpers import size

from svgrender.draw import filter_buffers as fb
from svgrender.draw import filter_ops as ops
from svgrender.draw.filter_buffers import Buf
from svgrender.notices import warn
from svgrender.svg.units import parse_fraction

log = logging.getLogger("svgrender.filters")

MAX_BLUR_DEVICE_PX = 800.0  # hard ceiling per axis, whatever settings and scale say

SUPPORTED = {"feGaussianBlur", "feOffset", "feFlood", "feColorMatrix", "feComposite", "feBlend",
             "feMerge", "feDropShadow", "feMorphology", "feComponentTransfer", "feTile"}


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


def _device_size(surface) -> tuple[int, int, float]:
    target = surface.cairo
    if isinstance(target, cairo.ImageSurface):
        return target.get_width(), target.get_height(), 1.0
    k = 2.0  # vector outputs (PDF): filtered elements are embedded as 144-dpi pixels
    return math.ceil(surface.width * k), math.ceil(surface.height * k), k


# Filtered results of the render in progress, reused for its smaller sizes (one render draws
# the image, the thumbnail and the retina thumbnail from one tree). Values keep the node alive,
# so an id() can't be reused by another node while the render lasts.
current_results: ContextVar[dict | None] = ContextVar("svgrender_filter_results", default=None)


def _scale_of(matrix: cairo.Matrix, k: float) -> float:
    return k * max(math.hypot(matrix.xx, matrix.yx), math.hypot(matrix.xy, matrix.yy))


def apply_filter(surface, node, name: str) -> None:
    """Replace the current source (the element's drawn group) by its filtered pixels."""
    filter_node = surface.filters.get(name)
    if filter_node is None:
        return
    results = current_results.get()
    width, height, k = _device_size(surface)
    scale = _scale_of(surface.context.get_matrix(), k)
    cached = results.get((id(node), name)) if results is not None else None
    if cached is not None and cached[1] >= scale and isinstance(surface.cairo, cairo.ImageSurface):
        # Drawn before at this size or larger: the same pixels, sampled down. A blurred or
        # shadowed layer has no detail that a smaller size would draw differently.
        result, matrix = cached[2], cached[3]
        factor = 1
        while cached[1] / (factor * 2) >= scale and factor < 8:
            factor *= 2  # box-reduce first (exact on premultiplied pixels), then sample
        if factor > 1:
            result = fb.reduced(result, factor)
            matrix = matrix.multiply(cairo.Matrix(1 / factor, 0, 0, 1 / factor, 0, 0))
        pattern = cairo.SurfacePattern(result)
        pattern.set_matrix(matrix)
        # Bilinear is exact enough down to half size and far cheaper than cairo's box filter.
        pattern.set_filter(cairo.FILTER_BILINEAR if scale * 2 >= cached[1] / factor
                           else cairo.FILTER_GOOD)
        surface.context.set_source(pattern)
        return
    primitives = [c for c in filter_node.children if c.tag.startswith("fe")]
    unsupported = sorted({c.tag for c in primitives if c.tag not in SUPPORTED})
    if unsupported:
        warn(f"filter {name!r} uses unsupported {', '.join(unsupported)}; "
             f"element {node.get('id') or node.tag!r} drawn unfiltered")
        return
    context = surface.context
    pattern = context.get_source()
    matrix = context.get_matrix()
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
    rx0, ry0 = max(rx0, 0), max(ry0, 0)
    rx1, ry1 = min(rx1, width), min(ry1, height)
    if rx1 <= rx0 or ry1 <= ry0:
        context.set_source_rgba(0, 0, 0, 0)
        return
    # Like Chromium, primitives see the source beyond the region's edge (a blur near the edge
    # does not fade to transparent); only the result is clipped to the region.
    pad = _reach(primitives, geo)
    px0, py0 = max(rx0 - pad, 0), max(ry0 - pad, 0)
    px1, py1 = min(rx1 + pad, width), min(ry1 + pad, height)
    source = _rasterise(pattern, matrix, k, px0, py0, px1 - px0, py1 - py0)
    if _bounded(primitives):
        # The result cannot reach past the element's ink plus the chain's reach: work only there.
        ink = fb.ink_box(source)
        if ink is None:
            context.set_source_rgba(0, 0, 0, 0)
            return
        cx0, cy0 = max(ink[0] - pad, 0), max(ink[1] - pad, 0)
        cx1, cy1 = min(ink[2] + pad, px1 - px0), min(ink[3] + pad, py1 - py0)
        source = fb.crop(source, cx0, cy0, cx1, cy1)
        px0, py0, px1, py1 = px0 + cx0, py0 + cy0, px0 + cx1, py0 + cy1
    geo.origin = (px0, py0)
    try:
        padded = run_chain(primitives, source, geo, filter_node)
    except (ValueError, TypeError, ArithmeticError, MemoryError) as exc:
        warn(f"filter {name!r} failed ({type(exc).__name__}); element drawn unfiltered")
        return
    # Only the filter region shows: clip the padded result to it.
    result = fb.clip(padded, rx0 - px0, ry0 - py0, rx1 - px0, ry1 - py0).surface
    filtered = cairo.SurfacePattern(result)
    to_buffer = cairo.Matrix(k, 0, 0, k, -px0, -py0)
    user_to_buffer = matrix.multiply(to_buffer)
    filtered.set_matrix(user_to_buffer)
    context.set_source(filtered)
    if results is not None and isinstance(surface.cairo, cairo.ImageSurface):
        results[(id(node), name)] = (node, scale, result, user_to_buffer)


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
        tag = node.tag
        if tag == "feFlood":
            now = parse_fraction(node.get("flood-opacity"), 1.0) <= 0
        elif tag == "feColorMatrix":
            values = _numbers(node.get("values"))
            alpha_offset = values[19] if node.get("type", "matrix") == "matrix" and len(
                values) >= 20 else 0.0
            now = of(node.get("in")) and alpha_offset <= 0
        elif tag == "feComponentTransfer":
            func_a = [c for c in node.children if c.tag == "feFuncA"]
            now = of(node.get("in")) and not func_a
        elif tag == "feComposite":
            a, b, op = of(node.get("in")), of(node.get("in2")), node.get("operator", "over")
            if op == "in":
                now = a or b
            elif op == "out":
                now = a
            elif op == "atop":
                now = b
            elif op == "arithmetic":
                k2, k3, k4 = (parse_fraction(node.get(f"k{i}"), 0.0) for i in (2, 3, 4))
                now = k4 <= 0 and (k2 == 0 or a) and (k3 == 0 or b)
            else:
                now = a and b
        elif tag == "feBlend":
            now = of(node.get("in")) and of(node.get("in2"))
        elif tag == "feMerge":
            now = all(of(c.get("in")) for c in node.children if c.tag == "feMergeNode")
        else:  # blur, offset, morphology, drop shadow, tile: follow their input
            now = of(node.get("in"))
        if _has_subregion(node) and tag == "feFlood":
            now = now or False
        last = now
        if node.get("result"):
            bounded[node.get("result")] = now
    return last


def _reach(primitives, geo: _Context) -> int:
    """How far (device px) outside the region any primitive can pull pixels from."""
    reach = 0.0
    for node in primitives:
        if node.tag in ("feGaussianBlur", "feDropShadow"):
            sd = _numbers(node.get("stdDeviation", "0"), 2) or [0.0]
            reach += 3 * min(max(geo.length(max(sd), "x"), geo.length(max(sd), "y")),
                             MAX_BLUR_DEVICE_PX)
        if node.tag in ("feOffset", "feDropShadow"):
            dx, dy = geo.offset(parse_fraction(node.get("dx"), 0.0), parse_fraction(node.get("dy"), 0.0))
            reach += max(abs(dx), abs(dy))
        if node.tag == "feMorphology":
            radius = max(_numbers(node.get("radius", "0"), 2) or [0.0])
            reach += min(max(geo.length(radius, "x"), geo.length(radius, "y")),
                         MAX_BLUR_DEVICE_PX)
    return int(math.ceil(min(reach, 4 * MAX_BLUR_DEVICE_PX)))


def _linear(node) -> bool:
    return (node.get("color-interpolation-filters") or "linearRGB") != "sRGB"


def run_chain(primitives, source: Buf, geo: _Context, filter_node) -> Buf:
    """Run the primitives in order; returns the last result in sRGB."""
    width, height = source.size
    standard = {"SourceGraphic": (source, False)}
    results: dict[str, tuple[Buf, bool]] = {}  # name -> (buffer, is_linear)
    last: tuple[Buf, bool] | None = None

    def take(name, linear: bool) -> Buf:
        if name == "SourceAlpha":
            standard.setdefault("SourceAlpha", (fb.alpha_of(source), False))
        elif name in ("BackgroundImage", "BackgroundAlpha", "FillPaint", "StrokePaint"):
            standard.setdefault(name, (fb.Buf.blank(width, height), False))
        buf, is_linear = (standard.get(name) or results.get(name or "")
                          or last or standard["SourceGraphic"])
        if is_linear == linear or buf.alpha_only:  # alpha is the same in both spaces
            return buf
        convert = ops.srgb_to_linear if linear else ops.linear_to_srgb
        return fb.Buf.from_float(convert(buf.to_float()))

    for node in primitives:
        linear = _linear(node)
        tag = node.tag
        if tag == "feGaussianBlur":
            sd = _numbers(node.get("stdDeviation", "0"), 2) or [0.0]
            sdx, sdy = sd[0], sd[1] if len(sd) > 1 else sd[0]
            out = fb.blur(take(node.get("in"), linear),
                          min(max(geo.length(sdx, "x"), 0.0), MAX_BLUR_DEVICE_PX),
                          min(max(geo.length(sdy, "y"), 0.0), MAX_BLUR_DEVICE_PX))
        elif tag == "feOffset":
            dx, dy = geo.offset(parse_fraction(node.get("dx"), 0.0), parse_fraction(node.get("dy"), 0.0))
            out = fb.offset(take(node.get("in"), linear), dx, dy)
        elif tag == "feFlood":
            out = fb.flood(width, height, _flood_color(node, linear))
        elif tag == "feColorMatrix":
            out = fb.color_matrix(take(node.get("in"), linear), node.get("type", "matrix"),
                                  _numbers(node.get("values")))
        elif tag == "feComposite":
            operator = node.get("operator", "over")
            a, b = take(node.get("in"), linear), take(node.get("in2"), linear)
            if operator == "arithmetic":
                k = tuple(parse_fraction(node.get(f"k{i}"), 0.0) for i in range(1, 5))
                out = fb.Buf.from_float(ops.arithmetic(a.to_float(), b.to_float(), k))
            else:
                out = fb.composite(a, b, fb.PORTER_DUFF.get(operator, fb.PORTER_DUFF["over"]))
        elif tag == "feBlend":
            mode = node.get("mode", "normal")
            if mode not in fb.BLEND:
                warn(f"feBlend mode {mode!r} is not supported; using normal")
                mode = "normal"
            out = fb.composite(take(node.get("in"), linear), take(node.get("in2"), linear),
                               fb.BLEND[mode])
        elif tag == "feMerge":
            out = fb.merge([take(child.get("in"), linear) for child in node.children
                            if child.tag == "feMergeNode"], width, height)
        elif tag == "feDropShadow":
            sd = _numbers(node.get("stdDeviation", "2"), 2) or [2.0]
            sdx, sdy = sd[0], sd[1] if len(sd) > 1 else sd[0]
            src = take(node.get("in"), linear)
            shadow = fb.blur(fb.alpha_of(src), min(geo.length(sdx, "x"), MAX_BLUR_DEVICE_PX),
                             min(geo.length(sdy, "y"), MAX_BLUR_DEVICE_PX))
            dx, dy = geo.offset(parse_fraction(node.get("dx"), 2.0), parse_fraction(node.get("dy"), 2.0))
            shadow = fb.offset(shadow, dx, dy)
            colour = fb.flood(width, height, _flood_color(node, linear))
            shadow = fb.composite(colour, shadow, fb.PORTER_DUFF["in"])
            out = fb.composite(src, shadow, fb.PORTER_DUFF["over"])
        elif tag == "feMorphology":
            radius = _numbers(node.get("radius", "0"), 2) or [0.0]
            rx, ry = radius[0], radius[1] if len(radius) > 1 else radius[0]
            src = take(node.get("in"), linear)
            out = fb.Buf.from_float(ops.morphology(
                src.to_float(), int(round(min(geo.length(rx, "x"), MAX_BLUR_DEVICE_PX))),
                int(round(min(geo.length(ry, "y"), MAX_BLUR_DEVICE_PX))),
                node.get("operator", "erode") == "dilate"), src.alpha_only)
        elif tag == "feComponentTransfer":
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
            out = fb.Buf.from_float(ops.component_transfer(take(node.get("in"), linear).to_float(),
                                                           functions))
        elif tag == "feTile":
            out = take(node.get("in"), linear)  # tiles of the whole region: the input itself
        else:
            continue
        if _has_subregion(node):
            out = fb.clip(out, *_subregion(node, geo))
        last = (out, linear)
        if node.get("result"):
            results[node.get("result")] = last
    if last is None:
        return source
    buf, is_linear = last
    if is_linear and not buf.alpha_only:
        return fb.Buf.from_float(ops.linear_to_srgb(buf.to_float()))
    return buf


def _flood_color(node, linear: bool) -> tuple[float, float, float, float]:
    r, g, b, a = parse_cairo_color(node.get("flood-color", "black"))
    a *= max(0.0, min(1.0, parse_fraction(node.get("flood-opacity"), 1.0)))
    if linear:
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b))
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
