"""drawers: our CairoSVG drawers leave the parsed tree as they found it. An answer draws one
parse at every size (the image, then its thumbnails), so a drawer that changes a node moves
what it drew in every size after the first."""

from __future__ import annotations

import base64

import pytest
from PIL import Image

from helpers import EVERY_SVG, drawn_pixels, load_or_skip
from pixels import decode
from svgrender import render as pipeline
from svgrender.draw import seams
from svgrender.draw.surfaces import prepare_drawing
from svgrender.params import RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

FILES = EVERY_SVG

LOGO = base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
    b'<rect width="100" height="100" rx="10" fill="#ee6633"/>'
    b'<circle cx="50" cy="50" r="30" fill="#ffffff"/></svg>').decode()
CARD = f'''<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  width="1200" height="630"><rect width="1200" height="630" fill="#203040"/>
  <image id="logo" x="600" y="300" width="240" height="240"
         xlink:href="data:image/svg+xml;base64,{LOGO}"/></svg>'''.encode()


@pytest.fixture(autouse=True)
def cairo_seams():
    seams.install()


def _orange_box(image: Image.Image) -> tuple[float, float, float, float]:
    """Where the logo's orange is, as fractions of the picture's width and height."""
    rgb = image.convert("RGB")
    mask = Image.eval(rgb.split()[0], lambda v: 255 if v > 180 else 0)
    x0, y0, x1, y1 = mask.getbbox()
    return x0 / image.width, y0 / image.height, x1 / image.width, y1 / image.height


def test_an_embedded_svg_image_is_in_its_place_at_every_size():
    template = load_template("card", CARD, Settings())
    result = pipeline.render(template, RenderRequest(format="png"), Settings())
    images = [decode(f.data) for f in result.files]
    assert [im.width for im in images] == [1200, 400, 800]
    main = _orange_box(images[0])
    assert main == pytest.approx((0.5, 300 / 630, 0.7, 540 / 630), abs=2 / 630)
    for thumbnail in images[1:]:
        assert _orange_box(thumbnail) == pytest.approx(main, abs=2 / thumbnail.height)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_tree_drawn_again_draws_the_same_pixels(path):
    template = load_or_skip(path)
    drawing = prepare_drawing(template.root, template.images)
    first, again = (drawn_pixels(template, drawing, 1 / 3) for _ in range(2))
    assert first == again
