"""`barcode`: a linear barcode (EAN-13, UPC-A, ISBN-13, ITF, Code 39, Code 128) drawn into the
layer's box as vector bars, with or without its human-readable text in the template's font.

python-barcode encodes the value into modules (the bars its SVG writer would draw); we place them
as merged rects, each module a whole number of 1x pixels, with a quiet zone on both sides. A
value the symbology cannot carry, a wrong check digit, or a box where a module would be under
MIN_MODULE_PX at 1x is refused naming the layer.
"""

from __future__ import annotations

import math
import re

import barcode as pybarcode
import msgspec

from svgrender.kinds import place
from svgrender.properties import Barcode
from svgrender.properties import barcode_from_text as from_text  # noqa: F401 (its old home)
from svgrender.properties import barcode_to_text as to_text  # noqa: F401
from svgrender.svg.xml import local_name, style_value

MIN_MODULE_PX = 2
MIN_BAR_PX = 12
TYPES = ("ean13", "upca", "code128", "code39", "itf", "isbn13")
QUIET = {"ean13": 11, "upca": 9, "isbn13": 11}  # modules; 10 for the others
CODE39 = re.compile(r"[0-9A-Z \-.$/+%]+")


def _check_digit(digits: str) -> int:
    """GS1 check digit of the digits before it (EAN-13, UPC-A, ISBN-13)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def _checked_gs1(t, kind: str, value: str, length: int) -> str:
    if not value.isdigit() or len(value) not in (length - 1, length):
        t.fail(f"barcode {kind} takes {length - 1} digits, or {length} with the check digit; "
               f"got {value[:40]!r}", "barcode")
    if len(value) == length:
        expected = _check_digit(value[:-1])
        if int(value[-1]) != expected:
            t.fail(f"barcode {kind} {value!r} has check digit {value[-1]}, but the digits "
                   f"before it give {expected}", "barcode")
        return value[:-1]
    return value


def encode(t, spec: Barcode) -> tuple[str, str]:
    """(modules as '0'/'1', the human-readable text) or a 422 naming the layer."""
    kind, value = spec.type, spec.value
    if not value:
        t.fail("barcode value is empty", "barcode")
    if len(value) > 80:
        t.fail("barcode value is over 80 characters", "barcode")
    options = {}
    if kind == "ean13":
        value = _checked_gs1(t, kind, value, 13)
    elif kind == "upca":
        value = _checked_gs1(t, kind, value, 12)
    elif kind == "isbn13":
        digits = value.replace("-", "").replace(" ", "")
        if not digits.startswith(("978", "979")):
            t.fail(f"barcode isbn13 starts with 978 or 979; got {value[:40]!r}", "barcode")
        value = _checked_gs1(t, kind, digits, 13)
    elif kind == "itf":
        if not value.isdigit() or len(value) % 2:
            t.fail(f"barcode itf takes an even number of digits; got {value[:40]!r}", "barcode")
    elif kind == "code39":
        if not CODE39.fullmatch(value):
            t.fail("barcode code39 holds only A-Z, 0-9, space and - . $ / + %; got "
                   f"{value[:40]!r}", "barcode")
        options["add_checksum"] = False
    elif kind == "code128":
        if any(ord(c) > 127 for c in value):
            t.fail("barcode code128 holds ASCII characters only", "barcode")
    try:
        code = pybarcode.get_barcode_class(kind)(value, **options)
        modules = code.build()[0]
        text = code.get_fullcode()
    except Exception as exc:  # the library's view of a bad value (not always BarcodeError)
        t.fail(f"barcode {kind} cannot encode {spec.value[:40]!r}: {exc}", "barcode")
    if set(modules) - {"0", "1"}:
        t.fail(f"barcode {kind} could not be encoded", "barcode")
    return modules, text


def template_font(t) -> str:
    """The first font family the template's text uses (the human-readable text matches it)."""
    for element in t.root.iter():
        if isinstance(element.tag, str) and local_name(element) in ("text", "flowRoot"):
            family = style_value(element, "font-family")
            if family:
                return family
    return "DejaVu Sans"


def apply_barcode(t, spec: Barcode) -> None:
    modules, text = encode(t, spec)
    quiet = QUIET.get(spec.type, 10)
    n = len(modules) + 2 * quiet
    bx, by, bw, bh = place.pixel_box(t)
    module = math.floor(bw / n)
    if module < MIN_MODULE_PX:
        t.fail(f"barcode {spec.type} of {spec.value[:40]!r} needs {n} modules across (quiet "
               f"zones included); the layer's box is {bw:.0f} px wide, under {MIN_MODULE_PX} "
               f"px a module at 1x, too small to scan: use a box at least "
               f"{n * MIN_MODULE_PX} px wide or a shorter value", "barcode")
    width = module * n
    font_px = min(max(module * 7.0, 10.0), bh * 0.3) if spec.text else 0.0
    text_gap = font_px * 0.25 if spec.text else 0.0
    bars_px = bh - font_px - text_gap - 2 * module
    if bars_px < MIN_BAR_PX:
        t.fail(f"barcode needs a box at least {MIN_BAR_PX + font_px + text_gap + 2 * module:.0f} "
               f"px high; the layer's box is {bh:.0f} px", "barcode")
    color = t.color(spec.color or "#000000", "barcode.color")
    background = None if place.is_none(spec.background) else \
        t.color(spec.background or "#ffffff", "barcode.background")
    x = place.snap(bx + (bw - width) / 2)
    y = place.snap(by)
    ux, uy, uw, uh = place.user_box(t, x, y, width, bh)
    unit = uw / n  # a module in user units
    px = uh / bh  # a 1x pixel in user units
    holder = place.replace_content(t)
    code = place.svg("g", transform=f"translate({place.fmt(ux)} {place.fmt(uy)})")
    code.set("data-kind", "barcode")
    if background is not None:
        code.append(place.svg("rect", width=place.fmt(uw), height=place.fmt(uh),
                              **place.paint(background)))
    bars = []
    i = 0
    while i < len(modules):
        if modules[i] == "1":
            start = i
            while i < len(modules) and modules[i] == "1":
                i += 1
            bars.append(f"M{quiet + start} 0h{i - start}v1h{start - i}z")
        else:
            i += 1
    top = module * px
    code.append(place.svg("path", d="".join(bars), transform=(
        f"translate(0 {place.fmt(top)}) scale({place.fmt(unit)} {place.fmt(bars_px * px)})"),
        **place.paint(color)))
    if spec.text:
        label = place.svg("text", x=place.fmt(uw / 2),
                          y=place.fmt(top + (bars_px + text_gap + font_px * 0.8) * px),
                          style=f"font-family:{template_font(t)};"
                                f"font-size:{place.fmt(font_px * px)}px;text-anchor:middle",
                          **place.paint(color))
        label.text = "".join(c if c.isprintable() else " " for c in text)
        code.append(label)
    holder.append(code)
