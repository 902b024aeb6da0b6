"""CairoSVG's `Surface.draw` for the commonest node, a plain shape: the same cairo calls, in the
same order, without the steps that cannot change its pixels.

An Illustrator export is thousands of rects, paths and polygons, each walked once per output
size and once to measure it; CairoSVG's generic `draw` spends most of a shape's time on steps
for other nodes: font options (set on a saved context a shape never draws text on, and restored
right after), a deep copy of the text cursor, the `clip` rectangle's regular expressions, the
dash list of a shape without one, marker angles for a shape without markers. A shape takes this
path only when nothing it has would need those steps (`takes_short_path`); everything else,
and every shape when `short_path` is off, goes through CairoSVG's own `draw`.
tests/test_leaf_shapes.py draws every template and corpus file both ways: the same pixels.

Every helper is read from `cairosvg.surface` when called, so the seams (seams.py) apply here
exactly as they do in CairoSVG's own walk.
"""

from __future__ import annotations

import cairocffi as cairo
from cairosvg import surface as cairo_surface
from cairosvg.helpers import PointError

SHAPES = frozenset({"rect", "circle", "ellipse", "line", "polyline", "polygon", "path"})
# Properties that send a shape through CairoSVG's own draw (a group, a clip, markers, the
# `font` shorthand, which CairoSVG expands into the node as it draws).
NEEDS_FULL_DRAW = ("filter", "mask", "clip-path", "clip", "font", "marker", "marker-start",
                   "marker-mid", "marker-end")


def takes_short_path(surface, node) -> bool:
    if node.tag not in SHAPES or node.children or not surface.stroke_and_fill:
        return False
    for name in NEEDS_FULL_DRAW:
        if name in node:
            return False
    return True


def draw_shape(surface, node) -> None:
    """`Surface.draw(node)` for a node `takes_short_path` accepted."""
    helpers = cairo_surface  # (the seams replace names there)
    size = helpers.size
    if (("width" in node and size(surface, node["width"]) == 0) or
            ("height" in node and size(surface, node["height"]) == 0)):
        return
    old_parent_node = surface.parent_node
    old_font_size = surface.font_size
    old_context_size = surface.context_width, surface.context_height
    surface.parent_node = node
    surface.font_size = size(surface, node.get("font-size", "12pt"))
    context = surface.context
    context.save()
    helpers.transform(surface, node.get("transform"),
                      transform_origin=node.get("transform-origin"))
    opacity = float(node.get("opacity", 1))
    context.move_to(size(surface, node.get("x"), "x"), size(surface, node.get("y"), "y"))
    line_cap = node.get("stroke-linecap")
    if line_cap == "square":
        context.set_line_cap(cairo.LINE_CAP_SQUARE)
    if line_cap == "round":
        context.set_line_cap(cairo.LINE_CAP_ROUND)
    join_cap = node.get("stroke-linejoin")
    if join_cap == "round":
        context.set_line_join(cairo.LINE_JOIN_ROUND)
    if join_cap == "bevel":
        context.set_line_join(cairo.LINE_JOIN_BEVEL)
    dash_value = node.get("stroke-dasharray")
    if dash_value:  # (CairoSVG normalises "" too, to nothing)
        dash_array = helpers.normalize(dash_value).split()
        if dash_array:
            dashes = [size(surface, dash) for dash in dash_array]
            if sum(dashes):
                context.set_dash(dashes, size(surface, node.get("stroke-dashoffset")))
    context.set_miter_limit(float(node.get("stroke-miterlimit", 4)))
    try:
        helpers.TAGS[node.tag](surface, node)
    except PointError:
        pass
    stroke_opacity = float(node.get("stroke-opacity", 1))
    fill_opacity = float(node.get("fill-opacity", 1))
    if opacity < 1:  # (a shape has no children: its opacity goes to its paints)
        stroke_opacity *= opacity
        fill_opacity *= opacity
    display = node.get("display", "inline") != "none"
    visible = display and (node.get("visibility", "visible") != "hidden")
    context.set_antialias(helpers.SHAPE_ANTIALIAS.get(
        node.get("shape-rendering"), cairo.ANTIALIAS_DEFAULT))
    if visible:
        context.save()
        paint_source, paint_color = helpers.paint(node.get("fill", "black"))
        if node.get("fill-rule") == "evenodd":
            context.set_fill_rule(cairo.FILL_RULE_EVEN_ODD)
        if not helpers.gradient_or_pattern(surface, node, paint_source, fill_opacity):
            context.set_source_rgba(*surface.map_color(paint_color, fill_opacity))
        context.fill_preserve()
        context.restore()
        context.save()
        context.set_line_width(size(surface, node.get("stroke-width", "1")))
        paint_source, paint_color = helpers.paint(node.get("stroke"))
        if not helpers.gradient_or_pattern(surface, node, paint_source, stroke_opacity):
            context.set_source_rgba(*surface.map_color(paint_color, stroke_opacity))
        context.stroke()
        context.restore()
    else:
        context.new_path()
    vertices = getattr(node, "vertices", None)
    if vertices:  # no markers to place: CairoSVG's draw_markers only empties them
        vertices.clear()
    context.restore()
    surface.parent_node = old_parent_node
    surface.font_size = old_font_size
    surface.context_width, surface.context_height = old_context_size
