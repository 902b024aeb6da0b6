"""Filtered elements are grouped only within their filter's extent (surfaces.RasterSurface):
the same pixels as a canvas-sized group, at every size of an answer."""

import io
import sys

import numpy as np
import pytest
from PIL import Image

from helpers import ROOT
from svgrender import render as pipeline
from svgrender.draw import surfaces
from svgrender.draw.filters import group_extent
from svgrender.params import RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

sys.path.insert(0, str(ROOT / "benchmarks"))
from redraw_cards import photo_after_text_card, shadows_card  # noqa: E402

EVERY_LAYER = Settings(static_layer_cache_bytes=0)
CARDS = {"shadows": lambda: shadows_card(16), "photo-card": photo_after_text_card,
         "social-card": lambda: (ROOT / "templates" / "social-card.svg").read_bytes(),
         "figma-export": lambda: (ROOT / "templates" / "figma-export.svg").read_bytes()}


def _pixels(data: bytes, scale: float) -> list[np.ndarray]:
    template = load_template("t", data, EVERY_LAYER)
    rendered = pipeline.render(template, RenderRequest(format="png", scale=scale), EVERY_LAYER)
    return [np.asarray(Image.open(io.BytesIO(f.data)).convert("RGBA"), np.int16)
            for f in rendered.files]


@pytest.mark.parametrize("name", CARDS)
@pytest.mark.parametrize("scale", [1, 0.5])
def test_groups_in_the_filter_extent_draw_the_canvas_sized_groups_pixels(name, scale,
                                                                         monkeypatch):
    data = CARDS[name]()
    calls = []
    monkeypatch.setattr(surfaces.RasterSurface, "group_extent", staticmethod(
        lambda surface, node, fid: calls.append(fid) or group_extent(surface, node, fid)))
    bounded = _pixels(data, scale)
    assert calls  # every card here has filtered elements
    monkeypatch.setattr(surfaces.RasterSurface, "group_extent",
                        staticmethod(lambda surface, node, fid: None))
    for a, b in zip(bounded, _pixels(data, scale)):
        assert np.abs(a - b).max() == 0


def test_the_extent_is_the_filter_region_plus_its_reach():
    template = load_template("t", shadows_card(1), EVERY_LAYER)
    seen = []

    def recording(surface, node, fid):
        extent = group_extent(surface, node, fid)
        seen.append(extent)
        return extent

    surfaces.RasterSurface.group_extent = staticmethod(recording)
    try:
        pipeline.render(template, RenderRequest(format="png"), EVERY_LAYER)
    finally:
        surfaces.RasterSurface.group_extent = staticmethod(group_extent)
    x0, y0, x1, y1 = seen[0]  # tile0: 240×90 at (40, 40), region -20%/-30% by 140%/180%
    assert x0 < 40 - 48 and x1 > 40 + 240 + 48 and y0 < 40 - 27 and y1 > 40 + 90 + 45
    assert x1 - x0 < 240 * 1.4 + 80 and y1 - y0 < 90 * 1.8 + 80  # not the canvas
