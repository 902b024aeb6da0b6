"""The applied tree as a self-contained SVG file (the `svg` output format)."""

from __future__ import annotations

from lxml import etree

from svgrender.draw.surfaces import Drawing, Size
from svgrender.io.images import TOKEN_PREFIX
from svgrender.svg.xml import href, local_name, set_href


def write_svg(drawing: Drawing, size: Size) -> bytes:
    """Decoded-image tokens back to data: URIs, on a copy (the drawing may be drawn again)."""
    tree = etree.fromstring(etree.tostring(drawing.tree))
    for element in tree.iter():
        if isinstance(element.tag, str) and local_name(element) == "image":
            link = href(element) or ""
            key = link[len(TOKEN_PREFIX):] if link.startswith(TOKEN_PREFIX) else None
            if key in drawing.images:
                set_href(element, drawing.images[key].data_uri())
    return etree.tostring(tree)
