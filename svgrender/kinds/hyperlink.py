"""`href` on any layer: the layer becomes a link — an `<a>` around it in SVG output, a link
annotation over what it draws in PDF output (svgrender/draw/walker.py). Only absolute http(s)
URLs: a link in a shared image must not run script (`javascript:`) or point at local files."""

from __future__ import annotations

from urllib.parse import urlsplit

from svgrender.errors import InvalidParam
from svgrender.kinds.place import svg
from svgrender.svg.xml import local_name, set_href

MAX_HREF = 2000
TEXT_PARTS = {"tspan", "textPath", "a"}


def check_href(value: str, layer: str) -> str:
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname
            or len(url) > MAX_HREF or any(c in url for c in '\x00\r\n\t "<>\\')):
        raise InvalidParam(f"layer {layer!r}: href must be an absolute http(s) URL (at most "
                           f"{MAX_HREF} characters, no spaces), got {value[:80]!r}",
                           layer=layer, field="href", code="invalid_href")
    return url


def apply_href(t, value: str) -> None:
    url = check_href(value, t.name)
    element = t.element
    # A span is drawn by its text: the whole text becomes the link.
    while local_name(element) in TEXT_PARTS and element.getparent() is not None and \
            local_name(element.getparent()) in TEXT_PARTS | {"text"}:
        element = element.getparent()
    parent = element.getparent()
    if parent is None:
        raise InvalidParam(f"layer {t.name!r} is the whole image; link one of its layers",
                           layer=t.name, field="href", code="invalid_href")
    if local_name(parent) == "a":  # linked already (a template's own <a>): this URL wins
        set_href(parent, url)
        return
    link = svg("a", href=url)
    link.tail, element.tail = element.tail, None
    parent.replace(element, link)
    link.append(element)
