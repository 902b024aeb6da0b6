"""CSS lengths for params: numbers or strings such as "4px", "1.5pt", "2mm"."""

from __future__ import annotations

PX_PER_UNIT = {"px": 1.0, "": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54,
               "mm": 96 / 25.4}


def parse_length(value: float | int | str) -> float:
    """Return the length in px (user units) or raise ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = value.strip().lower()
        if len(text) > 32:
            raise ValueError(value)
        unit = text.lstrip("+-0123456789.e")
        number_text = text[: len(text) - len(unit)] if unit else text
        if unit not in PX_PER_UNIT:
            raise ValueError(value)
        number = float(number_text) * PX_PER_UNIT[unit]
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(value)
    return number


def parse_fraction(value, default: float) -> float:
    """A bounding-box fraction: '-10%' -> -0.1, '0.5' -> 0.5; `default` when absent or bad."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return default
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return default
