"""Naming layers without editing the SVG: elements are addressed by their path in the sanitised
document (stable across loads of the same version), and a name becomes the element's `id`."""

from __future__ import annotations

import re

from lxml import etree

from svgrender.errors import InvalidParam
from svgrender.svg.xml import local_name
from svgrender.templates.layers import TEXT_CONTAINERS, classify, is_rendered
from svgrender.templates.model import Template

LAYER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
NAMEABLE = {"g", "text", "flowRoot", "image", "rect", "circle", "ellipse", "path", "polygon",
            "polyline", "line", "use"}
MAX_LISTED = 300


def element_path(element: etree._Element) -> str:
    return element.getroottree().getpath(element)


def unnamed_elements(template: Template) -> list[tuple[str, str, tuple]]:
    """Drawn elements with no layer name that could be given one: (path, kind, box)."""
    if template.root is None:
        return []
    named = {id(layer.element) for layer in template.layers.values()}
    ids = {el.get("id"): el for el in template.root.iter()
           if isinstance(el.tag, str) and el.get("id")}
    out = []
    for element in template.root.iter():
        if (element is template.root or not isinstance(element.tag, str)
                or local_name(element) not in NAMEABLE or id(element) in named
                or not is_rendered(element)
                or any(local_name(a) in TEXT_CONTAINERS for a in element.iterancestors())):
            continue
        box = template.boxes.get(element, (0.0, 0.0, 0.0, 0.0))
        if box[2] <= 0 or box[3] <= 0:
            continue
        out.append((element_path(element), classify(element, template.root, ids), box))
        if len(out) >= MAX_LISTED:
            break
    return out


def set_attributes(root: etree._Element, path: str, attributes: dict[str, str]) -> None:
    """Set attributes (a text layer's `data-box`) on the element at `path`, in place."""
    found = _element_at(root, path)
    for name, value in attributes.items():
        found.set(name, value)


def name_element(root: etree._Element, path: str, name: str) -> None:
    """Give the element at `path` (in this sanitised tree) the layer name `name`, in place."""
    if not LAYER_NAME.match(name or ""):
        raise InvalidParam("layer names start with a letter or '_' and use letters, digits, "
                           "'_', '.', '-' (at most 64)", field="name", code="invalid_layer_name")
    taken = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    if name in taken or name == "canvas":
        raise InvalidParam(f"{name!r} is already a name in this template", field="name",
                           code="layer_name_taken")
    _element_at(root, path).set("id", name)


def _element_at(root: etree._Element, path: str) -> etree._Element:
    try:
        found = root.getroottree().xpath(path) if path.startswith("/") and len(path) < 1000 \
            else []
    except etree.XPathError:
        found = []
    if not isinstance(found, list):  # `//*[1] * 2`, `… = 1`: a number, boolean or string
        kind = {bool: "a boolean", float: "a number"}.get(type(found), "a string")
        raise InvalidParam(f"path {path[:200]!r} evaluates to {kind}, not an element: a path "
                           "selects one element, as GET on the template lists them",
                           field="path", code="element_not_found")
    if len(found) != 1 or not isinstance(found[0], etree._Element) or \
            local_name(found[0]) not in NAMEABLE:
        raise InvalidParam(f"no nameable element at {path[:200]!r}; GET the template for the "
                           "paths of its unnamed elements", field="path",
                           code="element_not_found")
    return found[0]
