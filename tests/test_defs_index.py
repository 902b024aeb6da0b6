"""defs_index: the definitions a surface registers come out the same as CairoSVG's own walk
registers them — the same nodes under the same ids, on every template and corpus file."""

from __future__ import annotations

import pytest
from cairosvg import defs as cairo_defs
from lxml import etree

from helpers import EVERY_SVG, load_or_skip
from svgrender.draw import defs_index
from svgrender.draw.surfaces import parse_for_cairo

FILES = EVERY_SVG


class Registries:
    """The part of a surface parse_def fills."""

    def __init__(self):
        for kind in defs_index.DEF_TYPES:
            setattr(self, f"{kind}s", {})

    def contents(self) -> dict:
        return {kind: {name: id(node) for name, node in getattr(self, f"{kind}s").items()}
                for kind in defs_index.DEF_TYPES}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_same_definitions_as_cairosvgs_walk(path):
    template = load_or_skip(path)
    tree = parse_for_cairo(etree.tostring(template.root))
    theirs, ours, again = Registries(), Registries(), Registries()
    cairo_defs.parse_all_defs(theirs, tree)  # (the module's own: the seam replaces the
    defs_index.parse_all_defs(ours, tree)    # name in cairosvg.surface)
    defs_index.parse_all_defs(again, tree)  # from the nodes kept on the tree
    assert ours.contents() == theirs.contents() == again.contents()


def test_a_later_definition_of_an_id_wins_as_in_cairosvg():
    tree = parse_for_cairo(
        b'<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g"/></defs>'
        b'<g><radialGradient id="g"/><mask id="m"><path id="p" d="M0 0h1"/></mask></g></svg>')
    theirs, ours = Registries(), Registries()
    cairo_defs.parse_all_defs(theirs, tree)
    defs_index.parse_all_defs(ours, tree)
    assert ours.contents() == theirs.contents()
    assert ours.gradients["g"].tag == "radialGradient" and set(ours.paths) == {"p"}
