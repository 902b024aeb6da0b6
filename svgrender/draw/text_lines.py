"""A text's own lines as the template draws them: where each line starts and ends, its
baseline, its words; and the anchor they share. The truth a changed text is placed from
(text_anchor.py), and what the template report shows per layer.

All in the text element's own user units, measured with the drawing code itself (text.py's
chunks), so placing the same words again draws the same pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from svgrender.draw.text_chunks import Chunk, LaidChunk, chunks_of, lay_chunk
from svgrender.draw.text_style import style_of

ANCHORS = ("start", "middle", "end")


@dataclass
class Line:
    baseline: float
    left: float
    right: float
    text: str
    anchor: str  # of its first chunk, as drawn (start / middle / end)
    pieces: list = field(default_factory=list, repr=False)  # (LaidChunk, first glyph x)

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2

    def edge(self, anchor: str) -> float:
        return {"start": self.left, "middle": self.centre, "end": self.right}[anchor]


@dataclass
class OwnLines:
    """A text's lines and its font size; `facts()` is the small picklable part."""

    lines: list[Line]
    font_size: float

    def facts(self) -> dict:
        return {"lines": [(l.left, l.right, l.baseline, l.text.strip(), l.anchor)
                          for l in self.lines], "fontSize": self.font_size}

    @property
    def text(self) -> str:
        """The words as a request sends them back: lines joined with newlines."""
        return "\n".join(line.text.strip() for line in self.lines)


def own_lines(surface, node) -> OwnLines | None:
    """The lines of a CairoSVG text node (chunks on one baseline are one line)."""
    chunks: list[Chunk] = chunks_of(surface, node)
    if not chunks:
        return None
    lines: list[Line] = []
    pen_x = pen_y = 0.0
    for chunk in chunks:
        pen_x = (chunk.x if chunk.x is not None else pen_x) + chunk.dx
        pen_y = (chunk.y if chunk.y is not None else pen_y) + chunk.dy
        laid: LaidChunk = lay_chunk(surface, node, chunk, len(chunks) == 1, check=False)
        start = laid.start(pen_x)
        end = start + laid.total * laid.stretch
        text = "".join(run.text for run in chunk.runs)
        if lines and abs(lines[-1].baseline - pen_y) < 1e-6:
            line = lines[-1]
            line.text = _joined(line.text, text, start - line.right,
                                style_of(surface, chunk.runs[0].node).size)
            line.left, line.right = min(line.left, start), max(line.right, end)
        else:
            line = Line(pen_y, start, end, text, laid.anchor)
            lines.append(line)
        line.pieces.append((laid, start))
        pen_x = end
    lines = [line for line in lines if line.text.strip()] or lines
    return OwnLines(lines, style_of(surface, chunks[0].runs[0].node).size)


SPACE_EM = 0.25  # a space's advance, about, in most fonts


def _joined(before: str, after: str, gap: float, size: float) -> str:
    """Two chunks of one line as words: a space between them only where the eye sees one
    (Sketch and PDF imports split a word into kerned chunks, with indentation between them
    that collapses to a space drawn under the next chunk's absolute x)."""
    spaces = (len(before) - len(before.rstrip())) + (len(after) - len(after.lstrip()))
    if not spaces:
        return before + after
    visible = gap + spaces * SPACE_EM * size
    return before.rstrip() + (" " if visible > 0.15 * size else "") + after.lstrip()


def anchor_of(lines: list, font_size: float, hint: str | None = None) -> tuple[str, float]:
    """The anchor the lines share and its x: a `hint` (the template's own data-anchor), else
    the first line's text-anchor when middle/end, else what several lines' edges say (Figma
    writes centred and right-aligned lines as start-anchored tspans at computed x)."""
    first = lines[0]
    anchor = hint if hint in ANCHORS else None
    if anchor is None and first.anchor in ("middle", "end"):
        anchor = first.anchor
    if anchor is None and len(lines) >= 2:
        tolerance = 0.04 * font_size + 0.5

        def aligned(values):
            return max(values) - min(values) <= tolerance

        if aligned([line.left for line in lines]):
            anchor = "start"
        elif aligned([line.centre for line in lines]):
            anchor = "middle"
        elif aligned([line.right for line in lines]):
            anchor = "end"
    anchor = anchor or "start"
    return anchor, first.edge(anchor)
