"""What a layer's properties are in the template itself (before any request changes them), in
the request's own terms and units: the studio's inspector shows them as each field's value."""

from __future__ import annotations

import math

from lxml import etree

from svgrender.svg.units import parse_length
from svgrender.svg.xml import local_name, style_value, url_fragment
from svgrender.templates.textboxes import to_root

INHERITED = {"fill", "stroke", "stroke-width", "font-family", "font-size", "font-weight",
             "font-style", "letter-spacing", "text-transform"}
ALIGN = {"start": "left", "middle": "center", "end": "right"}


def _declared(element: etree._Element, prop: str) -> str | None:
    node = element
    while node is not None and isinstance(node.tag, str):
        value = style_value(node, prop)
        if value and value != "inherit":
            return value.strip()
        if prop not in INHERITED:
            return None
        node = node.getparent()
    return None


def _px(value: str | None, factor: float) -> float | None:
    if not value:
        return None
    try:
        return round(parse_length(value) * factor, 2)
    except ValueError:
        return None


def _paint(element, value: str | None, ids: dict) -> str | None:
    if value is None:
        return None
    target = ids.get(url_fragment(value) or "")
    if target is not None:
        kind = local_name(target)
        return {"linearGradient": "linear-gradient", "radialGradient": "radial-gradient"}.get(
            kind, "pattern")
    return value


def current_values(layer, template) -> dict:
    """Font, size (px), weight, style, spacing, alignment, colours, border, opacity and fit
    settings as the template has them; a property the template does not set is left out."""
    try:
        return _values(layer, template)
    except Exception:  # a report, never a failure
        return {}


def _values(layer, template) -> dict:
    element = layer.element
    root = template.root
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    vx, vy, vw, vh = template.viewbox
    matrix = to_root(element, root)
    factor = (abs(matrix.xx) or 1.0) * template.width / (vw or template.width or 1.0)
    out: dict = {}
    fill = _declared(element, "fill")
    if layer.kind == "text":
        family = _declared(element, "font-family")
        if family:
            out["fontFamily"] = family.split(",")[0].strip().strip("'\"")
        out["fontSize"] = _px(_declared(element, "font-size"), factor) or round(16 * factor, 2)
        weight = _declared(element, "font-weight") or "normal"
        out["fontWeight"] = {"normal": 400, "bold": 700}.get(
            weight, int(weight) if weight.isdigit() else weight)
        out["fontStyle"] = _declared(element, "font-style") or "normal"
        spacing = _declared(element, "letter-spacing")
        if spacing and spacing.endswith("em"):
            try:
                out["letterSpacing"] = round(float(spacing[:-2]) * out["fontSize"], 2)
            except ValueError:
                pass
        elif spacing not in (None, "normal"):
            out["letterSpacing"] = _px(spacing, factor)
        else:
            out["letterSpacing"] = 0
        anchor = element.get("data-anchor")
        if anchor in ALIGN:
            out["textAlign"] = ALIGN[anchor]
        out["textTransform"] = _declared(element, "text-transform") or "none"
        out["color"] = _paint(element, fill, ids) or "#000000"
        if element.get("data-line-height"):
            out["lineHeight"] = float(element.get("data-line-height"))
        if element.get("data-max-lines"):
            out["maxLines"] = int(element.get("data-max-lines"))
        if element.get("data-min-font-size"):
            out["minFontSize"] = _px(element.get("data-min-font-size"), factor)
        out["wrap"] = element.get("data-wrap") or "word"
        out["autoFit"] = element.get("data-auto-fit") == "true"
    elif layer.kind in ("shape", "canvas"):
        paint = _paint(element, fill, ids)
        out["color"] = out["backgroundColor"] = paint or ("#000000" if fill is None else paint)
    stroke = _paint(element, _declared(element, "stroke"), ids)
    if layer.kind != "text" and stroke and stroke != "none":
        out["borderColor"] = stroke
        out["borderWidth"] = _px(_declared(element, "stroke-width"), factor) or factor
    elif layer.kind in ("shape", "canvas", "image"):
        out["borderWidth"] = 0
    if local_name(element) == "rect":
        out["borderRadius"] = _px(element.get("rx") or element.get("ry"), factor) or 0
    opacity = style_value(element, "opacity")
    try:
        value = float(opacity) if opacity else 1.0
    except ValueError:
        value = 1.0
    # As a browser reads it: "NaN" or "inf" is no opacity at all, and it is clamped to 0-1.
    out["opacity"] = min(max(value, 0.0), 1.0) if math.isfinite(value) else 1.0
    # A report is JSON: a number the template wrote as NaN or 1e999 is left out, not sent.
    return {k: v for k, v in out.items()
            if v is not None and not (isinstance(v, float) and not math.isfinite(v))}
