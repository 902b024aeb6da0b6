"""CSS filter functions (`filter="blur(4px) drop-shadow(…)"`, SVG 2 / SVGs saved from web pages)
rewritten at template load into equivalent <filter> elements, which the filter engine draws.

Each function becomes the primitives the Filter Effects spec gives as its equivalent, in sRGB.
An unknown function leaves the element unfiltered (as browsers do for invalid filter lists).
"""

from __future__ import annotations

import math
import re

from lxml import etree

from svgrender.svg.colors import parse_color
from svgrender.svg.xml import SVG_NS, local_name, parse_style, set_style
from svgrender.svg.units import parse_length

FUNCTION = re.compile(r"([a-z-]+)\(([^()]*)\)")


def _amount(text: str, default: float) -> float:
    text = text.strip()
    if not text:
        return default
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def _angle(text: str) -> float:
    text = text.strip() or "0"
    for unit, factor in (("deg", 1.0), ("turn", 360.0), ("rad", 180 / math.pi)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def _fe(tag: str, **attrs) -> etree._Element:
    element = etree.Element(f"{{{SVG_NS}}}{tag}")
    for key, value in attrs.items():
        element.set(key.replace("_", "-"), str(value))
    return element


def _transfer(slope: float | None = None, intercept: float = 0.0, table=None,
              channels: str = "RGB") -> etree._Element:
    element = _fe("feComponentTransfer")
    for channel in channels:
        if table is not None:
            element.append(_fe(f"feFunc{channel}", type="table",
                               tableValues=" ".join(f"{v:g}" for v in table)))
        else:
            element.append(_fe(f"feFunc{channel}", type="linear", slope=f"{slope:g}",
                               intercept=f"{intercept:g}"))
    return element


def primitives(name: str, args: str) -> list[etree._Element]:
    """The primitives equivalent to one CSS filter function (ValueError if not understood)."""
    if name == "blur":
        return [_fe("feGaussianBlur", stdDeviation=f"{parse_length(args or '0'):g}")]
    if name == "drop-shadow":
        parts = re.findall(r"[a-z]+\([^)]*\)|\S+", args)
        lengths, colour = [], "black"
        for part in parts:
            try:
                lengths.append(parse_length(part))
            except ValueError:
                parse_color(part)
                colour = part
        if len(lengths) < 2:
            raise ValueError(args)
        blur = lengths[2] if len(lengths) > 2 else 0.0
        color = parse_color(colour)
        return [_fe("feDropShadow", dx=f"{lengths[0]:g}", dy=f"{lengths[1]:g}",
                    stdDeviation=f"{blur:g}", flood_color=color.hex,
                    flood_opacity=f"{color.a:g}")]
    if name in ("grayscale", "sepia", "saturate", "invert", "opacity", "brightness",
                "contrast") or name == "hue-rotate":
        if name == "hue-rotate":
            return [_fe("feColorMatrix", type="hueRotate", values=f"{_angle(args):g}")]
        amount = _amount(args, 1.0)
        if name == "grayscale":
            return [_fe("feColorMatrix", type="saturate", values=f"{1 - min(amount, 1):g}")]
        if name == "saturate":
            return [_fe("feColorMatrix", type="saturate", values=f"{amount:g}")]
        if name == "sepia":
            a = 1 - min(amount, 1)
            values = [0.393 + 0.607 * a, 0.769 - 0.769 * a, 0.189 - 0.189 * a, 0, 0,
                      0.349 - 0.349 * a, 0.686 + 0.314 * a, 0.168 - 0.168 * a, 0, 0,
                      0.272 - 0.272 * a, 0.534 - 0.534 * a, 0.131 + 0.869 * a, 0, 0,
                      0, 0, 0, 1, 0]
            return [_fe("feColorMatrix", type="matrix",
                        values=" ".join(f"{v:.4g}" for v in values))]
        if name == "invert":
            amount = min(amount, 1)
            return [_transfer(table=[amount, 1 - amount])]
        if name == "opacity":
            return [_transfer(table=[0, min(amount, 1)], channels="A")]
        if name == "brightness":
            return [_transfer(slope=amount)]
        return [_transfer(slope=amount, intercept=-(0.5 * amount) + 0.5)]  # contrast
    raise ValueError(name)


def rewrite(root: etree._Element) -> int:
    """Turn every element's CSS filter-function list into a <filter>; returns how many."""
    defs = None
    count = 0
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        value = parse_style(element.get("style")).get("filter") or element.get("filter")
        if not value or value.strip().startswith(("url(", "none")) or "(" not in value:
            continue
        try:
            chain = [p for name, args in FUNCTION.findall(value.strip().lower())
                     for p in primitives(name, args.strip())]
        except ValueError:
            set_style(element, "filter", None)  # an invalid list: no filter, as browsers do
            continue
        if not chain:
            continue
        if defs is None:
            defs = next((c for c in root if local_name(c) == "defs"), None)
            if defs is None:
                defs = etree.SubElement(root, f"{{{SVG_NS}}}defs")
        filter_id = f"svgrender-css-filter-{count}"
        node = _fe("filter", id=filter_id, x="-50%", y="-50%", width="200%", height="200%",
                   color_interpolation_filters="sRGB")
        for primitive in chain:
            node.append(primitive)
        defs.append(node)
        set_style(element, "filter", f"url(#{filter_id})")
        count += 1
    return count
