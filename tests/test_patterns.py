"""Pattern fills (draw/drawers.py draw_pattern) on text and strokes, against Debian's Chromium.

A patternTransform moves the pattern's tiles, never what they fill: CairoSVG left it on the
context, so a title filled with a rotated pattern (Inkscape's usual export) was drawn turned off
its place. The stroke drawn after a scaled pattern keeps its width (it did before, and must still)."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import chromium_screenshot
from svgrender import render as pipeline
from svgrender.params import LayerParam, RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

PATTERNS = Path(__file__).resolve().parent / "text" / "patterns"


def draw(path: Path, params=()) -> np.ndarray:
    template = load_template(path.stem, path.read_bytes(), Settings())
    request = RenderRequest(format="png", params=list(params))
    data = pipeline.render(template, request, Settings()).files[0].data
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.int16)


def browser(path: Path, shape) -> np.ndarray:
    return np.asarray(chromium_screenshot(path.read_text(), shape[1], shape[0]), np.int16)


@pytest.mark.parametrize("name", ["rotated-pattern-title", "scaled-pattern-stroke"])
def test_patterned_fills_draw_as_in_a_browser(name):
    path = PATTERNS / f"{name}.svg"
    ours = draw(path)
    mean = np.abs(ours - browser(path, ours.shape)).mean()
    assert mean <= 2.0, f"{name}: {mean:.2f} from Chromium"


def test_a_rotated_pattern_title_stays_on_its_baseline():
    """The title's ink (red/blue stripes) lies in the band of its line, and below it is background,
    for the template's text and a changed one."""
    path = PATTERNS / "rotated-pattern-title.svg"
    for params in ((), [LayerParam(name="title", text="HELLO")]):
        ours = draw(path, params)
        striped = (np.abs(ours - [204, 0, 0]).sum(-1) < 60) | (np.abs(ours - [0, 0, 204]).sum(-1) < 60)
        rows = np.nonzero(striped.any(axis=1))[0]
        assert rows.size, "the title is not drawn"
        assert 40 <= rows.min() and rows.max() <= 125, (rows.min(), rows.max())
        assert striped[:, :280].sum() > 3000


def test_a_scaled_pattern_leaves_the_stroke_its_width():
    ours = draw(PATTERNS / "scaled-pattern-stroke.svg")
    dark = (ours.sum(-1) < 150)[80]  # the middle row crosses the left and right stroke
    left = np.nonzero(dark[:100])[0]
    assert 3 <= left.size <= 5, f"left stroke {left.size} px wide (4 drawn)"
