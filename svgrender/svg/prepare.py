"""A parsed SVG made ready to draw: sanitised, CSS filters rewritten, root quirks fixed, sized."""

from __future__ import annotations

from copy import deepcopy

from lxml import etree

from svgrender.errors import InvalidTemplate
from svgrender.svg.css import inline_stylesheets
from svgrender.svg.css_filters import rewrite as rewrite_css_filters
from svgrender.svg.sanitize import Limits, sanitize
from svgrender.svg.units import parse_length
from svgrender.svg.xml import local_name, parse_style, set_style, style_value


def svg_size(root: etree._Element) -> tuple[float, float]:
    """The template's 1x size in px: width/height attributes, else the viewBox."""
    viewbox = parse_viewbox(root)
    sizes = []
    for attr, index in (("width", 2), ("height", 3)):
        value = root.get(attr)
        try:
            sizes.append(parse_length(value) if value and not value.endswith("%") else None)
        except ValueError:
            sizes.append(None)
    width, height = sizes
    if viewbox:
        if width is None and height is None:
            width, height = viewbox[2], viewbox[3]
        elif width is None:
            width = height * viewbox[2] / viewbox[3]
        elif height is None:
            height = width * viewbox[3] / viewbox[2]
    if not width or not height or width <= 0 or height <= 0:
        raise InvalidTemplate("the SVG has no usable width/height or viewBox")
    return width, height


def parse_viewbox(root: etree._Element) -> tuple[float, float, float, float] | None:
    try:
        parts = [float(p) for p in (root.get("viewBox") or "").replace(",", " ").split()]
    except ValueError:
        return None
    return tuple(parts) if len(parts) == 4 and parts[2] > 0 and parts[3] > 0 else None


def prepare_root(root: etree._Element, limits: Limits) -> list[str]:
    """Sanitise (sanitize.py), then fix what exports carry that the renderer mishandles.
    Returns what the sanitiser removed."""
    removed = sanitize(root, limits).removed
    inline_stylesheets(root)  # before anything reads styles: class rules count as style
    rewrite_css_filters(root)
    style = parse_style(root.get("style"))
    # A root style="width:100%;height:auto" (SVGs saved from web pages) makes CairoSVG draw nothing.
    if "width" in style or "height" in style:
        style.pop("width", None)
        style.pop("height", None)
        root.set("style", ";".join(f"{k}:{v}" for k, v in style.items()))
    paint_root_background(root)
    spans_for_flow_tails(root)
    inline_paint_server_links(root)
    marker_viewboxes(root)
    return removed


def marker_viewboxes(root: etree._Element) -> None:
    """A <marker> without a viewBox draws its content unscaled (clipped to markerWidth ×
    markerHeight); CairoSVG stretches it to fit instead. The equivalent explicit viewBox
    makes it draw as browsers do."""
    for marker in root.iter("{http://www.w3.org/2000/svg}marker"):
        if marker.get("viewBox") is not None:
            continue
        try:
            width = float(marker.get("markerWidth", "3"))
            height = float(marker.get("markerHeight", "3"))
        except ValueError:
            continue
        if width > 0 and height > 0:
            marker.set("viewBox", f"0 0 {width:g} {height:g}")


GRADIENTS = {"linearGradient", "radialGradient"}
SHARED_ATTRIBUTES = {
    "linearGradient": ("gradientUnits", "gradientTransform", "spreadMethod", "x1", "y1", "x2",
                       "y2"),
    "radialGradient": ("gradientUnits", "gradientTransform", "spreadMethod", "cx", "cy", "r",
                       "fx", "fy", "fr"),
    "pattern": ("patternUnits", "patternContentUnits", "patternTransform", "x", "y", "width",
                "height", "viewBox", "preserveAspectRatio"),
}
COMMON = {"gradientUnits", "gradientTransform", "spreadMethod"}
LINKS = ("href", "{http://www.w3.org/1999/xlink}href")


def inline_paint_server_links(root: etree._Element) -> None:
    """Gradients and patterns that inherit from another by `href` get what they inherit written
    in, once, at load: CairoSVG resolves each such link by re-reading the whole document, so an
    Illustrator file with 11,000 gradients linked to one swatch never finished drawing."""
    servers = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str)
               and el.get("id") and local_name(el) in SHARED_ATTRIBUTES}
    done: set = set()

    def resolve(element, depth: int = 0) -> None:
        if element in done or depth > 32:
            return
        done.add(element)
        link = next((element.get(a) for a in LINKS if element.get(a)), "")
        source = servers.get(link[1:]) if link.startswith("#") else None
        if source is None or source is element:
            return
        resolve(source, depth + 1)
        kind, source_kind = local_name(element), local_name(source)
        same = kind == source_kind
        if (kind in GRADIENTS) != (source_kind in GRADIENTS):
            return  # a gradient never inherits from a pattern, nor the reverse
        for name in SHARED_ATTRIBUTES[kind]:
            if element.get(name) is None and source.get(name) is not None and (
                    same or name in COMMON):
                element.set(name, source.get(name))
        if not any(isinstance(c.tag, str) for c in element):
            for child in source:
                if isinstance(child.tag, str):
                    copy = deepcopy(child)
                    for part in copy.iter():  # ids stay unique
                        if isinstance(part.tag, str):
                            part.attrib.pop("id", None)
                    element.append(copy)
        for name in LINKS:
            element.attrib.pop(name, None)

    for server in list(servers.values()):
        resolve(server)


SVG = "{http://www.w3.org/2000/svg}"
NOT_DRAWN = {"defs", "title", "desc", "metadata", "style", "script"}


def paint_root_background(root: etree._Element) -> None:
    """<svg style="background:#123"> is painted by browsers behind everything; CairoSVG ignores
    it. A full-viewport rect first in the drawing does the same."""
    style = parse_style(root.get("style"))
    color = style.pop("background-color", None) or style.pop("background", None)
    if not color or "url(" in color or " " in color.strip():
        return  # only a plain colour (images and layered backgrounds are not SVG paint)
    root.set("style", ";".join(f"{k}:{v}" for k, v in style.items()))
    rect = etree.Element(SVG + "rect", {"x": "0", "y": "0", "width": "100%", "height": "100%",
                                        "fill": color, "data-svgrender": "root-background"})
    position = 0
    for position, child in enumerate(root):
        if not isinstance(child.tag, str) or local_name(child) not in NOT_DRAWN:
            break
    else:
        position = len(root)
    root.insert(position, rect)


def opacity_after_effects(root: etree._Element) -> None:
    """An element with both `opacity` and a `filter` or `mask`: CairoSVG multiplies a leaf's
    fill and stroke by its opacity *and* paints the filtered group with it again (0.4 became
    0.16). Moving the opacity to a wrapping group applies it once, after the effect, as the
    spec says. Per render: params may have set either."""
    for element in root.xpath("//*[@filter or @mask or contains(@style, 'filter') "
                              "or contains(@style, 'mask')]"):
        style = parse_style(element.get("style"))
        has_effect = any(style.get(p, "").startswith("url(") or element.get(p)
                         for p in ("filter", "mask"))
        opacity = style.get("opacity") or element.get("opacity")
        if not has_effect or opacity is None or element is root:
            continue
        try:
            if float(opacity) >= 1:
                continue
        except ValueError:
            continue
        if any(local_name(a) in ("clipPath", "mask", "pattern", "marker", "symbol", "text")
               for a in element.iterancestors()):
            continue  # a <g> is not allowed (or would split text) there
        group = etree.Element(SVG + "g", {"opacity": opacity})
        element.addprevious(group)
        group.append(element)  # moves it, tail included (harmless outside text)
        if "opacity" in style:
            style.pop("opacity")
            element.set("style", ";".join(f"{k}:{v}" for k, v in style.items()))
        element.set("opacity", "1")


SHAPES = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"}


def strokes_first(paint_order: str | None) -> bool:
    """A `paint-order` value puts the stroke under the fill (SVG 2: `stroke`, `stroke fill`,
    …). Shared by the shape rewrite below and the text drawer."""
    order = (paint_order or "normal").split()
    if order == ["normal"]:
        return False
    full = order + [p for p in ("fill", "stroke", "markers") if p not in order]
    return full.index("stroke") < full.index("fill")


_NAMES_PAINT_ORDER = "descendant-or-self::*[@paint-order or contains(@style, 'paint-order')]"


def paint_order(root: etree._Element) -> None:
    """Shapes with `paint-order: stroke`: CairoSVG always fills first. A stroke-only copy goes
    underneath and the shape itself keeps its fill (and markers, which come last either way).
    Per render, after params: a param that hides or recolours the shape acts on both. Only
    elements that name a paint order are looked at (found by lxml's XPath, in C: a walk of
    every element in Python cost 0.2 s a render on a 3,000-shape Illustrator export)."""
    for element in root.xpath(_NAMES_PAINT_ORDER):
        if local_name(element) not in SHAPES:
            continue
        stroke = style_value(element, "stroke")
        if not stroke or stroke == "none" or not strokes_first(style_value(element,
                                                                            "paint-order")):
            continue
        under = deepcopy(element)
        for part in under.iter():
            if isinstance(part.tag, str):
                part.attrib.pop("id", None)
        for prop, value in (("fill", "none"), ("marker-start", "none"), ("marker-mid", "none"),
                            ("marker-end", "none"), ("paint-order", None)):
            set_style(under, prop, value)
        set_style(element, "stroke", "none")
        set_style(element, "paint-order", None)
        element.addprevious(under)


FLOW_TAGS = {"flowPara", "flowSpan", "flowDiv"}


def spans_for_flow_tails(root: etree._Element) -> None:
    """Text after a <flowSpan> (its XML tail) becomes a span of its own: CairoSVG keeps tails
    only inside <text>, so "…organisier</flowSpan>en Veranstaltungen" lost its second half."""
    for span in list(root.iter("{http://www.w3.org/2000/svg}flowSpan")):
        if span.tail and span.tail.strip() and local_name(span.getparent()) in FLOW_TAGS:
            anonymous = etree.Element("{http://www.w3.org/2000/svg}flowSpan")
            anonymous.text, span.tail = span.tail, None
            span.addnext(anonymous)


def fill_whole_pixels(root: etree._Element, width: int, height: int) -> None:
    """Drawn at whole pixels (a 210 mm page is 793.7 px, drawn at 794), the viewBox must stretch
    by that fraction instead of being centred: else every edge pixel is half transparent (a
    light line in each JPEG). Only for rounding-sized differences, never a designer's
    deliberate letterbox."""
    viewbox = parse_viewbox(root)
    if viewbox is None or (root.get("preserveAspectRatio") or "").strip() == "none":
        return
    wanted, drawn = width / height, viewbox[2] / viewbox[3]
    if abs(wanted - drawn) / wanted < 0.01:
        root.set("preserveAspectRatio", "none")
