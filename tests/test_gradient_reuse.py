"""A userSpaceOnUse gradient's pattern is built once per render and reused by every size and
every shape that paints with it: same pixels as a fresh tree at each size (issue 32)."""

import re
from copy import deepcopy

import numpy as np
from lxml import etree

from svgrender.draw.surfaces import Size, draw_raster, parse_for_cairo

SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="300" height="200" viewBox="0 0 300 200"><defs>
<linearGradient id="a" x1="0" y1="0" x2="300" y2="200" gradientUnits="userSpaceOnUse">
 <stop offset="0" stop-color="red"/><stop offset="1" stop-color="blue"/></linearGradient>
<linearGradient id="b" xlink:href="#a" x1="10%" x2="90%" y1="0" y2="0"
 gradientUnits="userSpaceOnUse"/>
<linearGradient id="z" x2="30" y2="90" gradientUnits="userSpaceOnUse" gradientTransform="scale(0)">
 <stop offset="0" stop-color="green"/><stop offset="1" stop-color="yellow"/></linearGradient>
<linearGradient id="e" x2="2em" y2="3em" gradientUnits="userSpaceOnUse" spreadMethod="reflect">
 <stop offset="0" stop-color="green"/><stop offset="1" stop-color="yellow"/></linearGradient>
<radialGradient id="r" cx="150" cy="100" r="80" fr="20" gradientUnits="userSpaceOnUse">
 <stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000"/></radialGradient>
</defs>
<rect width="300" height="200" fill="url(#a)"/>
<rect x="10" y="10" width="100" height="50" fill="url(#a)" opacity="0.5"/>
<g transform="rotate(20 150 100)"><rect x="120" y="20" width="100" height="60" fill="url(#a)"
 fill-opacity="0.4"/></g>
<rect x="10" y="100" width="100" height="50" fill="url(#b)"/>
<rect x="200" y="120" width="80" height="60" fill="url(#z)"/>
<rect x="200" y="20" width="80" height="60" fill="url(#z)"/>
<g style="font-size:10px"><rect x="120" y="120" width="60" height="60" fill="url(#e)"/></g>
<g style="font-size:30px"><rect x="20" y="160" width="60" height="30" fill="url(#e)"
 stroke="url(#a)" stroke-width="4"/></g>
<circle cx="150" cy="100" r="40" fill="url(#r)"/>
<circle cx="250" cy="100" r="30" fill="url(#r)" stroke="url(#r)"/>
</svg>"""


SVG_NS = "http://www.w3.org/2000/svg"


def pixels(surface) -> np.ndarray:
    return np.frombuffer(bytes(surface.get_data()), np.uint8).copy()


def one_gradient_per_use(svg: bytes) -> bytes:
    """The same picture with nothing to reuse: each paint gets its own copy of its gradient."""
    root = etree.fromstring(svg)
    defs = root.find(f"{{{SVG_NS}}}defs")
    gradients = {g.get("id"): g for g in defs}
    uses = iter(range(1000))

    def own(match):
        copy = deepcopy(gradients[match.group(1)])
        copy.set("id", f"{match.group(1)}{next(uses)}")
        defs.append(copy)
        return f"url(#{copy.get('id')})"
    for element in root.iter(f"{{{SVG_NS}}}rect", f"{{{SVG_NS}}}circle"):
        for paint in ("fill", "stroke"):
            if element.get(paint, "").startswith("url("):
                element.set(paint, re.sub(r"url\(#(\w+)\)", own, element.get(paint)))
    return etree.tostring(root)


def test_sizes_drawn_from_one_tree_match_a_drawing_with_nothing_to_reuse():
    shared = parse_for_cairo(SVG)
    reference_svg = one_gradient_per_use(SVG)
    assert reference_svg.count(b"Gradient id=") >= SVG.count(b"Gradient id=") + 12
    for size in (Size(300, 200), Size(100, 67), Size(200, 133), Size(300, 200)):
        reused = pixels(draw_raster(shared, size))
        reference = pixels(draw_raster(parse_for_cairo(reference_svg), size))
        assert np.array_equal(reused, reference), size


def test_the_gradient_is_kept_and_each_shape_still_gets_its_own_colours():
    shared = parse_for_cairo(SVG)
    image = pixels(draw_raster(shared, Size(300, 200))).reshape(200, -1, 4)
    kept = shared.children[0].children[0].__dict__.get("_svgrender_built")
    assert kept, "the gradient's pattern was not kept on its node"
    # BGRA: the background runs from red (top left) to blue (bottom right).
    assert image[2, 2, 2] > 200 and image[2, 2, 0] < 60
    assert image[197, 297, 0] > 200 and image[197, 297, 2] < 60
    # The non-invertible gradientTransform clips its shape away, at every use (as CairoSVG).
    assert image[150, 240, 1] < 120  # no green/yellow there: the background shows through
