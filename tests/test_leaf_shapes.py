"""leaf_shapes: plain shapes drawn by the short path give exactly the pixels and the layer boxes
of CairoSVG's own draw, on every template and corpus file (at the 400 px thumbnail's 1/3) and on
shapes made to reach each of its branches (at three scales)."""

from __future__ import annotations

import pytest

from helpers import EVERY_SVG, ROOT, drawn_pixels, load_or_skip
from svgrender.draw import seams
from svgrender.draw.surfaces import prepare_drawing
from svgrender.draw.walker import WalkerMixin
from svgrender.settings import Settings
from svgrender.templates.model import load_template

FILES = EVERY_SVG

# Every branch of the short path, and a neighbour of each that must take the long one.
BRANCHES = """<svg xmlns="http://www.w3.org/2000/svg" width="300" height="260" viewBox="0 0 300 260">
<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/><stop offset="1" stop-color="#00f"/></linearGradient>
<marker id="m" markerWidth="4" markerHeight="4" refX="2" refY="2"><circle cx="2" cy="2" r="2"/></marker>
<clipPath id="c"><rect width="100" height="100"/></clipPath></defs>
<rect x="5" y="5" width="60" height="30" rx="6" fill="url(#g)" stroke="#333" stroke-width="3"/>
<rect x="70" y="5" width="0" height="30" fill="red"/>
<rect x="80" y="5" width="50" height="30" opacity="0.5" fill-opacity="0.8" stroke="blue" stroke-opacity="0.4"/>
<path d="m 10,50 l 40,0 l -20,30 z" fill-rule="evenodd" stroke="green" stroke-dasharray="4 2" stroke-dashoffset="1"/>
<path d="M60,50 h40 v30" fill="none" stroke="black" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/>
<polyline points="110,50 130,80 150,50" fill="none" stroke="#a0a" stroke-width="5" stroke-linecap="square" stroke-linejoin="bevel" stroke-miterlimit="2"/>
<polygon points="160,50 190,80 170,90" transform="rotate(10 170 70)" fill="orange"/>
<circle cx="220" cy="65" r="15" shape-rendering="crispEdges" fill="teal"/>
<ellipse cx="260" cy="65" rx="25" ry="10" visibility="hidden" fill="black"/>
<line x1="5" y1="110" x2="100" y2="130" stroke="#f80" stroke-width="6" stroke-dasharray="0"/>
<path d="M110,110 L180,110 L150,150" fill="none" stroke="black" marker-mid="url(#m)" marker-end="url(#m)"/>
<rect x="190" y="105" width="100" height="40" fill="purple" clip-path="url(#c)"/>
<g stroke="navy" stroke-width="2" fill="#ccc" opacity="0.7"><rect x="5" y="150" width="40" height="40"/>
<circle cx="70" cy="170" r="18" display="none"/><rect x="100" y="150" width="1em" height="40" font-size="30"/></g>
<path d="M200,160 L bad" fill="black"/>
<g stroke-miterlimit="10"><path d="M30,255 L40,200 L50,255" fill="none" stroke="black" stroke-width="6" stroke-miterlimit="4"/></g>
<path d="M70,250 h60 v-40 h-60 z M80,240 h40 v-20 h-40 z" fill="#363" fill-rule="evenodd"/>
</svg>""".encode()


def _drawer(template, *scales: float):
    """Draws one parse of `template` at each scale, the short path on or off as the test sets
    it when called."""
    drawing = prepare_drawing(template.root, template.images)
    return lambda: [drawn_pixels(template, drawing, scale) for scale in scales]


def _load(data: bytes):
    return load_template("t", data, Settings(max_template_bytes=50_000_000))


def _both_ways(monkeypatch, work):
    monkeypatch.setattr(WalkerMixin, "short_path", True)
    short = work()
    monkeypatch.setattr(WalkerMixin, "short_path", False)
    return short, work()


@pytest.fixture(autouse=True)
def cairo_seams():
    seams.install()


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_same_pixels_as_cairosvgs_own_draw(path, monkeypatch):
    draw = _drawer(load_or_skip(path), 1 / 3)  # (the same calls at any scale; the
    # branches below are drawn at three)
    short, full = _both_ways(monkeypatch, draw)
    assert short == full


def test_every_branch_draws_as_cairosvg_draws_it(monkeypatch):
    short, full = _both_ways(monkeypatch, _drawer(_load(BRANCHES), 1, 0.5, 2.5))
    assert short == full
    blank = _drawer(_load(b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"/>'),
                    1)()
    assert short[0] != blank[0]  # (it drew something)


def test_the_same_layer_boxes(monkeypatch):
    data = (ROOT / "tests/corpus/files/code4sa-health.svg").read_bytes()
    for source in (data, BRANCHES):
        short, full = _both_ways(monkeypatch, lambda: _load(source))
        assert [(el.tag, el.get("id"), box) for el, box in short.boxes.items()] == \
            [(el.tag, el.get("id"), box) for el, box in full.boxes.items()]
        assert len(short.boxes) > 10
