"""One sanitiser for every template, on disk or uploaded: what it keeps, and why.

The parser already refuses entities and the network, never loads a DTD and drops processing
instructions (xml-stylesheet). Here an allow-list (in the spirit of DOMPurify's SVG profile)
keeps only SVG elements that draw or define something: no scripts, no foreignObject, no
animation (`<set>`/`<animate>` can rewrite an href), no element from another namespace
(`html:meta` refresh, `html:img`). Attributes lose event handlers, `javascript:` values and
`xml:base`; hrefs must be fragments (`data:` for images). CSS, in `<style>`, `style` and
presentation attributes, is parsed with tinycss2 (svg/css.py) and loses every reference outside
the file. Sizes and nesting are bounded, and the element count after <use> and pattern expansion
is computed (cycles refused) so a template cannot ask for a billion draws.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from lxml import etree

from svgrender.errors import InvalidTemplate, RenderLimitExceeded
from svgrender.settings import Settings
from svgrender.svg.css import (clean_declarations, clean_stylesheet, safe_reference,
                               value_loads_outside)
from svgrender.svg.xml import XLINK_HREF, href, local_name, parse_style, url_fragment

MAX_INFLATED_BYTES = 5 * 1024 * 1024
SVG_NS = "http://www.w3.org/2000/svg"
ALLOWED_ELEMENTS = {
    "svg", "g", "defs", "symbol", "use", "switch", "desc", "title", "metadata", "style", "a",
    "image", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "textPath", "tref", "clipPath", "mask", "pattern", "marker", "linearGradient",
    "radialGradient", "stop", "filter", "view", "solidcolor",
    "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
    "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood",
    "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge",
    "feMergeNode", "feMorphology", "feOffset", "fePointLight", "feSpecularLighting",
    "feSpotLight", "feTile", "feTurbulence",
    "flowRoot", "flowRegion", "flowPara", "flowSpan", "flowDiv", "flowRegionExclude",
}
# Namespaced attributes that are kept: links (checked below), XML's own, and the editors'
# bookkeeping (inert; Inkscape's label names layers).
KEPT_ATTRIBUTE_NAMESPACES = {"http://www.w3.org/1999/xlink",
                             "http://www.w3.org/XML/1998/namespace",
                             "http://www.inkscape.org/namespaces/inkscape",
                             "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"}
DROPPED_ATTRIBUTES = {"{http://www.w3.org/XML/1998/namespace}base"}
REFERENCING_PROPERTIES = ("fill", "stroke", "filter", "mask", "clip-path")
HREF_TAGS_FRAGMENT_ONLY = {"use", "a", "tref", "textPath", "linearGradient", "radialGradient",
                           "pattern", "filter", "mpath"}


@dataclass(frozen=True)
class Limits:
    max_elements: int
    max_depth: int
    max_expanded: int  # elements drawn after <use>/pattern expansion

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(settings.max_template_elements, settings.max_template_depth,
                   settings.max_template_expanded)


DEFAULT_LIMITS = Limits.from_settings(Settings())


@dataclass
class Report:
    removed: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        if len(self.removed) < 200 and what not in self.removed:
            self.removed.append(what)


def inflate(data: bytes, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """Gunzip .svgz with a hard cap on the output (a 1 GB bomb stops at `limit`)."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error:
        raise InvalidTemplate("the gzip (svgz) data is corrupt") from None
    if len(out) > limit or decompressor.unconsumed_tail:
        raise RenderLimitExceeded(f"the svgz inflates to more than {limit:,} bytes",
                                  code="template_too_large")
    return out


def check_shape(root: etree._Element, limits: Limits) -> None:
    count = 0
    for element in root.iter():
        count += 1
        if count > limits.max_elements:
            raise RenderLimitExceeded(f"the template has more than {limits.max_elements:,} "
                                      "elements", code="template_too_complex")
    # Depth without recursion (a 10,000-deep nest must not blow the stack).
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limits.max_depth:
            raise RenderLimitExceeded(f"elements are nested more than {limits.max_depth} deep",
                                      code="template_too_complex")
        stack.extend((child, depth + 1) for child in element)


def expanded_count(root: etree._Element, limit: int) -> int:
    """Elements drawn once every <use> and pattern fill is expanded; cycles are refused."""
    elements = list(root.iter(etree.Element))  # elements only: no comments or PIs
    ids = {el.get("id"): i for i, el in enumerate(elements) if el.get("id")}
    references = _reference_lists(elements, ids)
    if not any(references):  # most templates: nothing is drawn twice
        if len(elements) > limit:
            _too_many(limit)
        return len(elements)
    # Integer indices, not lxml elements, as keys: every element is asked for several times.
    position = {el: i for i, el in enumerate(elements)}
    children: list[list[int]] = [[] for _ in elements]
    for i, el in enumerate(elements[1:], 1):
        children[position[el.getparent()]].append(i)
    memo = [0] * len(elements)  # 0: not counted yet (every count is at least 1)
    visiting = [False] * len(elements)

    def cycle_at(i: int):
        el = elements[i]
        raise RenderLimitExceeded(f"<use> or pattern references form a cycle at "
                                  f"{el.get('id') or local_name(el)!r}", code="template_cycle")

    # Iterative post-order walk over children and references: no recursion, so no
    # process-wide recursion limit to raise.
    stack: list[tuple[int, bool]] = [(0, False)]
    while stack:
        i, children_done = stack.pop()
        if memo[i]:
            continue
        if children_done:
            visiting[i] = False
            total = 1
            for j in children[i]:
                total += memo[j]
            for j in references[i]:
                total += memo[j]
            if total > limit:
                _too_many(limit)
            memo[i] = total
            continue
        if visiting[i]:
            cycle_at(i)
        visiting[i] = True
        stack.append((i, True))
        for j in (*children[i], *references[i]):
            if memo[j]:
                continue
            if visiting[j]:
                cycle_at(j)
            stack.append((j, False))
    return memo[0]


def _too_many(limit: int):
    raise RenderLimitExceeded(f"the template expands to more than {limit:,} drawn "
                              "elements (<use> and pattern references)",
                              code="template_too_complex")


def _reference_lists(elements: list, ids: dict) -> list[tuple[int, ...]]:
    """For each element, the indices of the elements it draws by reference."""
    out: list[tuple[int, ...]] = []
    for el in elements:
        attrib = el.attrib
        found: list[int] = []
        tag = el.tag
        if tag.endswith("use") and local_name(el) == "use":
            target = ids.get((href(el) or "").lstrip("#"))
            if target is not None:
                found.append(target)
        style = attrib.get("style")
        declared = parse_style(style) if style else None  # style wins over the attribute
        for prop in REFERENCING_PROPERTIES:
            value = (declared.get(prop) if declared else None) or attrib.get(prop)
            if value and "url(" in value:
                fragment = url_fragment(value)
                if fragment and fragment in ids:
                    found.append(ids[fragment])
        out.append(tuple(found))
    return out


def _clean_attributes(element: etree._Element, tag: str, report: Report) -> None:
    for attr, value in element.attrib.items():  # (a list: deleting below is safe)
        name = attr.rsplit("}", 1)[-1]
        namespace = attr[1:].split("}", 1)[0] if attr.startswith("{") else ""
        if name[:2].lower() == "on" or attr in DROPPED_ATTRIBUTES or (
                namespace and namespace not in KEPT_ATTRIBUTE_NAMESPACES):
            report.note(f"{name} attribute")
            del element.attrib[attr]
        # (no colon, no "javascript:": path data, most values, skip the whitespace-free copy)
        elif ":" in value and "javascript:" in "".join(value.split()).lower():
            report.note(f"{name}={value[:40]!r}")
            del element.attrib[attr]
        elif name == "style":
            removed: list[str] = []
            cleaned = clean_declarations(value, removed, f"<{tag}> style")
            if removed:
                element.set("style", cleaned)
                for what in removed:
                    report.note(what)
        elif not namespace and ("(" in value or "\\" in value):
            outside = value_loads_outside(value)
            if outside is not None:
                report.note(f"{name}={value[:60]!r}")
                del element.attrib[attr]


def sanitize(root: etree._Element, limits: Limits) -> Report:
    """Clean `root` in place; return what was removed. Raises on over-limit templates."""
    report = Report()
    check_shape(root, limits)
    plain = not root.tag.startswith("{")  # a document without the SVG namespace
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            if element.getparent() is not None:  # comments, PIs (the parser dropped most)
                element.getparent().remove(element)
            continue
        tag = local_name(element)
        namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
        if element is not root and (tag not in ALLOWED_ELEMENTS
                                    or namespace != ("" if plain else SVG_NS)):
            if element.getparent() is not None:
                report.note(f"<{tag}>" if namespace in ("", SVG_NS) else f"<{tag}> ({namespace})")
                element.getparent().remove(element)
            continue
        _clean_attributes(element, tag, report)
        link = href(element)
        if tag == "use" and link is not None and not link.startswith("#"):
            report.note(f"<use> href {link[:80]!r}")
            element.getparent().remove(element)  # a <use> with nothing to use
            continue
        if link is not None:
            ok = link.startswith("#") if tag in HREF_TAGS_FRAGMENT_ONLY else (
                safe_reference(link) if tag in ("image", "feImage") else link.startswith("#"))
            if not ok:
                report.note(f"<{tag}> href {link[:80]!r}")
                element.attrib.pop("href", None)
                element.attrib.pop(XLINK_HREF, None)
        if tag == "style" and element.text:
            removed: list[str] = []
            element.text = clean_stylesheet(element.text, removed)
            for what in removed:
                report.note(what)
    expanded_count(root, limits.max_expanded)
    return report
