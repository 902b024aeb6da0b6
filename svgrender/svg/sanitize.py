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
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    # Keyed by the elements themselves: that keeps lxml's proxies alive, so no id() is reused.
    memo: dict = {}
    visiting: set = set()

    found: dict = {}  # element -> what it references (asked twice per element below)

    def references(element) -> list:
        out = found.get(element)
        if out is None:
            out = found[element] = _references(element)
        return out

    def _references(element) -> list:
        out = []
        if local_name(element) == "use":
            target = ids.get((href(element) or "").lstrip("#"))
            if target is not None:
                out.append(target)
        style = parse_style(element.get("style"))  # once, not once per property
        for prop in ("fill", "stroke", "filter", "mask", "clip-path"):
            fragment = url_fragment(style.get(prop) or element.get(prop))
            if fragment and fragment in ids:
                out.append(ids[fragment])
        return out

    # Iterative post-order walk: no recursion, so no process-wide recursion limit to raise.
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        element, children_done = stack.pop()
        if element in memo:
            continue
        if children_done:
            visiting.discard(element)
            total = 1 + sum(memo[child] for child in element if isinstance(child.tag, str))
            total += sum(memo[target] for target in references(element))
            if total > limit:
                raise RenderLimitExceeded(f"the template expands to more than {limit:,} drawn "
                                          "elements (<use> and pattern references)",
                                          code="template_too_complex")
            memo[element] = total
            continue
        if element in visiting:
            raise RenderLimitExceeded(f"<use> or pattern references form a cycle at "
                                      f"{element.get('id') or local_name(element)!r}",
                                      code="template_cycle")
        visiting.add(element)
        stack.append((element, True))
        for child in [*element, *references(element)]:
            if not isinstance(child.tag, str) or child in memo:
                continue
            if child in visiting:
                raise RenderLimitExceeded(f"<use> or pattern references form a cycle at "
                                          f"{child.get('id') or local_name(child)!r}",
                                          code="template_cycle")
            stack.append((child, False))
    return memo[root]


def _clean_attributes(element: etree._Element, tag: str, report: Report) -> None:
    for attr in list(element.attrib):
        name = attr.rsplit("}", 1)[-1]
        namespace = attr[1:].split("}", 1)[0] if attr.startswith("{") else ""
        value = element.attrib[attr]
        if name.lower().startswith("on") or attr in DROPPED_ATTRIBUTES or (
                namespace and namespace not in KEPT_ATTRIBUTE_NAMESPACES):
            report.note(f"{name} attribute")
            del element.attrib[attr]
        elif "javascript:" in "".join(value.split()).lower():
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
