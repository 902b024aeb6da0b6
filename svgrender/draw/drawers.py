"""Drawers that replace CairoSVG's own for some tags and hooks (registered in seams.py).

Each says what CairoSVG gets wrong and what we do instead. Nothing here is installed by importing
it: `seams.install()` does that, explicitly.
"""

from __future__ import annotations

import copy
import re
from math import pi

import cairocffi
from cairosvg.css import parse_stylesheets as cairosvg_parse_stylesheets
from cairosvg.defs import draw_gradient as cairosvg_draw_gradient
from cairosvg.image import image as cairosvg_image
from cairosvg.bounding_box import calculate_bounding_box
from cairosvg.helpers import preserve_ratio, size, transform

from svgrender.draw.filters import apply_filter
from svgrender.draw.gradient_strips import StripSource, as_strip
from svgrender.draw.masks import apply_mask
from svgrender.draw.context import context_of
from svgrender.draw.walker import PatternTileSurface
from svgrender.io.images import TOKEN_PREFIX

IMAGE_FILTERS = {"optimizeSpeed": cairocffi.FILTER_FAST, "pixelated": cairocffi.FILTER_NEAREST,
                 "optimizeQuality": cairocffi.FILTER_BEST}


def rounded_rect(surface, node) -> None:
    """<rect> with rx/ry drawn as true elliptical arcs.

    CairoSVG's own version misplaces the Bézier control points, so corners bulge and a pill or
    a rx-of-half-the-size avatar circle comes out as a squircle.
    """
    context = surface.context
    x, y = size(surface, node.get("x"), "x"), size(surface, node.get("y"), "y")
    width = size(surface, node.get("width"), "x")
    height = size(surface, node.get("height"), "y")
    rx, ry = node.get("rx"), node.get("ry")
    if rx in (None, "auto"):
        rx = ry
    if ry in (None, "auto"):
        ry = rx
    rx = min(size(surface, rx, "x"), width / 2) if rx is not None else 0
    ry = min(size(surface, ry, "y"), height / 2) if ry is not None else 0
    if rx <= 0 or ry <= 0:
        context.rectangle(x, y, width, height)
        return
    context.new_path()
    for cx, cy, start in ((x + width - rx, y + ry, -pi / 2), (x + width - rx, y + height - ry, 0),
                          (x + rx, y + height - ry, pi / 2), (x + rx, y + ry, pi)):
        context.save()
        context.translate(cx, cy)
        context.scale(rx, ry)
        context.arc(0, 0, 1, start, start + pi / 2)
        context.restore()
    context.close_path()


def draw_gradient(surface, node, name, opacity) -> bool:
    """CairoSVG's gradient, plus the focal radius `fr` of radial gradients (SVG 2), which it
    ignores: the same circles, stops and spread, with the inner circle given its radius."""
    gradient = surface.gradients[name]
    if getattr(surface, "geometry_only", False) and _stand_in_source(surface, gradient, opacity):
        return True
    drawn, built = _gradient_source(surface, node, name, gradient, opacity)
    if drawn and gradient.tag == "linearGradient" and \
            isinstance(surface.cairo, cairocffi.ImageSurface) and \
            _device_area(surface.context) >= STRIP_FROM_PIXELS:
        ctm = surface.context.get_matrix()
        key = ctm.as_tuple()
        strip = built.strips.get(key, False) if built is not None else False
        if strip is False:
            if built is not None and built.painted is None:
                built.painted = StripSource(built.gradient)
            strip = as_strip(surface.context.get_source(), ctm,
                             built.painted if built is not None else None)
            if built is not None:
                built.strips[key] = strip
        if strip is not None:
            surface.context.set_source(strip)
        return drawn
    if not drawn or gradient.tag != "radialGradient" or not gradient.get("fr"):
        return drawn
    source = surface.context.get_source()
    fx, fy, _, cx, cy, r = source.get_radial_circles()
    user_space = gradient.get("gradientUnits") == "userSpaceOnUse"
    fr = size(surface, gradient.get("fr"), "xy" if user_space else 1)
    if fr <= 0:
        return drawn
    # fr ≥ r is undefined: drawn as resvg does (the first stop fills the circle)
    focal = cairocffi.RadialGradient(fx, fy, min(fr, r * 0.9999), cx, cy, r)
    for offset, *rgba in source.get_color_stops():
        focal.add_color_stop_rgba(offset, *rgba)
    focal.set_matrix(source.get_matrix())
    focal.set_extend(source.get_extend())
    surface.context.set_source(focal)
    return drawn


# A strip costs ~0.1 ms to paint (each size needs its own length): below this many device
# pixels pixman's own gradient fill is cheaper (an Illustrator export's thousands of small
# gradient shapes), above it the strip's lookups are (a card's background).
STRIP_FROM_PIXELS = 32_768


def _device_area(context: cairocffi.Context) -> float:
    """Device pixels the current path's box covers (its points' box under the transform;
    fill_extents would tessellate the path for a finer answer nobody needs here)."""
    x0, y0, x1, y1 = context.path_extents()
    xx, yx, xy, yy, _, _ = context.get_matrix().as_tuple()
    return (x1 - x0) * (y1 - y0) * abs(xx * yy - xy * yx)


def _stand_in_source(surface, gradient, opacity) -> bool:
    """For a surface that measures where things are drawn (templates/layers.py), not their
    colours: a solid source in place of a `userSpaceOnUse` gradient, clear exactly when the
    gradient would be (cairo draws nothing with a clear source), with the gradient's transform
    applied for its side effect (CairoSVG clips everything away when it cannot be inverted).
    Building thousands of gradient patterns was a fifth of measuring an Illustrator export.
    False for other gradients: whether they paint at all depends on the shape's box."""
    if gradient.get("gradientUnits") != "userSpaceOnUse" or gradient.tag not in GRADIENT_LENGTHS:
        return False
    key = (opacity, surface.map_rgba)  # what decides the stops' alphas besides the stops
    seen = gradient.__dict__.setdefault("_svgrender_visible", {})  # (shapes share gradients)
    visible = seen.get(key)
    if visible is None:
        visible = seen[key] = any(
            _visible(surface.map_color(stop.get("stop-color", "black"),
                                       float(stop.get("stop-opacity", 1)) * opacity)[3])
            for stop in gradient.children)
    if gradient.get("gradientTransform"):  # only for its side effect (the pattern is dropped)
        transform(surface, gradient.get("gradientTransform"), cairocffi.SolidPattern(0, 0, 0))
    surface.context.set_source_rgba(0, 0, 0, 1 if visible else 0)
    return True


def _visible(alpha: float) -> bool:
    # cairo keeps colour channels as 16-bit numbers: below half a step an alpha is clear
    return alpha * 0xFFFF + 0.5 >= 1


class _BuiltGradient:
    """One gradient's cairo pattern (user space), its strip patterns by device transform and the
    strips they sample by length (shared by the sizes that need as many entries)."""

    __slots__ = ("gradient", "strips", "painted")

    def __init__(self, gradient):
        self.gradient = gradient
        self.strips: dict[tuple, cairocffi.Pattern | None] = {}
        self.painted: StripSource | None = None  # made on first use as a linear strip


GRADIENT_LENGTHS = {"linearGradient": {"x1": "0%", "y1": "0%", "x2": "100%", "y2": "0%"},
                    "radialGradient": {"cx": "50%", "cy": "50%", "r": "50%"}}
TRANSFORM_NAMES = re.compile(r"matrix|translate|scale|rotate|skewX|skewY")
TRANSFORM_NUMBERS = re.compile(r"[-+0-9.eE,()\s]*")


def _plain_numbers(gradient) -> bool:
    """Whether the gradient's geometry is plain numbers (CairoSVG's size() then reads nothing
    from the surface, so its pattern is the same at every output size)."""
    for name, default in GRADIENT_LENGTHS.get(gradient.tag, {}).items():
        value = str(gradient.get(name, default)).strip()
        if value != "0%" and not _is_number(value):
            return False
    if gradient.tag == "radialGradient" and any(gradient.get(f) is not None for f in ("fx", "fy")):
        if not all(_is_number(str(gradient.get(f, "0"))) for f in ("fx", "fy")):
            return False
    return TRANSFORM_NUMBERS.fullmatch(
        TRANSFORM_NAMES.sub("", gradient.get("gradientTransform") or "")) is not None


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _gradient_source(surface, node, name, gradient, opacity):
    """Set CairoSVG's pattern for the gradient as the source: `(drawn, kept)`.

    A `userSpaceOnUse` gradient's pattern is built on first use and kept on its node at this
    opacity (one parsed tree per render: its sizes and every shape sharing the gradient reuse it;
    an Illustrator export has thousands, issue 32), with its strips by device transform. Not kept:
    `objectBoundingBox` gradients (they depend on the shape), and a gradient whose transform
    cannot be inverted (CairoSVG then clips the context as a side effect of building it)."""
    if gradient.get("gradientUnits") != "userSpaceOnUse":
        return cairosvg_draw_gradient(surface, node, name, opacity), None
    key = (opacity, surface.map_rgba)  # what map_color() reads besides the stop
    plain = gradient.__dict__.get("_svgrender_plain")
    if plain is None:  # read once per parsed tree, not once per shape and size
        plain = gradient.__dict__["_svgrender_plain"] = _plain_numbers(gradient)
    if not plain:  # a length with units: what CairoSVG's size() reads
        key += (surface.context_width, surface.context_height, surface.font_size, surface.dpi)
    kept = gradient.__dict__.setdefault("_svgrender_built", {})
    built = kept.get(key)
    if built is not None:
        surface.context.set_source(built.gradient)
        return True, built
    transformed = bool(gradient.get("gradientTransform"))
    clip = surface.context.clip_extents() if transformed else None
    drawn = cairosvg_draw_gradient(surface, node, name, opacity)
    if drawn and not (transformed and surface.context.clip_extents() != clip):
        kept[key] = built = _BuiltGradient(surface.context.get_source())
    return drawn, built


def draw_pattern(surface, node, name, opacity) -> bool:
    """Pattern fills, with objectBoundingBox tiles anchored at the shape's box.

    CairoSVG anchors such tiles at (0, 0) of user space instead of the shape's corner, so every
    Figma image fill (pattern > use > image) shows a shifted, wrapped picture.
    """
    # A copy: CairoSVG rewrites the pattern's attributes in absolute units as it draws, which
    # broke every later size drawn from the same tree (thumbnails lost Figma image fills).
    pattern_node = copy.copy(surface.patterns[name])
    pattern_node["opacity"] = float(pattern_node.get("opacity", 1)) * opacity
    pattern_node.tag = "g"
    # patternTransform moves the tiles only: the source locks the user space it was set in, so the
    # matrix goes back afterwards. CairoSVG left it on the context, which turned a text filled with
    # a rotated pattern (its glyphs are placed after the source is set) off its line.
    matrix = surface.context.get_matrix()
    try:
        return _set_pattern_source(surface, node, pattern_node)
    finally:
        surface.context.set_matrix(matrix)


def _set_pattern_source(surface, node, pattern_node) -> bool:
    transform(surface, pattern_node.get("patternTransform"))
    default = 1 if pattern_node.get("viewBox") else 0
    if not (size(surface, pattern_node.get("width", default), 1)
            and size(surface, pattern_node.get("height", default), 1)):
        return False
    if pattern_node.get("patternUnits") == "userSpaceOnUse":
        x = size(surface, pattern_node.get("x"), "x")
        y = size(surface, pattern_node.get("y"), "y")
        pattern_width = size(surface, pattern_node.get("width", 0), 1)
        pattern_height = size(surface, pattern_node.get("height", 0), 1)
    else:
        box_x, box_y, width, height = calculate_bounding_box(surface, node)
        x = box_x + size(surface, pattern_node.get("x"), 1) * width
        y = box_y + size(surface, pattern_node.get("y"), 1) * height
        pattern_width = size(surface, pattern_node.pop("width", "1"), 1) * width
        pattern_height = size(surface, pattern_node.pop("height", "1"), 1) * height
        if "viewBox" not in pattern_node:
            pattern_node["width"] = pattern_width
            pattern_node["height"] = pattern_height
            if pattern_node.get("patternContentUnits") == "objectBoundingBox":
                pattern_node["transform"] = f"scale({width}, {height})"
    if pattern_width == 0.0 or pattern_height == 0.0:
        return False
    pattern_surface = PatternTileSurface(pattern_node, None, surface.dpi, surface)
    pattern_pattern = cairocffi.SurfacePattern(pattern_surface.cairo)
    pattern_pattern.set_extend(cairocffi.EXTEND_REPEAT)
    pattern_pattern.set_matrix(cairocffi.Matrix(
        pattern_surface.width / pattern_width, 0, 0,
        pattern_surface.height / pattern_height, -x, -y))
    surface.context.set_source(pattern_pattern)
    return True


def draw_image(surface, node) -> None:
    """<image> whose href is a decoded-image token: paint its pixels directly.

    CairoSVG would decode the data: URI and re-encode it as PNG on every draw (~70 ms for a
    photo); our pixels were decoded once (images.py) and are reused for every size and request.
    """
    href = node.get_href() or ""
    if not href.startswith(TOKEN_PREFIX):
        return _cairosvg_image(surface, node)  # data: URIs only: CairoSVG runs in safe mode
    # Decoded images of the render, by key (surfaces.py hands them to the surface).
    image = context_of(surface).images.get(href[len(TOKEN_PREFIX):])
    if image is None:
        return None
    if image.is_svg:  # vector images keep CairoSVG's own path (already sanitised by us)
        node.pop("href", None)
        node["{http://www.w3.org/1999/xlink}href"] = image.data_uri()
        return _cairosvg_image(surface, node)
    context = surface.context
    x, y = size(surface, node.get("x"), "x"), size(surface, node.get("y"), "y")
    width = size(surface, node.get("width"), "x") or image.width
    height = size(surface, node.get("height"), "y") or image.height
    node.image_width, node.image_height = image.width, image.height
    scale_x, scale_y, translate_x, translate_y = preserve_ratio(surface, node, width, height)
    if not (translate_x == 0 and translate_y == 0 and width == scale_x * image.width
            and height == scale_y * image.height):
        context.rectangle(x, y, width, height)
        context.clip()
    context.save()
    context.translate(x, y)
    context.scale(scale_x, scale_y)
    context.translate(translate_x, translate_y)
    # How big the whole image lands on the output, in device pixels (2x thumbs get more).
    dx = context.user_to_device_distance(image.width, 0)
    dy = context.user_to_device_distance(0, image.height)
    rendering = node.get("image-rendering")
    source = image.surface() if rendering == "pixelated" else image.surface_for(
        (dx[0] ** 2 + dx[1] ** 2) ** 0.5, (dy[0] ** 2 + dy[1] ** 2) ** 0.5)
    if source.get_width() != image.width:
        context.scale(image.width / source.get_width(), image.height / source.get_height())
    pattern = cairocffi.SurfacePattern(source)
    pattern.set_filter(IMAGE_FILTERS.get(rendering, cairocffi.FILTER_GOOD))
    # Sharp edges, as browsers draw them: the outermost pixels extend to the image's edge
    # (the default fades them out over half a source pixel: a soft rim on any enlarged image).
    pattern.set_extend(cairocffi.EXTEND_PAD)
    context.rectangle(0, 0, source.get_width(), source.get_height())
    context.clip()
    context.set_source(pattern)
    context.paint_with_alpha(float(node.get("opacity", 1)))
    context.restore()
    return None


def _cairosvg_image(surface, node) -> None:
    """CairoSVG's image drawer, the node left as it was found: for an SVG image it deletes the
    node's x and y once it has read them, so every later draw of the same tree (the thumbnails,
    drawn from the one parse) put the image at the origin, cut by its own clip."""
    kept = [(name, node[name]) for name in ("x", "y") if name in node]
    try:
        return cairosvg_image(surface, node)
    finally:
        node.update(kept)


def skip_prepare_filter(surface, node, name) -> None:
    """CairoSVG's own pre-pass shifts the element by any feOffset: our engine does offsets."""


def filter_before_painting(surface, node, name) -> None:

    if "id" in node and node["id"] in surface.masks:
        return
    apply_filter(surface, node, name)


def filter_after_painting(surface, node, name) -> None:
    """CairoSVG paints feFlood here as an extra rect; the engine already did the flood."""


def paint_mask(surface, node, name, opacity) -> None:
    """Masks by luminance (the SVG default) or alpha (mask-type: alpha). CairoSVG only masks by
    alpha, and rewrites the mask's attributes in device units on first use, which breaks the
    next size drawn from the same tree."""

    mask_node = surface.masks[name]
    by_alpha = (mask_node.get("mask-type") or "luminance").strip() == "alpha"
    return apply_mask(surface, node, name, opacity, by_alpha)


class _NoRules:
    """A stylesheet matcher with nothing in it."""

    @staticmethod
    def match(element) -> list:
        return []


NO_RULES = _NoRules()


def parse_stylesheets(tree, url):
    """CairoSVG asks two stylesheet matchers about every element it parses, even empty ones —
    and they are empty once the template's rules were written into its elements at load
    (svg/css.py): on an 11,000-element export that asking was a tenth of the render."""
    normal, important = cairosvg_parse_stylesheets(tree, url)
    return (normal if normal.order else NO_RULES, important if important.order else NO_RULES)
