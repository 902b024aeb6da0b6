"""Span layers: words a request changed inside a sentence (`has completed <tspan id="course">…
</tspan> with distinction`). The line flows around the new words from its own anchor
(apply.py drops the absolute x of what follows on the line); when the line no longer fits its
text's box, the whole text is shrunk about its anchor, so it stays where the designer put it."""

from __future__ import annotations

from dataclasses import dataclass

from svgrender.draw.text_box import box_of
from svgrender.draw.text_style import style_of
from svgrender.draw.text_lines import anchor_of, own_lines
from svgrender.draw.context import context_of

SPAN_TAGS = ("tspan", "flowSpan")


@dataclass
class SentenceFit:
    scale: float
    x: float  # the anchor the text is shrunk about
    y: float


def changed_spans(node) -> list:
    """The span layers a request changed in this text (apply.finish_text marks them)."""
    out = []
    for child in node.children:
        if child.tag in SPAN_TAGS and child.get("data-layer"):
            out.append(child)
        if child.tag in SPAN_TAGS + ("flowPara", "textPath"):
            out.extend(changed_spans(child))
    return out


def sentence_fit(surface, node) -> SentenceFit | None:
    """How much a <text> whose span changed must shrink to keep its lines in its box."""
    if node.tag != "text" or not changed_spans(node):
        return None
    box, own = box_of(surface, node), own_lines(surface, node)
    if box is None or own is None:
        return SentenceFit(1.0, 0.0, 0.0)
    anchor, x = anchor_of(own.lines, own.font_size)
    left, right = box[0], box[0] + box[2]
    free = {"start": right - x, "end": x - left, "middle": 2 * min(x - left, right - x)}[anchor]
    widest = max(line.right - line.left for line in own.lines)
    scale = min(1.0, free / widest) if widest > 0 and free > 0 else 1.0
    return SentenceFit(scale, x, own.lines[0].baseline)


def report_spans(surface, node, scale: float = 1.0) -> None:
    for span in changed_spans(node):
        name = span.get("data-layer")
        size = style_of(surface, span).size * scale
        render = context_of(surface)
        render.report_fit(name, {"lines": 1, "fontSize": round(size, 2), "scale": round(scale, 3),
                                 "cut": False})
        if scale < 1.0:
            render.warn(f"layer {name!r}: its sentence was shrunk to {scale:.0%} to stay in "
                        "its box")
