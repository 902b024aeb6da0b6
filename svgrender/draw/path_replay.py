"""`<path>` data and polygon points parsed once per render, replayed at every size (issue 32).

CairoSVG's `path()` turns the `d` string into cairo calls with regular expressions and string
slicing, every time the path is drawn: at every output size, and each time a `<use>` repeats it.
On a big export (thousands of paths, each with hundreds of points) that parsing was most of the
draw. The calls it makes depend only on the string, the current point it starts from and the
surface's units (CairoSVG's `size()`), so the first draw records them on the node and later draws
of the same node replay them: the same calls, in the same order, with the same numbers.
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


class _Recorder:
    """Stands in for the cairo context during one path(): forwards every call, and records
    the path-building ones; anything else read makes the recording unusable."""

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


def _start(context) -> tuple | None:
    return context.get_current_point() if context.has_current_point() else None


def replayed(draw, attribute: str):
    """CairoSVG's `draw(surface, node)`, replayed from this node's first draw where the inputs
    (the node's `attribute`, the start point, the surface's units) are the same."""

    def replaying(surface, node) -> None:
        context = surface.context
        key = (node.get(attribute, ""), _start(context), surface.context_width,
               surface.context_height, surface.font_size, surface.dpi)
        kept = node.__dict__.setdefault(KEPT, {})
        recorded = kept.get(key)
        if recorded is not None:
            calls, vertices = recorded
            for name, args in calls:
                getattr(context, name)(*args)
            if vertices is not None:
                node.vertices = deque(vertices)  # draw_markers consumes its own copy
            return
        recorder = _Recorder(context)
        surface.context = recorder
        had = getattr(node, "vertices", None)
        try:
            draw(surface, node)
        finally:
            surface.context = context
        if recorder.usable:
            vertices = getattr(node, "vertices", None)
            kept[key] = (recorder.calls, None if vertices is had else tuple(vertices))

    replaying.__name__ = replaying.__qualname__ = draw.__name__
    replaying.__doc__ = f"CairoSVG's {draw.__name__}(), parsed once per node (path_replay.py)."
    return replaying


path = replayed(cairosvg_path, "d")
polygon = replayed(cairosvg_polygon, "points")
polyline = replayed(cairosvg_polyline, "points")
