"""The registry of request properties, at the bottom of the package: each property's JSON name
and type, the layer kinds it fits, and the order they are applied in.

The request schema (params.py), the kind checks (apply.check_params), the layer listings and the
CSV columns derive from it; apply.py holds what applies each one (apply.HANDLERS, by name).
Adding a property is one `Property(...)` entry here and its handler there. This module imports
nothing of svgrender (tests/test_imports.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

import msgspec

Length = Union[float, str]


class Box(msgspec.Struct, forbid_unknown_fields=True):
    """A text box in template units (the layer's own coordinates)."""

    x: float
    y: float
    width: float
    height: float


class Barcode(msgspec.Struct, forbid_unknown_fields=True):
    """A barcode drawn in the layer's box (svgrender/kinds/barcode.py draws it)."""

    type: Literal["ean13", "upca", "code128", "code39", "itf", "isbn13"]
    value: str
    text: bool = True  # the human-readable value under the bars
    color: str | None = None  # the bars (and text); default black
    background: str | None = None  # behind the code and its quiet zone; default white, or "none"


def barcode_from_text(text: str) -> dict:
    """A barcode written in a CSV cell or a render link: its JSON object, or the short form
    `type:value` (e.g. `ean13:5901234123457`)."""
    text = text.strip()
    if text.startswith("{"):
        try:
            value = msgspec.json.decode(text)
        except msgspec.DecodeError:
            raise ValueError("barcode is not valid JSON") from None
        if not isinstance(value, dict):
            raise ValueError("barcode JSON must be an object")
        return value
    kind, colon, value = text.partition(":")
    if not colon:
        raise ValueError("barcode is {\"type\", \"value\"} as JSON or type:value "
                         "(e.g. ean13:5901234123457)")
    return {"type": kind.strip().lower(), "value": value}


def barcode_to_text(value: Barcode) -> str:
    return msgspec.json.encode(value).decode()


MAX_CHART_VALUES = 200  # points, bars or slices of a short-form chart (kinds/chart.py)

Chart = Annotated[dict[str, Any], msgspec.Meta(
    title="Chart",
    description="A chart drawn as vector in the layer's box: the short form {type: bar|line|"
                "area|pie|donut, values: [numbers], labels?: [text], colors?: [CSS colours]} "
                f"(at most {MAX_CHART_VALUES} values), or a Vega-Lite spec with inline data only "
                "({\"vegaLite\": {...}}, or a spec with $schema/mark; needs the [charts] extra). "
                "In a CSV column or a render link: the same object as JSON.",
    examples=[{"type": "bar", "values": [3, 5, 2], "labels": ["Mon", "Tue", "Wed"]}])]


def chart_from_text(text: str) -> dict:
    """A chart written in a CSV cell or a render link: its JSON object."""
    try:
        value = msgspec.json.decode(text.strip())
    except msgspec.DecodeError:
        raise ValueError("chart is a JSON object, e.g. {\"type\":\"bar\",\"values\":[3,5]}") \
            from None
    if not isinstance(value, dict):
        raise ValueError("chart JSON must be an object")
    return value


def chart_to_text(value: dict) -> str:
    return msgspec.json.encode(value).decode()


@dataclass(frozen=True)
class Property:
    """One request property: its JSON name and type (the request schema is built from these)
    and the layer kinds it fits. Listed in the order they are applied; one without a handler
    in apply.HANDLERS is read by another property's handler (see `group`)."""

    name: str
    type: object
    kinds: frozenset[str]
    group: tuple[str, ...] = ()  # also apply this one when only these properties are given


ALL = frozenset({"canvas", "text", "image", "shape", "group"})
TEXT, IMAGE = frozenset({"text"}), frozenset({"image"})
BORDERED = frozenset({"shape", "canvas", "image", "text"})
IMAGE_GROUP = ("imagePosition", "imageAlignH", "imageAlignV")
DRAWN = frozenset({"shape", "group"})  # layer kinds a QR code, barcode or rating is drawn into

PROPERTIES: tuple[Property, ...] = (
    # Order matters: images before borders (borders frame the placed image), text before fonts.
    Property("hidden", bool, ALL),
    Property("text", str, TEXT),
    Property("color", str, frozenset({"text", "shape", "canvas"})),
    Property("backgroundColor", str, frozenset({"canvas", "shape"})),
    Property("fontFamily", str, TEXT),
    Property("fontSize", Length, TEXT),
    Property("fontWeight", Union[int, str], TEXT),
    Property("fontStyle", Literal["normal", "italic", "oblique"], TEXT),
    Property("letterSpacing", Length, TEXT),
    Property("lineHeight", Length, TEXT),
    Property("textAlign", Literal["left", "center", "right", "justify"], TEXT),
    Property("verticalAlign", Literal["top", "middle", "bottom"], TEXT),
    Property("textTransform", Literal["none", "uppercase", "lowercase", "capitalize"],
             TEXT),  # applied with the text (apply.finish_text)
    Property("maxLines", int, TEXT),
    Property("autoFit", bool, TEXT),
    Property("minFontSize", Length, TEXT),
    Property("wrap", Literal["word", "char", "none"], TEXT),
    Property("box", Box, TEXT),
    Property("imageUrl", str, IMAGE, group=IMAGE_GROUP),
    Property("imagePosition", Literal["cover", "contain", "fill", "align", "face", "attention"],
             IMAGE),  # face, attention: kinds/crops.py, after the border (apply.finish_crop)
    Property("imageFocus", str, IMAGE),  # "x,y" fractions: kinds/crops.py
    Property("imageAlignH", Literal["left", "center", "right"], IMAGE),
    Property("imageAlignV", Literal["top", "middle", "bottom"], IMAGE),
    Property("imageEffect", str, IMAGE),  # svgrender/kinds/effects.py
    # Drawn kinds (svgrender/kinds/): replace the layer's content with vector shapes in its box.
    Property("qrCode", str, DRAWN),
    Property("qrErrorCorrection", Literal["L", "M", "Q", "H"], DRAWN),
    Property("qrColor", str, DRAWN),
    Property("qrBackground", str, DRAWN),
    Property("qrQuietZone", bool, DRAWN),
    Property("barcode", Barcode, DRAWN),
    Property("rating", float, DRAWN),
    Property("ratingMax", int, DRAWN),
    Property("ratingColor", str, DRAWN),
    Property("ratingEmptyColor", str, DRAWN),
    Property("ratingShape", Literal["star", "heart", "circle"], DRAWN),
    Property("chart", Chart, DRAWN),  # svgrender/kinds/chart.py
    Property("borderRadius", Length, frozenset({"shape", "canvas", "image"})),
    Property("borderColor", str, BORDERED),
    Property("borderWidth", Length, BORDERED),
    Property("opacity", float, ALL),
    Property("href", str, ALL),  # a link: <a> in SVG, an annotation in PDF
)
BY_NAME: dict[str, Property] = {p.name: p for p in PROPERTIES}


def properties_for(kind: str) -> list[str]:
    return [p.name for p in PROPERTIES if kind in p.kinds]
