"""Measuring a template's layer boxes (templates/layers.py) draws gradients as stand-in solids:
the same boxes as with the gradients built, and no gradient pattern made (issue 32)."""

import sys
from pathlib import Path

import pytest

from helpers import ROOT, TEMPLATES
from svgrender.draw import drawers
from svgrender.draw.context import RenderContext
from svgrender.draw.surfaces import parse_for_cairo
from svgrender.notices import Notices
from svgrender.settings import Settings
from svgrender.svg.prepare import prepare_root
from svgrender.svg.sanitize import Limits, inflate
from svgrender.svg.xml import parse_svg
from svgrender.templates import layers

sys.path.insert(0, str(ROOT / "benchmarks"))
from illustrator_like import illustrator_like  # noqa: E402

# What could make a stand-in's box differ from the gradient's: stops that are all clear (cairo
# then draws nothing), a gradient transform that cannot be inverted (CairoSVG clips everything
# away), inherited stops, gradient strokes, a bounding-box gradient on a shape with no area, a
# gradient inside a mask.
EDGES = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="400" height="300"><defs>
<linearGradient id="a" x2="400" gradientUnits="userSpaceOnUse">
 <stop offset="0" stop-color="red"/><stop offset="1" stop-color="blue"/></linearGradient>
<linearGradient id="clear" x2="400" gradientUnits="userSpaceOnUse">
 <stop offset="0" stop-color="red" stop-opacity="0"/><stop offset="1" stop-color="rgba(0,0,0,0)"/>
</linearGradient>
<linearGradient id="faint" x2="400" gradientUnits="userSpaceOnUse">
 <stop offset="0" stop-color="red" stop-opacity="0.000001"/></linearGradient>
<linearGradient id="none" x2="400" gradientUnits="userSpaceOnUse"/>
<linearGradient id="singular" x2="400" gradientUnits="userSpaceOnUse" gradientTransform="scale(0)">
 <stop offset="0" stop-color="red"/></linearGradient>
<radialGradient id="inherits" xlink:href="#a" cx="100" cy="100" r="50"
 gradientUnits="userSpaceOnUse"/>
<linearGradient id="box"><stop offset="0" stop-color="red"/><stop offset="1" stop-color="blue"/>
</linearGradient>
<mask id="m"><rect x="0" y="0" width="200" height="300" fill="url(#a)"/></mask>
</defs>
<rect id="plain" x="10" y="10" width="50" height="40" fill="url(#a)"/>
<rect id="clear-fill" x="70" y="10" width="50" height="40" fill="url(#clear)"/>
<rect id="faint-fill" x="130" y="10" width="50" height="40" fill="url(#faint)"/>
<rect id="no-stops" x="190" y="10" width="50" height="40" fill="url(#none)"/>
<rect id="singular-fill" x="250" y="10" width="50" height="40" fill="url(#singular)"/>
<g id="group" opacity="0.5"><circle id="inherited" cx="100" cy="100" r="40" fill="url(#inherits)"/>
<rect id="stroked" x="200" y="80" width="60" height="40" fill="none" stroke="url(#a)"
 stroke-width="12"/></g>
<line id="flat-line" x1="20" y1="200" x2="300" y2="200" stroke="url(#box)" stroke-width="6"/>
<rect id="masked" x="20" y="220" width="360" height="60" fill="url(#a)" mask="url(#m)"/>
</svg>"""


def _boxes(data: bytes, surface=layers._MeasuringSurface) -> dict:
    settings = Settings(max_template_bytes=50_000_000)
    root = parse_svg(inflate(data, settings.max_template_bytes))
    prepare_root(root, Limits.from_settings(settings))
    kept, layers._MeasuringSurface = layers._MeasuringSurface, surface
    try:
        boxes = layers.measure(root, parse_for_cairo, RenderContext(Notices()))[0]
    finally:
        layers._MeasuringSurface = kept
    return {element.get("id") or f"{element.tag}#{i}": box
            for i, (element, box) in enumerate(boxes.items())}


class _GradientsBuilt(layers._MeasuringSurface):
    geometry_only = False


REAL_EXPORTS = [TEMPLATES / "social-card.svg", TEMPLATES / "social-story.svg",
                ROOT / "tests" / "corpus" / "files" / "osgeo-geonetwork-a4.svg",
                ROOT / "tests" / "corpus" / "files" / "osgeo-gsoc-a4.svg"]


@pytest.mark.parametrize("path", REAL_EXPORTS, ids=lambda p: p.name)
def test_real_exports_measure_the_same_boxes_with_stand_ins(path):
    data = path.read_bytes()
    assert b"Gradient" in data  # (each uses gradients: what the stand-ins replace)
    assert _boxes(data) == _boxes(data, _GradientsBuilt)


def test_edge_cases_measure_the_same_boxes_with_stand_ins():
    stand_ins, built = _boxes(EDGES), _boxes(EDGES, _GradientsBuilt)
    assert stand_ins == built
    assert "plain" in built and "faint-fill" not in built and "clear-fill" not in built
    assert "singular-fill" not in built and "masked" in built


def test_measuring_builds_no_userspace_gradient(monkeypatch):
    built = []
    real = drawers.cairosvg_draw_gradient
    monkeypatch.setattr(drawers, "cairosvg_draw_gradient",
                        lambda *args: built.append(args[2]) or real(*args))
    boxes = _boxes(illustrator_like(200).encode())
    assert len(boxes) > 200 and built == []
