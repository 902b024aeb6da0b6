"""One sanitiser for every template, on disk or uploaded: what it drops, and why.

The parser already refuses entities, DTDs and the network and drops processing instructions
(xml-stylesheet). Here we remove active content and every way of reaching outside the file:
scripts, event handlers, foreignObject, non-fragment <use>/hrefs, non-data images and feImage,
CSS @import and url() that are not fragments or data: URIs. Sizes and nesting are bounded, and
the element count after <use> and pattern expansion is computed (cycles refused) so a template
cannot ask for a billion draws.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from lxml import etree

from svgrender.errors import InvalidTemplate, RenderLimitExceeded
from svgrender.settings import Settings
from svgrender.svg.xml import XLINK_HREF, href, local_name, parse_style, url_fragment

MAX_INFLATED_BYTES = 5 * 1024 * 1024
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import[^;]*;?", re.IGNORECASE)
DROP_TAGS = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
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


def _safe_url(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or value.lower().startswith("data:")


def _clean_css(text: str, report: Report, where: str) -> str:
    if "@import" in text.lower():
        text = CSS_IMPORT.sub("", text)
        report.note(f"@import in {where}")

    def replace(match):
        if _safe_url(match.group(2)):
            return match.group(0)
        report.note(f"url({match.group(2)[:60]}) in {where}")
        return "none"

    return CSS_URL.sub(replace, text)


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

    def references(element) -> list:
        out = []
        if local_name(element) == "use":
            target = ids.get((href(element) or "").lstrip("#"))
            if target is not None:
                out.append(target)
        for prop in ("fill", "stroke", "filter", "mask", "clip-path"):
            fragment = url_fragment(parse_style(element.get("style")).get(prop)
                                    or element.get(prop))
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


def sanitize(root: etree._Element, limits: Limits) -> Report:
    """Clean `root` in place; return what was removed. Raises on over-limit templates."""
    report = Report()
    check_shape(root, limits)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        tag = local_name(element)
        if tag in DROP_TAGS:
            report.note(f"<{tag}>")
            element.getparent().remove(element)
            continue
        for attr in list(element.attrib):
            name = attr.rsplit("}", 1)[-1]
            if name.lower().startswith("on"):
                report.note(f"{name} attribute")
                del element.attrib[attr]
        link = href(element)
        if tag == "use" and link is not None and not link.startswith("#"):
            report.note(f"<use> href {link[:80]!r}")
            element.getparent().remove(element)  # a <use> with nothing to use
            continue
        if link is not None:
            ok = link.startswith("#") if tag in HREF_TAGS_FRAGMENT_ONLY else (
                _safe_url(link) if tag in ("image", "feImage") else link.startswith("#"))
            if not ok:
                report.note(f"<{tag}> href {link[:80]!r}")
                element.attrib.pop("href", None)
                element.attrib.pop(XLINK_HREF, None)
        if element.get("style") and "url(" in element.get("style").lower() or (
                element.get("style") and "@import" in element.get("style").lower()):
            element.set("style", _clean_css(element.get("style"), report, f"<{tag}> style"))
        for attr in ("fill", "stroke", "filter", "mask", "clip-path", "marker-start",
                     "marker-mid", "marker-end", "cursor"):
            value = element.get(attr)
            if value and "url(" in value.lower() and not url_fragment(value) and not \
                    CSS_URL.search(value).group(2).lower().startswith("data:"):
                report.note(f"{attr}={value[:60]!r}")
                del element.attrib[attr]
        if tag == "style" and element.text:
            element.text = _clean_css(element.text, report, "<style>")
    expanded_count(root, limits.max_expanded)
    return report
