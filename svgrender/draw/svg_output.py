"""The applied tree as a self-contained SVG file (the `svg` output format)."""

from __future__ import annotations

from lxml import etree

from svgrender.draw.surfaces import Drawing, Size
from svgrender.draw.text_box import FLOW_MARK
from svgrender.io.images import TOKEN_PREFIX
from svgrender.svg.xml import SVG_NS, href, local_name, set_href, set_style


def write_svg(drawing: Drawing, size: Size) -> bytes:
    """Decoded-image tokens back to data: URIs, on a copy (the drawing may be drawn again)."""
    tree = etree.fromstring(etree.tostring(drawing.tree))
    for element in tree.iter():
        if isinstance(element.tag, str) and local_name(element) == "image":
            link = href(element) or ""
            key = link[len(TOKEN_PREFIX):] if link.startswith(TOKEN_PREFIX) else None
            if key in drawing.images:
                set_href(element, drawing.images[key].data_uri())
    for element in [e for e in tree.iter() if isinstance(e.tag, str)]:  # edited as we go
        if element.get("data-layout") in ("box", "anchored"):
            placed = drawing.text_lines.get(element.get("id") or "")
            if placed is not None:
                _write_lines(element, *placed)
        mark = element.attrib.pop(FLOW_MARK, None)
        pieces = drawing.text_lines.get((FLOW_MARK, mark)) if mark is not None else None
        if pieces is not None and element.get("data-layout") not in ("box", "anchored"):
            _write_flowed(element, pieces)
    return etree.tostring(tree)


def _write_flowed(element: etree._Element, pieces: list) -> None:
    """Inkscape flowed text (which no browser draws) as the text it was drawn as: each run of
    each line a positioned tspan in its own style."""
    _as_positioned_text(element, ("data-box", "data-text-align", "data-vertical-align"))
    for x, y, text, css in pieces:
        span = _tspan(element, x, y, text)
        span.set("style", ";".join(f"{name}:{value}" for name, value in css.items()))


def _write_lines(element: etree._Element, font_size: float, lines: list) -> None:
    """The lines the raster sizes drew, as positioned tspans: a browser shows the same text."""
    _as_positioned_text(element, ("x", "y", "dx", "dy", "text-anchor", "data-box",
                                  "data-layout", "data-text", "data-layer", "data-anchor",
                                  "data-grows", "data-box-source", "data-own-text"))
    set_style(element, "font-size", f"{font_size:.4g}px")
    set_style(element, "text-anchor", None)
    for x, y, text in lines:
        _tspan(element, x, y, text)


def _as_positioned_text(element: etree._Element, dropped: tuple[str, ...]) -> None:
    """`element` emptied into a <text> (a flowRoot included) for absolutely placed spans."""
    element.tag = f"{{{SVG_NS}}}text"
    for child in list(element):
        element.remove(child)
    element.text = None
    for attr in dropped:
        element.attrib.pop(attr, None)
    set_style(element, "white-space", "pre")


def _tspan(element: etree._Element, x: float, y: float, text: str) -> etree._Element:
    span = etree.SubElement(element, f"{{{SVG_NS}}}tspan")
    span.set("x", f"{x:.2f}")
    span.set("y", f"{y:.2f}")
    span.text = text
    return span
