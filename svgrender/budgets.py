"""Limits checked on the applied tree before any drawing starts: refuse early, name the layer."""

from __future__ import annotations

from lxml import etree

from svgrender.errors import RenderLimitExceeded
from svgrender.settings import Settings
from svgrender.svg.xml import href, local_name, style_value, url_fragment

BLUR_PRIMITIVES = {"feGaussianBlur", "feDropShadow"}


def _numbers(text: str | None) -> list[float]:
    try:
        return [float(v) for v in (text or "").replace(",", " ").split()][:2]
    except ValueError:
        return []


def _layer_name(element: etree._Element) -> str | None:
    node = element
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def check_blur(tree: etree._Element, settings: Settings) -> None:
    """stdDeviation above the limit (in template px at 1x) -> 422 naming the filtered layer."""
    oversized: dict[str, float] = {}
    for element in tree.iter():
        if local_name(element) in BLUR_PRIMITIVES:
            values = _numbers(element.get("stdDeviation"))
            if values and max(values) > settings.max_blur_px:
                parent = element.getparent()
                if parent is not None and parent.get("id"):
                    oversized[parent.get("id")] = max(values)
    if not oversized:
        return
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        fragment = url_fragment(style_value(element, "filter"))
        if fragment in oversized:
            raise RenderLimitExceeded(
                f"layer {_layer_name(element)!r} uses filter {fragment!r} with a blur "
                f"stdDeviation of {oversized[fragment]:g}; the limit is {settings.max_blur_px:g} "
                "(SVGRENDER_MAX_BLUR)", layer=_layer_name(element), code="blur_too_large")


# Containers drawn only through a reference (counted where they are referenced), not in place.
REFERENCED_ONLY = {"defs", "clipPath", "mask", "pattern", "symbol", "marker", "linearGradient",
                   "radialGradient", "filter", "style", "metadata", "title", "desc", "script"}
MASK_PASSES = 8  # a mask: a canvas-sized capture, luminance in floats, an A8 copy, the paint


def effect_work(root: etree._Element, canvas_pixels: float) -> tuple[float, str | None]:
    """Pixel work of the effects a draw will do: every application of a mask, filter or pattern
    costs about a canvas of pixels (times its passes), and its content is drawn again each
    time, so a mask whose content is masked multiplies (the fan-out bomb: masks of masks).
    Returns (work, the layer whose effects cost most)."""
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    # Keyed by the elements themselves: that keeps lxml's proxies alive (an id() of a
    # transient proxy is reused by the next one).
    content_memo: dict[etree._Element, float] = {}
    active: set[etree._Element] = set()

    def referenced(value: str | None, tag: str) -> etree._Element | None:
        target = ids.get(url_fragment(value) or "")
        return target if target is not None and local_name(target) == tag else None

    def own(element: etree._Element) -> float:
        work = 0.0
        mask = referenced(style_value(element, "mask"), "mask")
        if mask is not None:
            work += MASK_PASSES * canvas_pixels + content(mask)
        flt = referenced(style_value(element, "filter"), "filter")
        if flt is not None:
            primitives = sum(1 for c in flt if isinstance(c.tag, str))
            work += max(1, primitives) * 2 * canvas_pixels
        for paint in ("fill", "stroke"):
            pattern = referenced(style_value(element, paint), "pattern")
            if pattern is not None:
                work += canvas_pixels + content(pattern)
        if local_name(element) == "use":
            target = ids.get((href(element) or "").lstrip("#"))
            if target is not None:
                work += drawn(target)
        return work

    def drawn(element: etree._Element) -> float:
        """Work of drawing `element` once, with everything inside it."""
        key = element
        if key in active:  # a cycle (the sanitiser refuses them): counted once
            return 0.0
        if key in content_memo:
            return content_memo[key]
        active.add(key)
        work = own(element)
        for child in element:
            if isinstance(child.tag, str) and local_name(child) not in REFERENCED_ONLY:
                work += drawn(child)
        active.discard(key)
        content_memo[key] = work
        return work

    def content(container: etree._Element) -> float:
        return sum(drawn(c) for c in container if isinstance(c.tag, str))

    total, worst, worst_work = 0.0, None, 0.0
    for child in root:
        if not isinstance(child.tag, str) or local_name(child) in REFERENCED_ONLY:
            continue
        work = drawn(child)
        total += work
        if work > worst_work:
            worst, worst_work = child, work
    name = None
    if worst is not None:  # the named element inside the costliest top-level one
        named = [worst] + [el for el in worst.iterdescendants() if isinstance(el.tag, str)]
        best = max((el for el in named if el.get("id")), default=None,
                   key=lambda el: content_memo.get(el, 0.0))
        name = best.get("id") if best is not None else None
    return total, name


def check_effects(root: etree._Element, canvas_pixels: float, settings: Settings) -> None:
    """422 before drawing when masks, filters, patterns and their copies would cost more than
    SVGRENDER_MAX_EFFECT_WORK pixel passes (a 1.4 KB file of nested masks took a minute)."""
    if settings.max_effect_work <= 0:
        return
    work, layer = effect_work(root, canvas_pixels)
    if work > settings.max_effect_work:
        where = f" (most of it in {layer!r})" if layer else ""
        raise RenderLimitExceeded(
            f"the masks, filters and patterns of this drawing would need about {work:,.0f} "
            f"pixel passes{where}; the limit is {settings.max_effect_work:,} "
            "(SVGRENDER_MAX_EFFECT_WORK): nest fewer masks or filters", layer=layer,
            code="effects_too_costly")


def check_tree(tree: etree._Element, settings: Settings, canvas_pixels: float = 0.0) -> None:
    check_blur(tree, settings)
    if canvas_pixels:
        check_effects(tree, canvas_pixels, settings)
