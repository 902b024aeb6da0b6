"""The drawers CairoSVG calls for text (seams.py): a `<text>` or `<flowRoot>` is drawn whole —
its own lines or box (text.py) and its text on paths (text_path.py); spans are drawn by it."""

from __future__ import annotations

from svgrender.draw.text_box import box_of, draw_box, text_content
from svgrender.draw.text_chunks import draw_faithful
from svgrender.draw.text_anchor import draw_anchored
from svgrender.draw.text_lines import own_lines
from svgrender.draw.text_path import draw_on_path
from svgrender.draw.text_spans import report_spans, sentence_fit

MARK = "data-svgrender-n"  # templates/layers.py numbers elements while measuring


def draw_text(surface, node) -> None:
    """TAGS['text'] / ['flowRoot']: the whole text subtree, drawn now."""
    if node.get("display") == "none" or node.get("visibility") in ("hidden", "collapse"):
        return
    opacity = float(node.get("opacity", 1))
    # CairoSVG groups only elements with children for opacity; a bare <text> needs it too,
    # or its stroke and fill would each be faded separately.
    grouped = opacity < 1 and not node.children and surface.stroke_and_fill
    if grouped:
        surface.context.push_group()
    geometry = getattr(surface, "text_geometry", None)
    if geometry is not None and node.tag == "text" and node.get(MARK) is not None:
        lines = own_lines(surface, node)  # measuring a template: where its lines are
        if lines is not None:
            geometry[int(node.get(MARK))] = lines.facts()
    box = box_of(surface, node)
    fit = None
    if node.get("data-layout") == "anchored" and node.tag == "text":
        draw_anchored(surface, node)
    elif box and (node.get("data-layout") == "box" or node.tag == "flowRoot"):
        draw_box(surface, node, box, text_content(node))
    else:
        fit = sentence_fit(surface, node)
        shrunk = fit is not None and fit.scale < 1.0
        if shrunk:  # a changed span made its line too long: the text shrinks about its anchor
            surface.context.save()
            surface.context.translate(fit.x, fit.y)
            surface.context.scale(fit.scale, fit.scale)
            surface.context.translate(-fit.x, -fit.y)
        draw_faithful(surface, node)
        for child in node.children:
            if child.tag == "textPath":
                draw_on_path(surface, node, child)
        if shrunk:
            surface.context.restore()
    report_spans(surface, node, fit.scale if fit else 1.0)
    if grouped:
        surface.context.pop_group_to_source()
        surface.context.paint_with_alpha(opacity)
    if surface.stroke_and_fill:
        surface.context.new_path()  # CairoSVG fills "the current path" after us: leave none


def skip(surface, node) -> None:
    """Spans are drawn by their <text>; flowRegion shapes are a box, not ink."""
