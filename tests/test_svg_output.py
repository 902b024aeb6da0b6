"""The `svg` output format: a browser shows what the raster answers show."""

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

FLOWED = Path(__file__).resolve().parent / "text" / "flowed"


def answer(path: Path, fmt: str) -> bytes:
    template = load_template(path.stem, path.read_bytes(), Settings())
    return pipeline.render(template, RenderRequest(format=fmt), Settings()).files[0].data


@pytest.mark.parametrize("name", ["flowed-colours", "flowed-typed-spaces", "flowed-overflow"])
def test_flowed_text_shows_in_a_browser(name):
    """Inkscape flowed text, which no browser draws, is written as the positioned runs the
    raster sizes drew: Chromium shows the SVG answer as the PNG answer looks."""
    path = FLOWED / f"{name}.svg"
    svg = answer(path, "svg").decode()
    assert "flowRoot" not in svg and "data-svgrender" not in svg
    png = np.asarray(Image.open(io.BytesIO(answer(path, "png"))).convert("RGB"), np.int16)
    browser = np.asarray(chromium_screenshot(svg, png.shape[1], png.shape[0]), np.int16)
    assert (browser.mean(axis=-1) < 128).sum() > 500, "the browser drew the text"
    mean = np.abs(browser - png).mean()
    assert mean <= 2.0, f"{name}: {mean:.2f} between Chromium's drawing and the PNG answer"


def test_changed_flowed_text_shows_in_a_browser():
    """A request's new text for a flowRoot layer is laid out in its region and written as a
    <text> (a flowRoot holding tspans would still be invisible in a browser)."""
    path = FLOWED / "flowed-overflow.svg"
    data = path.read_bytes().replace(b"<flowRoot ", b'<flowRoot id="body" ')
    template = load_template("changed", data, Settings())
    request = RenderRequest(format="svg", params=[LayerParam(name="body", text="Replaced words")])
    svg = pipeline.render(template, request, Settings()).files[0].data.decode()
    assert "flowRoot" not in svg and "Replaced words" in svg
    browser = np.asarray(chromium_screenshot(svg, 360, 200), np.int16)
    assert (browser.mean(axis=-1) < 128).sum() > 200, "the browser drew the new text"
