"""Small template text reuses its coverage between requests: same pixels, its own colour,
bounded memory."""

import io

import numpy as np
from PIL import Image

from svgrender import render as pipeline
from svgrender.draw import text_masks, text_paint
from svgrender.params import RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120">'
       b'<rect width="320" height="120" fill="#fff"/>'
       b'<text x="10.3" y="40.6" font-family="DejaVu Sans" font-size="15" fill="#c1121f">'
       b'Kept coverage, drawn again</text>'
       b'<text x="10.3" y="90.6" font-family="DejaVu Sans" font-size="15" fill="#1d3557">'
       b'Kept coverage, drawn again</text></svg>')


def draw(settings) -> np.ndarray:
    template = load_template("masks", SVG, Settings())
    result = pipeline.render(template, RenderRequest(format="png"), settings)
    return np.asarray(Image.open(io.BytesIO(result.files[0].data)).convert("RGB"), np.int16)


def test_reused_coverage_gives_the_pixels_of_filled_outlines(settings, monkeypatch):
    first, again = draw(settings), draw(settings)  # the second from kept masks
    assert (first == again).all()

    def direct(context, layout, key, keep=True):
        import pangocairocffi
        pangocairocffi.layout_path(context, layout)
        context.fill()

    monkeypatch.setattr(text_paint, "fill_outlines", direct)
    filled = draw(settings)
    # Positions are kept to 1/32 px: a few antialiased edge pixels differ a little; a mask
    # placed one pixel off would differ by several units on average.
    assert np.abs(filled - first).mean() < 0.25
    assert np.abs(filled - first).max() <= 64


def test_one_coverage_two_colours(settings):
    image = draw(settings)
    red = image[25:45, 10:250].reshape(-1, 3)
    blue = image[75:95, 10:250].reshape(-1, 3)
    darkest_red = red[red.sum(1).argmin()]
    darkest_blue = blue[blue.sum(1).argmin()]
    assert darkest_red[0] > 150 and darkest_red[2] < 80, darkest_red
    assert darkest_blue[2] > darkest_blue[0], darkest_blue


def test_kept_masks_are_bounded_by_bytes():
    import cairocffi as cairo

    assert text_masks._masks.max_bytes == text_masks.MAX_BYTES
    masks = type(text_masks._masks)(max_bytes=10_000)
    for index in range(50):
        surface = cairo.ImageSurface(cairo.FORMAT_A8, 40, 20)
        masks.put(("text", index), (surface, 0, 0), surface.get_stride() * 20)
    assert masks.total_bytes <= 10_000
    assert masks.get(("text", 49)) is not None and masks.get(("text", 0)) is None


def test_a_request_s_own_words_leave_no_masks_behind(settings):
    """Every answer has new words in the title: their coverage is drawn the same way but not
    kept (it only filled the cache, and a worker's RSS, by ~1 MB every 200 answers)."""
    from pathlib import Path

    from svgrender import render as pipeline
    from svgrender.params import LayerParam, RenderRequest
    from svgrender.templates.model import load_template

    card = Path(__file__).resolve().parent.parent / "templates" / "social-card.svg"
    template = load_template("social-card", card.read_bytes(), settings)

    def answer(title: str):
        return pipeline.render(template, RenderRequest(format="png", params=[
            LayerParam(name="title", text=title)]), settings)

    answer("Warm the unchanged layers up")
    kept = len(text_masks._masks)
    for day in range(5):
        assert answer(f"Explore the coast, day {day}").files[1].data
    assert len(text_masks._masks) == kept
