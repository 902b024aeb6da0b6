"""Inkscape flowed text (SVG 1.2 flowRoot) against Inkscape's own drawing: browsers draw none
of it, so the reference is the editor the designer saw it in (make_flowed_references.py)."""

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
CASES = sorted(p.stem for p in (HERE / "flowed").glob("*.svg"))


def draw(name: str) -> np.ndarray:
    path = HERE / "flowed" / f"{name}.svg"
    template = load_template(name, path.read_bytes(), Settings())
    result = pipeline.render(template, RenderRequest(format="png"), Settings())
    return np.asarray(Image.open(io.BytesIO(result.files[0].data)).convert("RGB"), np.int16)


def inkscape(name: str) -> np.ndarray:
    return np.asarray(Image.open(HERE / "flowed-refs" / f"{name}.png").convert("RGB"), np.int16)


def line_tops(image: np.ndarray) -> list[int]:
    """The rows where a line of dark ink starts."""
    inked = (image.mean(axis=-1) < 150).any(axis=1)
    return [y for y in range(1, len(inked)) if inked[y] and not inked[y - 1]]


@pytest.mark.parametrize("name", CASES)
def test_lines_fall_where_inkscape_puts_them(name):
    ours, theirs = line_tops(draw(name)), line_tops(inkscape(name))
    assert len(ours) == len(theirs), (ours, theirs)
    assert all(abs(a - b) <= 1 for a, b in zip(ours, theirs)), (ours, theirs)


@pytest.mark.parametrize("name", CASES)
def test_flowed_text_matches_inkscape(name):
    mean = np.abs(draw(name) - inkscape(name)).mean()
    assert mean <= 2.0, f"{name}: mean abs diff {mean:.2f} against Inkscape"
