"""Path data and polygon points parsed once per render: a size drawn from a replayed recording has the same pixels
as the same size drawn from a freshly parsed tree (issue 32)."""

import numpy as np

from svgrender.draw.path_replay import KEPT
from svgrender.draw.surfaces import Size, draw_raster, parse_for_cairo

# Absolute and relative commands, implicit repeats, arcs (elliptical, rotated, flags packed
# together), quadratic and smooth curves, a subpath after z, and markers (which read the vertices
# the parsing records).
SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200" viewBox="0 0 300 200">
<defs><marker id="m" markerWidth="6" markerHeight="6" refX="3" refY="3">
<circle cx="3" cy="3" r="3" fill="#c00"/></marker></defs>
<path id="p1" d="M10,10 l40,0 30 30 h-20 v20 z m60,0 c10-20 30-20 40,0 s30 20 40 0" fill="#36c"
      stroke="#000" stroke-width="2" marker-mid="url(#m)" marker-end="url(#m)"/>
<path d="M150 150 a40 20 30 1 1 60 -20 A30 30 0 0 0 280 180 q-20-30 -40-10 t-30 0 z"
      fill="none" stroke="#090" stroke-width="4"/>
<path d="M20 190a15 15 0 1015-15Z" fill="#f80"/>
<polygon points="220,20 290,40 260,90 230,70" fill="#909" marker-start="url(#m)"/>
<polyline points="100 120, 130 100 160 125" fill="none" stroke="#555" marker-mid="url(#m)"/>
</svg>"""


def pixels(surface) -> np.ndarray:
    return np.frombuffer(bytes(surface.get_data()), np.uint8).copy()


def test_replayed_paths_draw_what_a_fresh_parse_draws():
    shared = parse_for_cairo(SVG)
    first = draw_raster(shared, Size(300, 200))  # records each path on its node
    recorded = [node for node in shared.children if getattr(node, KEPT, None)]
    assert len(recorded) == 5
    for size in (Size(100, 67), Size(200, 133), Size(300, 200)):
        replayed = pixels(draw_raster(shared, size))
        fresh = pixels(draw_raster(parse_for_cairo(SVG), size))
        assert np.array_equal(replayed, fresh), size
    full = pixels(first).reshape(200, -1, 4)
    assert full[25, 30, 3] == 255  # the first path's fill is there (opaque blue)
    assert full[25, 30, 0] > 150 and full[25, 30, 2] < 100  # BGRA: blue high, red low


def test_a_path_drawn_under_another_current_point_is_parsed_again():
    # "m" after a previous path element's end: the recording is keyed by where it starts.
    shared = parse_for_cairo(SVG)
    draw_raster(shared, Size(300, 200))
    node = shared.children[1]
    assert all(key[0] == node["d"] for key in getattr(node, KEPT))
