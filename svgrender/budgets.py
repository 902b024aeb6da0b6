"""Limits checked on the applied tree before any drawing starts: refuse early, name the layer."""

from __future__ import annotations

from lxml import etree

from svgrender.errors import RenderLimitExceeded
from svgrender.settings import Settings
from svgrender.svg.xml import local_name, style_value, url_fragment

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


def check_tree(tree: etree._Element, settings: Settings) -> None:
    check_blur(tree, settings)
