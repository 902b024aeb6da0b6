"""Hardened SVG parsing and small helpers for editing elements with lxml."""

from __future__ import annotations

import re

from lxml import etree

from svgrender.errors import InvalidTemplate

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XLINK_HREF = f"{{{XLINK_NS}}}href"
INKSCAPE_LABEL = "{http://www.inkscape.org/namespaces/inkscape}label"


def hardened_parser() -> etree.XMLParser:
    # No entities, no DTD, no network, no huge trees; processing instructions
    # (xml-stylesheet) are dropped at parse time. A DOCTYPE naming an external DTD (every
    # Illustrator export) is accepted and its DTD never loaded. (collect_ids=False must stay
    # unset: with it libxml2 tries to load that DTD, and the parse fails.)
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                           dtd_validation=False, huge_tree=False, remove_pis=True,
                           remove_comments=True)


# Editors' namespaces, declared for them when a file uses the prefix without declaring it (a
# file hand-merged from an Illustrator export and Inkscape edits, seen in real posters).
EDITOR_NAMESPACES = {
    "inkscape": "http://www.inkscape.org/namespaces/inkscape",
    "sodipodi": "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "xlink": XLINK_NS,
    "sketch": "http://www.bohemiancoding.com/sketch/ns",
    "serif": "http://www.serif.com/",
    "i": "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "x": "http://ns.adobe.com/Extensibility/1.0/",
    "graph": "http://ns.adobe.com/Graphs/1.0/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "cc": "http://creativecommons.org/ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
}
UNDECLARED = re.compile(r"Namespace prefix ([\w.-]+) (?:for \S+ )?on \S+ is not defined")
ROOT_START = re.compile(rb"<svg(?=[\s>/])")


def parse_svg(data: bytes) -> etree._Element:
    """Parse SVG bytes into a root element, or raise InvalidTemplate with the reason."""
    for _ in range(len(EDITOR_NAMESPACES) + 1):
        try:
            tree = etree.fromstring(data, hardened_parser()).getroottree()
            break
        except etree.XMLSyntaxError as exc:
            declared = _declare_editor_prefix(data, str(exc))
            if declared is None:
                raise InvalidTemplate(f"not well-formed XML: {exc}") from None
            data = declared
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InvalidTemplate("DOCTYPE with entity declarations is not allowed")
    root = tree.getroot()
    if local_name(root) != "svg":
        raise InvalidTemplate(f"root element is <{local_name(root)}>, not <svg>")
    return root


def _declare_editor_prefix(data: bytes, error: str) -> bytes | None:
    """`data` with the editor namespace the error says is undeclared declared on the root."""
    found = UNDECLARED.search(error)
    uri = EDITOR_NAMESPACES.get(found.group(1)) if found else None
    start = ROOT_START.search(data)
    if uri is None or start is None:
        return None
    declaration = f' xmlns:{found.group(1)}="{uri}"'.encode()
    return data[:start.end()] + declaration + data[start.end():]


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def href(element: etree._Element) -> str | None:
    return element.get("href") or element.get(XLINK_HREF)


def set_href(element: etree._Element, value: str) -> None:
    if XLINK_HREF in element.attrib:
        del element.attrib[XLINK_HREF]
    element.set("href", value)


def parse_style(text: str | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for decl in (text or "").split(";"):
        if ":" in decl:
            name, value = decl.split(":", 1)
            result[name.strip().lower()] = value.strip()
    return result


def style_value(element: etree._Element, prop: str) -> str | None:
    """The declared value of a presentation property (style wins over attribute)."""
    return parse_style(element.get("style")).get(prop) or element.get(prop)


def set_style(element: etree._Element, prop: str, value: str | None) -> None:
    """Set (or with None remove) a property in style="" and drop the competing attribute."""
    style = parse_style(element.get("style"))
    style.pop(prop, None)
    if value is not None:
        style[prop] = value
    if prop in element.attrib:
        del element.attrib[prop]
    if style:
        element.set("style", ";".join(f"{k}:{v}" for k, v in style.items()))
    elif "style" in element.attrib:
        del element.attrib["style"]


def url_fragment(value: str | None) -> str | None:
    """'url(#a)' or 'url("#a")' -> 'a'."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("url(") and ")" in value:
        inner = value[4:value.index(")")].strip().strip("'\"")
        if inner.startswith("#"):
            return inner[1:]
    return None


def font_size_of(element: etree._Element, default: float = 16.0) -> float:
    """The font size in px that applies to an element (its own, else the nearest ancestor's)."""
    from svgrender.svg.units import parse_length

    node = element
    while node is not None:
        value = style_value(node, "font-size")
        if value:
            try:
                return parse_length(value)
            except ValueError:
                return default
        node = node.getparent()
    return default
