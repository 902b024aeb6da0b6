"""A changed text placed where the designer put it (the anchored layout model).

The template's own lines are the truth: the first (or last) baseline, the anchor (start, middle
or end) and its x, the font and the line step. The box only limits the width on the free
side(s) of the anchor and how many lines fit in the direction the text grows (`data-grows`:
down from the first baseline, up from the last one, or both ways from their middle). A request
may move the text into its box instead (`textAlign`, `verticalAlign`, `box`).

Fit is decided once in template units, drawn the same at every size, and reported: wrapping at
word boundaries, `autoFit` down to `minFontSize`, `maxLines`, then a cut with "…" after the last
word that fits. A line whose words the template already has is drawn from the template's own
runs (its styles and positions), so sending a text back draws the same pixels.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pangocffi
from pangocffi import pango

from svgrender.draw.text_box import WRAP, box_of
from svgrender.draw.text_chunks import Chunk, Run, _num, draw_chunk, lay_chunk
from svgrender.draw.text_style import SCALE, _layout_for, line_iterator, style_of
from svgrender.draw.text_lines import Line, OwnLines, anchor_of, own_lines
from svgrender.draw.context import RenderContext, context_of

ALIGN_ANCHOR = {"left": "start", "center": "middle", "right": "end", "justify": "start"}
ELLIPSIS = "…"
TRIM = " ,;:-–—"


@dataclass
class Placement:
    """What a changed text draws: its lines (text, index of the template line it repeats or
    None), the anchor, the baselines and the font size chosen."""

    lines: list[tuple[str, int | None]]
    anchor: str
    anchor_x: float
    baselines: list[float]
    font_size: float
    scale: float
    cut: bool
    entry: dict | None = None  # its fit report
    exact: bool = False  # the template's own lines, each drawn where the template has it


def draw_anchored(surface, node) -> None:
    key = ("anchored", id(node), node.get("data-text"))
    render = context_of(surface)
    layouts = render.layouts
    placement = layouts.get(key) if layouts is not None else None
    # The template's own lines (laid out in template units, the same at every size): for the
    # placement, made once per render, and for lines that repeat the template's words. A
    # placement of new words only needs them no more (a title-only answer's later sizes).
    own = None
    if placement is None or any(reused is not None for _, reused in placement.lines):
        own = own_lines(surface, node) or _empty_lines(surface, node)
    if placement is None:
        placement = place(surface, node, own)
        if layouts is not None:
            layouts[key] = placement
        placement.entry = _report(render, node, placement)
    base = _base_node(surface, node)
    drawn, ink = [], []
    for (text, reused), baseline in zip(placement.lines, placement.baselines):
        if reused is not None:  # the template's own runs, moved with the anchor
            line = own.lines[reused]
            shift = 0.0 if placement.exact else placement.anchor_x - line.edge(placement.anchor)
            for laid, start in line.pieces:
                draw_chunk(surface, laid, start + shift, baseline)
                ink.extend(_ink(laid, start + shift, baseline))
            drawn.append((line.left + shift, baseline, line.text.strip()))
            continue
        chunk = Chunk(None, None, 0.0, 0.0, placement.anchor, [Run(text, base)])
        laid = lay_chunk(surface, node, chunk, False, font_size=placement.font_size)
        laid.keep_coverage = False  # the request's words
        start = laid.start(placement.anchor_x)
        draw_chunk(surface, laid, start, baseline)
        ink.extend(_ink(laid, start, baseline))
        drawn.append((start, baseline, text))
    placed = render.text_lines
    if placed is not None and node.get("id"):  # what the SVG output writes
        placed[node.get("id")] = (placement.font_size, drawn)
    if ink and placement.entry is not None and "ink" not in placement.entry:
        placement.entry["ink"] = _device_box(surface, ink)  # for the overlap check (render.py)


def _ink(laid, x: float, baseline: float) -> list[tuple[float, float, float, float]]:
    """Ink rectangles (x0, y0, x1, y1) of a laid chunk drawn from x on `baseline`."""
    out = []
    for run, _, width in laid.laid:
        measures = laid.measures[id(run)]
        ix, iy, iw, ih = measures.ink
        if iw > 0 and ih > 0:
            top = baseline - measures.baseline
            out.append((x + ix, top + iy, x + ix + iw, top + iy + ih))
        x += width * laid.stretch
    return out


def _device_box(surface, ink: list) -> tuple:
    """The union of ink rectangles in device pixels, with the device width it was drawn at."""
    context = surface.context
    points = [context.user_to_device(x, y) for x0, y0, x1, y1 in ink
              for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys), float(surface.width))


def _base_node(surface, node):
    """The node whose style new words take: the first run's (a Figma tspan's, say)."""
    from svgrender.draw.text_chunks import chunks_of
    chunks = chunks_of(surface, node)
    return chunks[0].runs[0].node if chunks else node


def _empty_lines(surface, node) -> OwnLines:
    """A text with no words yet (a placeholder `<text x y/>`): its position is its line."""
    x = _num(surface, str(node.get("x") or "0").replace(",", " ").split()[0], "x") or 0.0
    y = _num(surface, str(node.get("y") or "0").replace(",", " ").split()[0], "y") or 0.0
    return OwnLines([Line(y, x, x, "", node.get("text-anchor", "start"))],
                    style_of(surface, node).size)


def place(surface, node, own: OwnLines) -> Placement:
    text = node.get("data-text") or ""
    base = _base_node(surface, node)
    style = style_of(surface, base)
    size = style.size
    box = box_of(surface, node)
    anchor, anchor_x = anchor_of(own.lines, own.font_size, node.get("data-anchor"))
    align = node.get("data-text-align")
    from_request = node.get("data-box-source") == "request"
    if box and (align or from_request):  # the request puts the text in its box
        anchor = ALIGN_ANCHOR.get(align or "", anchor)
        anchor_x = {"start": box[0], "middle": box[0] + box[2] / 2,
                    "end": box[0] + box[2]}[anchor]
    if box and anchor != "middle" and _rtl(text) != _rtl(own.text):
        # Words in the other direction start from the other side: mirrored in the box, so
        # Arabic in a left-aligned title starts at its right edge, the same margin away.
        anchor = "end" if anchor == "start" else "start"
        anchor_x = box[0] + box[0] + box[2] - anchor_x
    if box and text.strip() != own.text.strip():  # new words stay in the box, whatever
        # the export wrote (Inkscape may put a line's x left of its own shape-inside frame)
        anchor_x = min(max(anchor_x, box[0]), box[0] + box[2])
    widest = max(line.right - line.left for line in own.lines)
    # The template's own words never wrap differently, even where they overran their box.
    same = text.strip() == own.text.strip()
    width = _width(anchor, anchor_x, box, widest if same or box is None else 0.0)
    first, last = own.lines[0].baseline, own.lines[-1].baseline
    step = _step(surface, node, own, style, size)
    valign = node.get("data-vertical-align") if box else None
    grows = node.get("data-grows") or "down"
    max_lines = int(node.get("data-max-lines") or 0)
    wrap = node.get("data-wrap", "word")

    def attempt(font_size: float):
        ratio = font_size / size
        ascent, descent = _metrics(style, font_size)
        # The template's own words keep their own lines (kerned chunks may be narrower
        # than Pango would set them).
        lines = _wrap(text, style, font_size, 1e6 if same else width, wrap)
        room = _room(box, valign, grows, first, last, step * ratio, ascent, descent,
                     len(own.lines))
        if ratio == 1.0 and same:
            room = max(room, len(own.lines))  # the template's own lines always fit
        limit = min(room, max_lines) if max_lines else room
        fits = len(lines) <= limit and (wrap != "none" or all(
            _advance(line, style, font_size) <= width + 0.01 for line in lines))
        return lines, limit, fits

    font_size = size
    lines, limit, fits = attempt(size)
    if not fits and node.get("data-auto-fit") == "true":
        low = max(1.0, float(node.get("data-min-font-size") or size * 0.5))
        if attempt(low)[2]:
            high = size
            while high - low > 0.25:
                mid = (low + high) / 2
                if attempt(mid)[2]:
                    low = mid
                else:
                    high = mid
        font_size = min(low, size)
        lines, limit, fits = attempt(font_size)
    cut = not fits
    if cut:
        kept = lines[:max(1, limit)]
        more = len(lines) > len(kept)
        kept = [_ellipsized(line, style, font_size, width, force=more and i == len(kept) - 1)
                for i, line in enumerate(kept)]
        lines = kept
    ratio = font_size / size
    ascent, descent = _metrics(style, font_size)
    baselines = _baselines(len(lines), box, valign, grows, first, last, step * ratio,
                           ascent, descent)
    own_texts = [line.text.strip() for line in own.lines]
    placed = []
    for index, line in enumerate(lines):
        reused = None
        if ratio == 1.0 and line.strip() in own_texts:
            reused = index if index < len(own_texts) and own_texts[index] == line.strip() \
                else own_texts.index(line.strip())
        placed.append((line, reused))
    exact = not cut and [line.strip() for line in lines] == own_texts
    if exact:  # its own words, line for line: where the template has them (a PDF import's
        # heading and footer may be two lines of one text, far apart)
        baselines = [line.baseline for line in own.lines]
        placed = [(line, index) for index, line in enumerate(lines)]
    return Placement(placed, anchor, anchor_x, baselines, font_size, ratio, cut, exact=exact)


def _rtl(text: str) -> bool:
    """Whether the first strongly directional character is right-to-left."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _width(anchor: str, x: float, box, widest: float) -> float:
    """From the anchor to the box edge on its free side(s); never less than `widest`."""
    if box is None:
        return max(widest, 1.0) + 0.01 if widest > 0 else 1e6
    left, right = box[0], box[0] + box[2]
    free = {"start": right - x, "end": x - left,
            "middle": 2 * min(x - left, right - x)}[anchor]
    return max(free, widest + 0.01, 1.0)


def _step(surface, node, own: OwnLines, style, size: float) -> float:
    factor = node.get("data-line-height")
    if factor:
        return float(factor) * size
    if len(own.lines) >= 2:
        gap = (own.lines[-1].baseline - own.lines[0].baseline) / (len(own.lines) - 1)
        if gap > 0:
            return gap * size / max(own.font_size, 0.01)
    layout = _layout_for(None, "Hg", style, size, private_use_checked=True)
    return layout.get_extents()[1].height / SCALE


def _metrics(style, font_size: float) -> tuple[float, float]:
    """Ascent and descent of the font at this size (Pango's logical line)."""
    layout = _layout_for(None, "Hg", style, font_size, private_use_checked=True)
    baseline = layout.get_baseline() / SCALE
    return baseline, layout.get_extents()[1].height / SCALE - baseline


def _room(box, valign, grows, first, last, step, ascent, descent, own: int = 1) -> int:
    """How many lines fit in the box, growing the way the text grows; without a box (a
    rotated text, say), as many as the template's own."""
    if box is None:
        return own
    top, bottom = box[1], box[1] + box[3]
    if valign:
        space = bottom - top - ascent - descent
    elif grows == "up":
        space = last - ascent - top
    elif grows == "both":  # centred on the template's lines (their em boxes' middle)
        middle = (first + last) / 2 + (descent - ascent) / 2
        space = 2 * min(middle - top, bottom - middle) - ascent - descent
    else:
        space = bottom - descent - first
    return max(1, int(space / step + 1e-6) + 1) if step > 0 else 1


def _baselines(count, box, valign, grows, first, last, step, ascent, descent) -> list[float]:
    height = (count - 1) * step
    if valign and box:
        top = {"top": box[1] + ascent,
               "middle": box[1] + (box[3] - height - ascent - descent) / 2 + ascent,
               "bottom": box[1] + box[3] - descent - height}.get(valign, box[1] + ascent)
    elif grows == "up":
        top = last - height
    elif grows == "both":
        top = (first + last) / 2 - height / 2
    else:
        top = first
    return [top + index * step for index in range(count)]


def _wrap(text: str, style, font_size: float, width: float, wrap: str) -> list[str]:
    """The lines Pango breaks `text` into at `width` (paragraphs at newlines)."""
    layout = _layout_for(None, text, style, font_size)
    if wrap != "none":
        layout.width = pangocffi.units_from_double(width)
        layout.wrap = WRAP.get(wrap, pangocffi.WrapMode.WORD_CHAR)
    raw = layout.text.encode()
    lines = []
    iterator = line_iterator(layout)
    while True:  # each line's own byte range (an iterator's index is visual: wrong for RTL)
        line = pango.pango_layout_iter_get_line_readonly(iterator._pointer)
        start = pango.pango_layout_line_get_start_index(line)
        length = pango.pango_layout_line_get_length(line)
        lines.append(raw[start:start + length].decode("utf-8", "ignore").rstrip("\n")
                     .rstrip())
        if not iterator.next_line():
            return lines


def _advance(text: str, style, font_size: float) -> float:
    layout = _layout_for(None, text, style, font_size, private_use_checked=True)
    return layout.get_extents()[1].width / SCALE + style.letter_spacing


def _ellipsized(line: str, style, font_size: float, width: float, force: bool) -> str:
    """The line cut after the last whole word that fits with "…" (inside a word only when its
    first word alone is wider); `force`: text follows this line, so it ends in "…" anyway."""
    if not force and _advance(line, style, font_size) <= width + 0.01:
        return line
    words = line.split(" ")
    for count in range(len(words), 0, -1):
        candidate = " ".join(words[:count]).rstrip(TRIM)
        if candidate and _advance(candidate + ELLIPSIS, style, font_size) <= width + 0.01:
            return candidate + ELLIPSIS
    low, high, word = 0, len(words[0]), words[0]
    while low < high:
        mid = (low + high + 1) // 2
        if _advance(word[:mid] + ELLIPSIS, style, font_size) <= width + 0.01:
            low = mid
        else:
            high = mid - 1
    return word[:low] + ELLIPSIS


def _report(render: RenderContext, node, placement: Placement) -> dict:
    name = node.get("data-layer") or node.get("id") or "text"
    entry = {"lines": len(placement.lines), "fontSize": round(placement.font_size, 2),
             "scale": round(placement.scale, 3), "cut": placement.cut}
    render.report_fit(name, entry)
    if placement.cut:
        render.warn(f"layer {name!r}: the text does not fit its box and was cut with \"…\" "
             f"after {len(placement.lines)} line(s) (give it a larger box, maxLines, autoFit, "
             "or less text)")
    elif placement.scale < 1.0:
        render.warn(f"layer {name!r}: the text was shrunk to {placement.font_size:.4g} "
             f"({placement.scale:.0%} of its size) to fit its box")
    return entry
