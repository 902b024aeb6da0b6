"""`imageEffect`: photo effects on an image layer as an SVG <filter> chain in <defs>, drawn by
the filter engine (draw/filters.py) and carried as it is by the SVG and PDF outputs.

`grayscale`, `sepia`, `blur:8`, `duotone:#123,#fc3`, `tint:#ff0066:0.4`, `brightness:1.2`,
`contrast:1.1`, `saturate:0.5`, combined with spaces or `|` and run left to right. Each maps to
the primitives of its CSS filter function (svg/css_filters.py) where there is one, all in sRGB
(color-interpolation-filters), as browsers apply CSS filters.
"""

from __future__ import annotations

import re

from svgrender.kinds import place
from svgrender.svg.css_filters import primitives
from svgrender.svg.xml import set_style

MAX_STEPS = 8
MAX_BLUR = 200.0
NAMES = ("grayscale", "sepia", "blur", "duotone", "tint", "brightness", "contrast", "saturate")
# Rec. 709 luma, as CSS grayscale(1) / feColorMatrix saturate(0) weigh the channels.
LUMA = (0.2126, 0.7152, 0.0722)


def _number(t, name: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        t.fail(f"imageEffect {name} takes a number, got {text[:20]!r}", "imageEffect")
    if not low <= value <= high:
        t.fail(f"imageEffect {name} must be between {low:g} and {high:g}, got {value:g}",
               "imageEffect")
    return value


def _luma_matrix():
    row = " ".join(f"{v:g}" for v in LUMA) + " 0 0"
    return place.svg("feColorMatrix", type="matrix",
                     values=f"{row} {row} {row} 0 0 0 1 0")


def steps(t, value: str) -> list:
    words = [w for w in re.split(r"[\s|]+", value.strip()) if w]
    if not words:
        t.fail("imageEffect is empty", "imageEffect")
    if len(words) > MAX_STEPS:
        t.fail(f"imageEffect has {len(words)} effects; at most {MAX_STEPS}", "imageEffect")
    chain = []
    for word in words:
        name, _, args = word.partition(":")
        name = name.lower()
        if name not in NAMES:
            t.fail(f"imageEffect {word[:30]!r} is not one of {', '.join(NAMES)}", "imageEffect")
        if name in ("grayscale", "sepia"):
            amount = _number(t, name, args, 0, 1) if args else 1.0
            chain += primitives(name, f"{amount:g}")
        elif name == "blur":
            radius = _number(t, name, args or "4", 0, MAX_BLUR)
            chain += primitives("blur", f"{radius:g}")
        elif name in ("brightness", "contrast", "saturate"):
            if not args:
                t.fail(f"imageEffect {name} takes a number (e.g. {name}:1.2)", "imageEffect")
            chain += primitives(name, f"{_number(t, name, args, 0, 10):g}")
        elif name == "duotone":
            colours = args.split(",")
            if len(colours) != 2:
                t.fail("imageEffect duotone takes two colours: duotone:#dark,#light",
                       "imageEffect")
            dark, light = (t.color(c.strip(), "imageEffect") for c in colours)
            chain.append(_luma_matrix())
            transfer = place.svg("feComponentTransfer")
            for channel, index in (("R", 0), ("G", 1), ("B", 2)):
                low, high = _rgb(dark)[index], _rgb(light)[index]
                transfer.append(place.svg(f"feFunc{channel}", type="table",
                                          tableValues=f"{low:.4g} {high:.4g}"))
            chain.append(transfer)
        elif name == "tint":
            colour, _, amount_text = args.rpartition(":")
            if not colour:
                colour, amount_text = amount_text, "0.5"
            amount = _number(t, name, amount_text, 0, 1)
            r, g, b = _rgb(t.color(colour, "imageEffect"))
            keep = 1 - amount
            chain.append(place.svg("feColorMatrix", type="matrix", values=(
                f"{keep:g} 0 0 0 {r * amount:.4g} 0 {keep:g} 0 0 {g * amount:.4g} "
                f"0 0 {keep:g} 0 {b * amount:.4g} 0 0 0 1 0")))
    return chain


def _rgb(color) -> tuple[float, float, float]:
    """A parsed colour's channels as 0-1."""
    return color.r / 255, color.g / 255, color.b / 255


def apply_effect(t, value: str) -> None:
    chain = steps(t, value)
    filter_id = f"{t.name}__effect"
    node = place.svg("filter", id=filter_id, x="0", y="0", width="1", height="1",
                     color_interpolation_filters="sRGB")
    node.set("filterUnits", "objectBoundingBox")
    for primitive in chain:
        node.append(primitive)
    place.defs(t.root).append(node)
    set_style(t.element, "filter", f"url(#{filter_id})")
