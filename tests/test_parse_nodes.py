"""parse_nodes: CairoSVG's trees come out of our Node.__init__ exactly as out of its own — every
node's properties (in order), tag, text, url and children — on every template and corpus file
and on a file made to reach each step; drawn, the same pixels."""

from __future__ import annotations

import pytest
from cairosvg import parser as cairo_parser
from lxml import etree

from helpers import EVERY_SVG, load_or_skip
from svgrender.draw import seams
from svgrender.draw.surfaces import Size, draw_raster, parse_for_cairo

FILES = EVERY_SVG

STEPS = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  width="240" height="120" color="#c30" fill="#036" font-size="20">
<defs><linearGradient id="base" x1="0" x2="1"><stop offset="0" stop-color="currentColor"/>
<stop offset="1" stop-color="#39f"/></linearGradient>
<linearGradient id="linked" xlink:href="#base" y2="1"/>
<g id="tile" opacity="0.5" transform="translate(1 1)"><rect width="30" height="20"/></g></defs>
<style>.loud { stroke: #0a0 !important; stroke-width: 3 }</style>
<g stroke="black" style="stroke-width:2"><rect x="5" y="5" width="60" height="40" fill="url(#linked)"/>
<rect class="loud" x="70" y="5" width="40" height="40" stroke="red" fill="inherit"/>
<circle cx="140" cy="25" r="18" fill="currentColor" stroke="inherit"/></g>
<use xlink:href="#tile" x="170" y="5"/>
<switch><rect systemLanguage="xx" x="5" y="60" width="20" height="20" fill="red"/>
<rect x="5" y="60" width="20" height="20" fill="green"/><rect x="30" y="60" width="5" height="5"/></switch>
<text x="40" y="80" font-family="DejaVu Sans" xml:space="preserve"> a <tspan fill="#a0a" dy="4">b</tspan> tail
<tspan rotate="10 20">cd</tspan></text>
<svg x="150" y="60" width="80" height="50" viewBox="0 0 8 5"><rect width="8" height="5" fill="#fc0"/></svg>
<a xlink:href="#tile"><rect x="120" y="90" width="20" height="20"/></a>
</svg>"""


def dump(node) -> tuple:
    return (node.tag, list(node.items()), node.text, node.url, node.root,
            [dump(child) for child in node.children])


def both_ways(data: bytes, monkeypatch, work):
    """`work(data)` with our Node.__init__ (installed) and with CairoSVG's own."""
    seams.install()
    ours = work(data)
    original = next(value for seam, value in seams._originals.items() if seam.name == "__init__")
    monkeypatch.setattr(cairo_parser.Node, "__init__", original)
    return ours, work(data)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_same_tree_as_cairosvgs_parse(path, monkeypatch):
    template = load_or_skip(path)
    ours, theirs = both_ways(etree.tostring(template.root), monkeypatch,
                             lambda data: dump(parse_for_cairo(data)))
    assert ours == theirs


def test_every_step_as_cairosvg_takes_it(monkeypatch):
    ours, theirs = both_ways(STEPS, monkeypatch, lambda data: dump(parse_for_cairo(data)))
    assert ours == theirs
    flat = str(ours)
    assert "currentColor" not in flat and "inherit" not in flat  # (both replaced)
    assert "'switch'" in flat and "tail" in flat


def test_every_step_draws_the_same_pixels(monkeypatch):
    def draw(data):
        surface = draw_raster(parse_for_cairo(data), Size(480, 240))
        return bytes(surface.get_data())

    ours, theirs = both_ways(STEPS, monkeypatch, draw)
    assert ours == theirs
