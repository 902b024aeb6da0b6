"""Filters at the canvas's edge (draw/filters.py), against Debian's Chromium.

A blurred full-page picture fades at the page's edge in a browser (nothing lies beyond it), while a
card running off the page keeps its shadow up to the edge (it goes on beyond). We repeated the
edge pixels in both cases, so a Figma card's full-canvas blur stayed solid at its edges (4.96 off)."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import chromium_screenshot
from svgrender import render as pipeline
from svgrender.params import RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

EDGES = Path(__file__).resolve().parent / "edges"


def draw(path: Path) -> np.ndarray:
    template = load_template(path.stem, path.read_bytes(), Settings())
    data = pipeline.render(template, RenderRequest(format="png"), Settings()).files[0].data
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.int16)


@pytest.mark.parametrize("name", ["blurred-full-page", "shadows-off-page"])
def test_edges_drawn_as_in_a_browser(name):
    path = EDGES / f"{name}.svg"
    ours = draw(path)
    browser = np.asarray(chromium_screenshot(path.read_text(), ours.shape[1], ours.shape[0]),
                         np.int16)
    diff = np.abs(ours - browser).mean(-1)
    band = np.concatenate([diff[:12].ravel(), diff[-12:].ravel(), diff[:, :12].ravel(),
                           diff[:, -12:].ravel()])
    assert diff.mean() <= 2.0 and band.mean() <= 3.0, (diff.mean(), band.mean())


def test_a_full_page_blur_fades_to_the_page_behind():
    """The corner of the blurred page shows much of the white page drawn under it."""
    ours = draw(EDGES / "blurred-full-page.svg")
    assert ours[0, 0].min() > 150, ours[0, 0]  # solid #f06 would have a channel at 0
