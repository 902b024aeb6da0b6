"""`<path>` data and polygon points parsed once per render, replayed at every size (issue 32).

CairoSVG's `path()` turns the `d` string into cairo calls with regular expressions and string
slicing, every time the path is drawn: at every output size, and each time a `<use>` repeats it.
On a big export (thousands of paths, each with hundreds of points) that parsing was most of the
draw. The calls it makes depend only on the string, whether a current point exists (and where it
is, unless the data opens with an absolute `M`) and, for numbers with units, the surface's units
(CairoSVG's `size()`), so the first draw records them on the node and later draws of the same
node, at every size, replay them: the same calls, in the same order, with the same numbers.
`<polygon>`/`<polyline>` points (Illustrator draws most shapes with them) are handled alike.
"""

from __future__ import annotations

from collections import deque

from cairosvg.path import path as cairosvg_path
from cairosvg.shapes import polygon as cairosvg_polygon, polyline as cairosvg_polyline

# The context calls CairoSVG's path() makes that only build the path (or the arc's transform).
RECORDED = frozenset({"move_to", "rel_move_to", "line_to", "rel_line_to", "curve_to",
                      "rel_curve_to", "arc", "arc_negative", "close_path", "save", "restore",
                      "translate", "rotate", "scale", "set_tolerance"})
KEPT = "_svgrender_path_calls"


# What CairoSVG's size() reads from the surface, for a number with units ("50%", "2em", "3mm").
UNITS = frozenset({"context_width", "context_height", "font_size", "dpi"})


class _Recorder:
    """Stands in for the cairo context during one draw: forwards every call, and records the
    path-building ones; anything else used makes the recording unusable."""

    def __init__(self, context):
        self._context = context
        self.calls: list[tuple[str, tuple]] = []
        self.usable = True

    def __getattr__(self, name):
        target = getattr(self._context, name)
        if name not in RECORDED:
            if name not in ("has_current_point", "get_current_point"):
                self.usable = False
            return target

        def call(*args):
            self.calls.append((name, args))
            return target(*args)
        return call


class _Surface:
    """Stands in for the surface during one draw: hands out the recorder as its context and
    notes which units were read (only numbers with units read any)."""

    def __init__(self, surface, recorder: _Recorder):
        self._surface, self.context, self.units = surface, recorder, {}

    def __getattr__(self, name):
        value = getattr(self._surface, name)
        if name in UNITS:
            self.units[name] = value
        else:
            self.context.usable = False
        return value


def replayed(draw, attribute: str):
    """CairoSVG's `draw(surface, node)`, replayed from this node's first draw where the inputs
    are the same: the node's `attribute`, whether a current point exists (and where, for path
    data that does not open with an absolute moveto), and the units it read, if any."""

    def replaying(surface, node) -> None:
        context = surface.context
        text = node.get(attribute, "")
        start = None
        if context.has_current_point():
            start = (context.get_current_point()
                     if attribute == "d" and not text.lstrip().startswith("M") else True)
        kept = node.__dict__.setdefault(KEPT, {})
        for units, calls, vertices in kept.get((text, start), ()):
            if all(getattr(surface, name) == value for name, value in units):
                for name, args in calls:
                    getattr(context, name)(*args)
                if vertices is not None:
                    node.vertices = deque(vertices)  # draw_markers consumes its own copy
                return
        recorder = _Recorder(context)
        stand_in = _Surface(surface, recorder)
        had = getattr(node, "vertices", None)
        draw(stand_in, node)
        if recorder.usable:
            vertices = getattr(node, "vertices", None)
            kept.setdefault((text, start), []).append(
                (tuple(stand_in.units.items()), recorder.calls,
                 None if vertices is had else tuple(vertices)))

    replaying.__name__ = replaying.__qualname__ = draw.__name__
    replaying.__doc__ = f"CairoSVG's {draw.__name__}(), parsed once per node (path_replay.py)."
    return replaying


path = replayed(cairosvg_path, "d")
polygon = replayed(cairosvg_polygon, "points")
polyline = replayed(cairosvg_polyline, "points")
