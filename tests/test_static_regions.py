"""Static layers kept by region (draw/static_regions.py): an answer drawn from the kept layers
below and above a changed text is the full draw, pixel for pixel, at all three sizes."""

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import ROOT
from svgrender import render as pipeline
from svgrender.draw import static_regions
from svgrender.params import LayerParam, RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

sys.path.insert(0, str(ROOT / "benchmarks"))
from redraw_cards import photo_after_text_card  # noqa: E402

TEMPLATES = sorted((ROOT / "templates").glob("*.svg"))
CORPUS = ROOT / "tests" / "corpus" / "files"
ON, OFF = Settings(), Settings(static_layer_cache_bytes=0)


def _pixels(rendered) -> list[np.ndarray]:
    return [np.asarray(Image.open(io.BytesIO(f.data)).convert("RGBA"), np.int16)
            for f in rendered.files]


def _same_with_and_without_cache(template, params, settings_on=ON, settings_off=OFF):
    request = RenderRequest(format="png", params=params)
    pipeline.render(template, request, settings_on)  # fills the cache
    cached, plain = pipeline.render(template, request, settings_on), \
        pipeline.render(template, request, settings_off)
    for variant, a, b in zip(("image", "thumb", "thumb-2x"), _pixels(cached), _pixels(plain)):
        assert a.shape == b.shape, variant
        assert np.abs(a - b).max() == 0, f"{variant}: {np.argwhere(np.abs(a - b).max(-1))[:3]}"
    assert cached.warnings == plain.warnings
    return cached


def _texts(template) -> list[str]:
    return [name for name, layer in template.layers.items() if layer.kind == "text"]


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_every_template_with_one_text_changed_draws_the_full_draw(path):
    template = load_template(path.stem, path.read_bytes(), ON)
    texts = _texts(template)
    assert texts
    for name in dict.fromkeys([texts[0], texts[len(texts) // 2], texts[-1]]):
        _same_with_and_without_cache(template, [LayerParam(name=name, text="Quite another text")])


CORPUS_FILES = ["code4sa-health.svg", "code4sa-localgov.svg", "osgeo-gdal-a4.svg",
                "osgeo-geonode-letter.svg"]


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_files_with_one_text_changed_draw_the_full_draw(name):
    small = dict(thumb_width=120)
    template = load_template(name, (CORPUS / name).read_bytes(), ON)
    texts = _texts(template)
    if not texts:
        pytest.skip("no text layer")
    _same_with_and_without_cache(template, [LayerParam(name=texts[0], text="Changed")],
                                 Settings(**small), Settings(static_layer_cache_bytes=0, **small))


def test_the_issue_card_keeps_the_photo_painted_after_the_title(monkeypatch):
    template = load_template("card", photo_after_text_card(), ON)
    drawn = []
    real = static_regions.above_tree
    monkeypatch.setattr(static_regions, "above_tree",
                        lambda kept, hits: drawn.append(sorted(hits)) or real(kept, hits))
    # The title alone: nothing above it meets its rectangle, nothing above is drawn again.
    _same_with_and_without_cache(template, [LayerParam(name="title", text="Winter on the lakes")])
    assert drawn == []
    # A tagline (no box: it does not wrap) long enough to run under the photo: the photo, the
    # one layer above it, is drawn again on top, where they meet.
    _same_with_and_without_cache(template, [LayerParam(
        name="tagline", text="a tagline long enough to run on and on under the photograph")])
    assert drawn and all(hits == [0] for hits in drawn)


def test_the_same_text_sent_back_draws_the_template(monkeypatch):
    for path, name in ((ROOT / "templates" / "social-card.svg", "title"), (None, "title")):
        data = path.read_bytes() if path else photo_after_text_card()
        template = load_template("t", data, ON)
        text = template.text_of(template.find(name))
        as_is = _pixels(pipeline.render(template, RenderRequest(format="png"), OFF))
        for settings in (ON, ON, OFF):  # cold cache, warm cache, no cache
            again = _pixels(pipeline.render(template, RenderRequest(
                format="png", params=[LayerParam(name=name, text=text)]), settings))
            for a, b in zip(as_is, again):
                assert np.abs(a - b).max() == 0


def test_thumbnails_of_kept_layers_sample_filters_as_a_full_draw_does():
    # The shadowed panel is kept; its thumbnails must sample the main size's filter result as
    # a full draw does, even when only the main size was drawn before (all sizes kept together).
    template = load_template("card", photo_after_text_card(), ON)
    monkey_cache = pipeline._cache(ON)
    _same_with_and_without_cache(template, [LayerParam(name="subtitle", text="Thumbs")])
    assert len(monkey_cache) >= 1
    keys = [k for k in monkey_cache._items if k[0] == "region" and k[2][0].width == 1200]
    assert keys and all(len(k[2]) == 3 for k in keys)  # one entry holds the three sizes


DEFS_CARD = ('<svg xmlns="http://www.w3.org/2000/svg" '
             'width="300" height="160"><defs>'
             '<linearGradient id="base"><stop offset="0" stop-color="#f00"/>'
             '<stop offset="1" stop-color="#00f"/></linearGradient>'
             '<pattern id="ink" width="8" height="8" patternUnits="userSpaceOnUse">'
             '<rect width="8" height="8" fill="url(#base)"/></pattern>'
             '<filter id="soft"><feGaussianBlur stdDeviation="1.5"/></filter>'
             '<linearGradient id="sky"><stop offset="0" stop-color="#def"/>'
             '<stop offset="1" stop-color="#345"/></linearGradient>'
             '<clipPath id="unused"><rect width="10" height="10"/></clipPath></defs>'
             '<rect id="bg" width="300" height="160" fill="url(#sky)"/>'
             '<text id="title" x="20" y="60" font-family="DejaVu Sans" font-size="36" '
             'fill="url(#ink)" filter="url(#soft)">Gradient title</text>'
             '<rect id="frame" x="5" y="100" width="290" height="50" fill="url(#sky)" '
             'opacity="0.7"/></svg>')


def test_the_changed_part_parses_only_the_definitions_it_uses(monkeypatch):
    template = load_template("defs", DEFS_CARD.encode(), ON)
    parsed = []
    real = pipeline.prepare_drawing
    monkeypatch.setattr(pipeline, "prepare_drawing",
                        lambda tree, images: parsed.append(tree) or real(tree, images))
    # A title through a pattern painted with a gradient, blurred; below and above it layers
    # painted with a gradient the title does not use: all the full draw, pixel for pixel.
    _same_with_and_without_cache(template, [LayerParam(name="title", text="Another title")])
    ids = {el.get("id") for el in parsed[-2].iter() if isinstance(el.tag, str)}  # (-1: no cache)
    assert {"ink", "base", "soft", "title"} <= ids
    assert not {"sky", "unused", "bg", "frame"} & ids
    # the kept parts still have every definition: the frame redrawn above the title's box
    _same_with_and_without_cache(template, [LayerParam(
        name="title", text="A title long enough to run down into the frame")])


def test_a_style_sheet_keeps_every_definition(monkeypatch):
    data = DEFS_CARD.replace('<defs>', '<style>#bg { fill: url(#sky) }</style><defs>')
    template = load_template("styled", data.encode(), ON)
    parsed = []
    real = pipeline.prepare_drawing
    monkeypatch.setattr(pipeline, "prepare_drawing",
                        lambda tree, images: parsed.append(tree) or real(tree, images))
    _same_with_and_without_cache(template, [LayerParam(name="title", text="Styled")])
    assert "sky" in {el.get("id") for el in parsed[-2].iter() if isinstance(el.tag, str)}


@pytest.mark.parametrize("width,height", [(1200, 630), (37, 21), (2, 1)])
def test_the_dirty_box_is_every_changed_pixel_and_no_other(width, height):
    import cairocffi as cairo

    def surface(seed):
        out = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
        pixels = static_regions._pixels(out)
        pixels[:] = np.random.default_rng(seed).integers(0, 2**32, pixels.shape, np.uint32)
        out.mark_dirty()
        return out

    below = surface(1)
    assert static_regions.dirty_box(surface(1), below) is None
    rng = np.random.default_rng(2)
    for _ in range(20):
        drawn = surface(1)
        pixels = static_regions._pixels(drawn)
        points = rng.integers(0, (height, width), (rng.integers(1, 4), 2))
        for y, x in points:
            pixels[y, x] ^= 1 << int(rng.integers(0, 32))
        drawn.mark_dirty()
        expected = (int(points[:, 1].min()), int(points[:, 0].min()),
                    int(points[:, 1].max()) + 1, int(points[:, 0].max()) + 1)
        assert static_regions.dirty_box(drawn, below) == expected
