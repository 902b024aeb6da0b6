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
# Inkscape puts the first baseline about a pixel higher than CSS half-leading does at some
# line heights (1.5 and 1.1 here, not 1.25): not modelled. That case is held to its lines
# within 2 px (the distances between them are right) and not to the mean difference.
FIRST_BASELINE_OFF = {"flowed-line-heights"}


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
    within = 2 if name in FIRST_BASELINE_OFF else 1
    assert all(abs(a - b) <= within for a, b in zip(ours, theirs)), (ours, theirs)


@pytest.mark.parametrize("name", [c for c in CASES if c not in FIRST_BASELINE_OFF])
def test_flowed_text_matches_inkscape(name):
    mean = np.abs(draw(name) - inkscape(name)).mean()
    assert mean <= 4.0, f"{name}: mean abs diff {mean:.2f} against Inkscape"
