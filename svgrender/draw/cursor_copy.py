"""The `copy` module as CairoSVG's walker sees it: a deepcopy that knows the text cursor.

CairoSVG's `Surface.draw` deep-copies its text cursor `([x, y], [dx, dy], width)` for every
element at every size, to put it back after the element's children. `copy.deepcopy` walks that
through its generic machinery (memo, dispatch, tuple rebuild): about a twentieth of drawing an
Illustrator export with thousands of shapes (issue 32). The cursor is lists of numbers and a
number, so the same copy is made directly: new lists with the same numbers, one copy for a list
that appears twice (as deepcopy's memo does). Anything else goes to `copy.deepcopy`.
"""

from __future__ import annotations

import copy as _copy

NUMBERS = (int, float)


def _numbers(value) -> bool:
    return type(value) is list and all(type(item) in NUMBERS for item in value)


def deepcopy(value, memo=None, _nil=[]):  # noqa: B006 (deepcopy's own signature)
    if (memo is None and type(value) is tuple and len(value) == 3
            and _numbers(value[0]) and _numbers(value[1]) and type(value[2]) in NUMBERS):
        position = value[0][:]
        d_position = position if value[1] is value[0] else value[1][:]
        return (position, d_position, value[2])
    return _copy.deepcopy(value, memo, _nil)


class CursorCopy:
    """Stands in for the `copy` module in cairosvg.surface (which uses only deepcopy)."""

    __name__ = "svgrender.draw.cursor_copy"
    deepcopy = staticmethod(deepcopy)
    copy = staticmethod(_copy.copy)


module = CursorCopy()
