"""Faithful text: the template's own lines as positioned chunks (`x`/`y`/`dx`/`dy`,
text-anchor, dominant-baseline, textLength), laid out and drawn as a browser places them
(split from text.py)."""

from __future__ import annotations

from dataclasses import dataclass

from cairosvg.helpers import size

from svgrender.draw.fonts import generation
from svgrender.draw.text_measures import Measures, keep, kept, measure
from svgrender.draw.text_paint import _draw_layout, _on_pixel_row, draw_kept
from svgrender.draw.text_style import (SCALE, SPAN_TAGS, _check_family, _check_glyphs,
                                       _is_private_use, _layout_for, style_of,
                                       warn_missing_glyphs)

@dataclass
class Run:
    text: str
    node: object  # the cairosvg node whose style applies


@dataclass
class Chunk:
    x: float | None
    y: float | None
    dx: float
    dy: float
    anchor: str
    runs: list[Run]


def _first(value) -> str | None:
    if value in (None, ""):
        return None
    return str(value).replace(",", " ").split()[0]


def chunks_of(surface, node) -> list[Chunk]:
    """Split a <text> into chunks: a new one wherever a span sets x or y (or dx/dy).

    CairoSVG already applied xml:space and turned tails into anonymous tspans.
    """
    def position(element, anchor) -> Chunk:
        return Chunk(_num(surface, _first(element.get("x")), "x"),
                     _num(surface, _first(element.get("y")), "y"),
                     _num(surface, _first(element.get("dx")), "x") or 0.0,
                     _num(surface, _first(element.get("dy")), "y") or 0.0, anchor, [])

    chunks = [position(node, node.get("text-anchor", "start"))]

    def visit(element, anchor):
        if element.text:
            _add_text(surface, chunks, element, anchor)
        for child in element.children:
            if child.tag not in SPAN_TAGS or child.tag == "textPath":  # (drawn on its path)
                continue
            child_anchor = child.get("text-anchor", anchor)
            chunk = position(child, child_anchor)
            if (chunk.x is not None or chunk.y is not None or chunk.dx or chunk.dy
                    or child.tag == "flowPara"):
                chunks.append(chunk)
            visit(child, child_anchor)

    visit(node, node.get("text-anchor", "start"))
    return [c for c in chunks if any(r.text for r in c.runs)]


POSITION_LISTS = (("x", "x"), ("y", "y"), ("dx", "x"), ("dy", "y"))


def _add_text(surface, chunks: list[Chunk], element, anchor: str) -> None:
    """An element's own text, character by character where its x/y/dx/dy are lists (Inkscape
    and PDF imports place every glyph, e.g. justified lines): each listed position starts a
    new chunk at that character, as in a browser; characters past the lists run on."""
    text = element.text
    lists = {name: str(element.get(name)).replace(",", " ").split()
             for name, _ in POSITION_LISTS if element.get(name)}
    if max((len(values) for values in lists.values()), default=0) <= 1:
        chunks[-1].runs.append(Run(text, element))
        return
    characters = list(text)
    chunks[-1].runs.append(Run(characters[0], element))  # its position made this chunk
    for index, character in enumerate(characters[1:], start=1):
        values = {name: _num(surface, lists[name][index], axis)
                  for name, axis in POSITION_LISTS if name in lists and index < len(lists[name])}
        if values:
            chunks.append(Chunk(values.get("x"), values.get("y"), values.get("dx") or 0.0,
                                values.get("dy") or 0.0, anchor, []))
        runs = chunks[-1].runs
        if runs and runs[-1].node is element:  # run on: one layout for the unplaced rest
            runs[-1] = Run(runs[-1].text + character, element)
        else:
            runs.append(Run(character, element))


def _num(surface, value, axis):
    if value is None:
        return None
    try:
        return size(surface, value, axis)
    except (ValueError, TypeError):
        return None


def _baseline_shift(node, layout) -> float:
    """Distance from the layout top to where the SVG y lands, per dominant-baseline."""
    return _baseline_shift_of(node, measure(layout))


def _baseline_shift_of(node, measures: Measures) -> float:
    baseline, height, em = measures.baseline, measures.height, measures.em
    mode = (node.get("dominant-baseline") or node.get("alignment-baseline") or "auto").strip()
    if mode == "middle":  # half the x-height above the alphabetic baseline (as Chromium)
        return baseline - 0.27 * em
    if mode == "central":
        return height / 2
    if mode == "hanging":
        return baseline - 0.8 * em
    if mode in ("text-before-edge", "text-top"):
        return 0.0
    if mode in ("text-after-edge", "text-bottom", "ideographic"):
        return height
    return baseline


@dataclass
class LaidChunk:
    """One chunk's runs laid out (Pango layouts and advances), ready to draw from any x."""
    laid: list  # (run, layout, advance)
    contents: dict  # per run: what its drawn coverage depends on (text_masks)
    measures: dict  # per run: its Measures (text_measures)
    styles: dict  # per run: its Style (a layout kept measured is made only to be drawn)
    total: float  # the advance of the whole chunk (after textLength)
    stretch: float  # lengthAdjust="spacingAndGlyphs"
    anchor: str  # start / middle / end as drawn (direction rtl already flipped)
    # Keep its coverage masks for later answers (text_masks): not for a request's own words,
    # which the next request replaces (they only filled the cache, and the worker's RSS).
    keep_coverage: bool = True

    def start(self, pen_x: float) -> float:
        """Where the chunk's first glyph goes for an anchor at `pen_x`."""
        return pen_x - {"middle": self.total / 2, "end": self.total}.get(self.anchor, 0.0)


def lay_chunk(surface, node, chunk: Chunk, alone: bool, check: bool = True,
              font_size: float | None = None) -> LaidChunk:
    """`alone`: the text's only chunk (textLength applies to it). `font_size`: every run at
    this size instead of its own (a changed text shrunk to fit)."""
    context = surface.context
    laid = []
    contents, measured, styles = {}, {}, {}
    for run in chunk.runs:
        style = style_of(surface, run.node)
        if font_size is not None:
            style.size = font_size
        content = contents[id(run)] = (run.text, style.family, style.size, style.weight,
                                       style.italic, style.letter_spacing)
        styles[id(run)] = style
        layout, measures = _measured(context, run.text, style, content, check)
        measured[id(run)] = measures
        # Browsers space after every character, Pango between a run's characters only.
        laid.append((run, layout, measures.advance + style.letter_spacing))
    total = sum(width for _, _, width in laid)
    stretch = 1.0
    target = _num(surface, node.get("textLength"), "x") if alone else None
    if target and target > 0 and total > 0:
        laid, stretch = _fit_length(surface, node, laid, total, target)
        total = target
    anchor = chunk.anchor
    if node.get("direction") == "rtl":  # start/end follow the writing direction
        anchor = {"start": "end", "end": "start"}.get(anchor, anchor)
    return LaidChunk(laid, contents, measured, styles, total, stretch, anchor)


def _measured(context, text: str, style, content: tuple, check: bool):
    """(layout or None, Measures): kept measures of the same content and fonts need no layout
    (text_measures); private-use characters are never kept (their check warns per render)."""
    key = content + (generation(),)
    keepable = not any(_is_private_use(char) for char in text)
    measures = kept(key) if keepable else None
    if measures is not None and (measures.missing is not None or not check):
        if check:
            _check_family(style)
            warn_missing_glyphs(style, measures.missing)
        return None, measures
    layout = _layout_for(context, text, style)
    missing = _check_glyphs(context, layout, text, style) if check else None
    measures = measure(layout, missing)
    if keepable:
        keep(key, measures)
    return layout, measures


def draw_chunk(surface, chunk: LaidChunk, x: float, pen_y: float) -> float:
    """Draw a laid chunk with its first glyph at `x` on baseline `pen_y`; returns its end."""
    context = surface.context
    stretch = chunk.stretch
    for run, layout, width in chunk.laid:
        if stretch != 1.0:  # lengthAdjust="spacingAndGlyphs": the glyphs widen too
            context.save()
            context.translate(x, 0)
            context.scale(stretch, 1)
            context.translate(-x, 0)
        measures = chunk.measures[id(run)]
        top = pen_y - _baseline_shift_of(run.node, measures)
        if stretch == 1.0:  # (re-laid out under a stretch)
            top = _on_pixel_row(context, x, top, measures.baseline)
        content = chunk.contents[id(run)]
        if layout is None and not (stretch == 1.0 and chunk.keep_coverage and draw_kept(
                surface, run.node, x, top, content, measures.em)):
            layout = _layout_for(context, run.text, chunk.styles[id(run)])
        if layout is not None:
            _draw_layout(surface, run.node, layout, x, top, device_hinted=stretch == 1.0,
                         content=content, keep_coverage=chunk.keep_coverage)
        if stretch != 1.0:
            context.restore()
        x += width * stretch
    return x


def draw_faithful(surface, node) -> None:
    pen_x, pen_y = 0.0, 0.0
    chunks = chunks_of(surface, node)
    for chunk in chunks:
        pen_x = (chunk.x if chunk.x is not None else pen_x) + chunk.dx
        pen_y = (chunk.y if chunk.y is not None else pen_y) + chunk.dy
        laid = lay_chunk(surface, node, chunk, len(chunks) == 1)
        pen_x = draw_chunk(surface, laid, laid.start(pen_x), pen_y)


def _fit_length(surface, node, laid, total: float, target: float):
    """`textLength`: the text's advance made exactly `target` — by spacing the characters
    (default: the extra shared by the gaps between them) or by stretching the glyphs.
    Returns the new runs and the horizontal stretch."""
    if (node.get("lengthAdjust") or "spacing").strip() == "spacingAndGlyphs":
        return laid, target / total
    characters = sum(len(run.text) for run, _, _ in laid)
    if characters < 2:
        return laid, 1.0
    extra = (target - total) / (characters - 1)
    refit = []
    for run, _, _ in laid:
        style = style_of(surface, run.node)
        style.letter_spacing += extra
        spaced = _layout_for(surface.context, run.text, style)
        _, logical = spaced.get_extents()
        refit.append((run, spaced, logical.width / SCALE))
    return refit, 1.0  # the first glyph at x, the last one ending at x + textLength
