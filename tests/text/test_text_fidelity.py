"""Untouched template text against Chromium (mean abs diff per channel ≤ 2.0)."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from svgrender import render as pipeline
from svgrender.params import RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

HERE = Path(__file__).resolve().parent
CASES = sorted(p.stem for p in (HERE / "cases").glob("*.svg"))


@pytest.mark.parametrize("name", CASES)
def test_text_matches_chromium(name):
    path = HERE / "cases" / f"{name}.svg"
    template = load_template(name, path.read_bytes(), Settings())
    result = pipeline.render(template, RenderRequest(format="png"), Settings())
    ours = np.asarray(Image.open(io.BytesIO(result.files[0].data)).convert("RGB"), np.int16)
    chromium = np.asarray(Image.open(HERE / "refs" / f"{name}.png").convert("RGB"), np.int16)
    mean = np.abs(ours - chromium).mean()
    assert mean <= 2.0, f"{name}: mean abs diff {mean:.2f}"
