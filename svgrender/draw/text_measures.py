"""What a run of template text measures, kept between answers.

Laying a run out (a Pango layout, shaped by HarfBuzz) costs more than drawing it from its kept
coverage mask (text_masks.py), and the texts a request does not change (a subtitle, a price, a
footer) are laid out the same in every answer, at every size: layouts are in template units.
So a run's measures (advance, baseline, height, ink box, glyphs missing) are kept by its
content and the fonts' generation, and its layout is made only when something must be drawn
from it. Measures hold no Pango object: render threads share them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from svgrender.draw.text_style import SCALE

MAX_KEPT = 4096  # runs (~200 bytes each)


@dataclass(frozen=True)
class Measures:
    advance: float  # logical width (template units)
    baseline: float  # from the layout's top
    height: float  # logical height
    em: float  # the font size it was laid out at
    ink: tuple[float, float, float, float]  # x, y, width, height from the layout's origin
    missing: tuple[str, ...] | None = None  # U+XXXX no font has; None: not checked


def measure(layout, missing: tuple[str, ...] | None = None) -> Measures:
    ink, logical = layout.get_extents()
    description = layout.font_description
    em = description.size / SCALE if description else logical.height / SCALE / 1.2
    return Measures(logical.width / SCALE, layout.get_baseline() / SCALE, logical.height / SCALE,
                    em, (ink.x / SCALE, ink.y / SCALE, ink.width / SCALE, ink.height / SCALE),
                    missing)


_kept: OrderedDict = OrderedDict()
_lock = threading.Lock()


def kept(key: tuple) -> Measures | None:
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
        return found


def keep(key: tuple, measures: Measures) -> None:
    with _lock:
        _kept[key] = measures
        _kept.move_to_end(key)
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
