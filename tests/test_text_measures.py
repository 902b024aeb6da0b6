"""Kept measures of template text (svgrender/draw/text_measures.py): the texts a request does not
change are drawn from their kept measures and coverage masks without a Pango layout, the same
pixels, the same warnings."""

import io

import numpy as np
from PIL import Image

from helpers import ROOT
from svgrender import render as pipeline
from svgrender.draw import text_chunks, text_measures, text_masks
from svgrender.params import LayerParam, RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

EVERY_LAYER = Settings(static_layer_cache_bytes=0)


def _answer(template, title: str) -> tuple[list[np.ndarray], list[str]]:
    request = RenderRequest(format="png", params=[LayerParam(name="title", text=title)])
    rendered = pipeline.render(template, request, EVERY_LAYER)
    return ([np.asarray(Image.open(io.BytesIO(f.data)).convert("RGBA"), np.int16)
             for f in rendered.files], list(rendered.warnings))


def _layouts_made(monkeypatch) -> list[str]:
    made = []
    layout_for = text_chunks._layout_for
    monkeypatch.setattr(text_chunks, "_layout_for", lambda context, text, style, *a, **k: (
        made.append(text), layout_for(context, text, style, *a, **k))[1])
    return made


def _forget(monkeypatch) -> None:
    """Nothing kept: every text laid out and outlined afresh."""
    monkeypatch.setattr(text_measures, "_kept", type(text_measures._kept)())
    monkeypatch.setattr(text_masks, "_masks", text_masks.ByteBoundedCache(text_masks.MAX_BYTES))


def test_unchanged_texts_are_drawn_without_a_layout_and_the_same(monkeypatch):
    template = load_template("t", (ROOT / "templates" / "social-card.svg").read_bytes(),
                             EVERY_LAYER)
    _forget(monkeypatch)
    made = _layouts_made(monkeypatch)
    first, _ = _answer(template, "Explore the coast, day 1")
    assert "$1,299" in made and "svgrender travel" in made
    made.clear()
    second, _ = _answer(template, "Explore the coast, day 2")
    # The subtitle, price and brand: measured and drawn from what the first answer kept.
    assert not {"$1,299", "svgrender travel"} & set(made)
    assert not any("fjords" in text for text in made)
    _forget(monkeypatch)
    fresh, _ = _answer(template, "Explore the coast, day 2")
    for a, b in zip(second, fresh):
        assert np.abs(a - b).max() == 0
    # …and the new title really is drawn (it differs from the first answer's there).
    assert np.abs(first[0][150:270, 590:1130] - second[0][150:270, 590:1130]).max() > 100


GLYPHLESS = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100">'
             '<text id="title" x="10" y="40" font-family="DejaVu Sans" font-size="20">Hi</text>'
             '<text id="note" x="10" y="80" font-family="DejaVu Sans" font-size="20">'
             'A \u0378 B</text></svg>')  # (U+0378: unassigned, in no font)


def test_glyphs_no_font_has_are_warned_in_every_answer(monkeypatch):
    _forget(monkeypatch)
    template = load_template("t", GLYPHLESS.encode(), EVERY_LAYER)
    warned = []
    for title in ("one", "two", "three"):
        _, warnings = _answer(template, title)
        warned.append([w for w in warnings if "no installed font has glyphs" in w])
    assert warned[0] and warned[0] == warned[1] == warned[2]
