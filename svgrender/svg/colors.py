"""CSS colour parsing (#rgb, #rrggbb(aa), rgb()/rgba(), hsl()/hsla(), named) without regexes.

Input length is capped before any work, so hostile strings cost nothing.
"""

from __future__ import annotations

import colorsys
from typing import NamedTuple

from cairosvg.colors import COLORS as _CAIRO_NAMED

MAX_COLOR_CHARS = 64


class Color(NamedTuple):
    r: int
    g: int
    b: int
    a: float = 1.0

    @property
    def hex(self) -> str:
        return f"#{self.r:02x}{self.g:02x}{self.b:02x}"


def _named() -> dict[str, Color]:
    table = {}
    for name, (r, g, b, a) in _CAIRO_NAMED.items():
        table[name] = Color(round(r * 255), round(g * 255), round(b * 255), a)
    table["transparent"] = Color(0, 0, 0, 0.0)
    table["rebeccapurple"] = Color(102, 51, 153)  # CSS Color 4, missing from CairoSVG's table
    return table


NAMED = _named()


def _number(text: str) -> float:
    text = text.strip()
    if not text or len(text) > 16:
        raise ValueError(text)
    return float(text)


def _channel(text: str) -> int:
    text = text.strip()
    value = _number(text[:-1]) * 2.55 if text.endswith("%") else _number(text)
    if not 0 <= value <= 255.0001:
        raise ValueError(text)
    return round(value)


def _alpha(text: str) -> float:
    text = text.strip()
    value = _number(text[:-1]) / 100 if text.endswith("%") else _number(text)
    if not 0 <= value <= 1:
        raise ValueError(text)
    return value


def _hue(text: str) -> float:
    text = text.strip()
    for unit, factor in (("deg", 1.0), ("turn", 360.0), ("rad", 57.29577951308232)):
        if text.endswith(unit):
            return (_number(text[: -len(unit)]) * factor) % 360
    return _number(text) % 360


def _percent(text: str) -> float:
    text = text.strip()
    if not text.endswith("%"):
        raise ValueError(text)
    value = _number(text[:-1])
    if not 0 <= value <= 100:
        raise ValueError(text)
    return value / 100


def _split_args(inner: str) -> tuple[list[str], str | None]:
    """'1, 2, 3' / '1 2 3 / 0.5' / '1,2,3,0.5' -> ([1,2,3], alpha)."""
    alpha = None
    if "/" in inner:
        inner, alpha = inner.split("/", 1)
    parts = [p for p in inner.replace(",", " ").split() if p]
    if alpha is None and len(parts) == 4:
        alpha = parts.pop()
    return parts, alpha


def parse_color(value: str) -> Color:
    """Parse a CSS colour or raise ValueError."""
    if not isinstance(value, str) or len(value) > MAX_COLOR_CHARS:
        raise ValueError("colour string too long")
    text = value.strip().lower()
    if text in NAMED:
        return NAMED[text]
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) in (3, 4) and all(c in "0123456789abcdef" for c in digits):
            digits = "".join(c * 2 for c in digits)
        if len(digits) in (6, 8) and all(c in "0123456789abcdef" for c in digits):
            r, g, b = (int(digits[i:i + 2], 16) for i in (0, 2, 4))
            a = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
            return Color(r, g, b, round(a, 4))
        raise ValueError(value)
    if "(" in text and text.endswith(")"):
        func, inner = text[:-1].split("(", 1)
        func = func.strip()
        parts, alpha = _split_args(inner)
        if len(parts) != 3:
            raise ValueError(value)
        a = _alpha(alpha) if alpha is not None else 1.0
        if func in ("rgb", "rgba"):
            return Color(*(_channel(p) for p in parts), a)
        if func in ("hsl", "hsla"):
            h, s, l = _hue(parts[0]), _percent(parts[1]), _percent(parts[2])
            r, g, b = colorsys.hls_to_rgb(h / 360, l, s)
            return Color(round(r * 255), round(g * 255), round(b * 255), a)
    raise ValueError(value)
