"""Our `size` seam gives CairoSVG's lengths (the default font size without normalising it)."""

from types import SimpleNamespace

import pytest
from cairosvg.helpers import size as cairosvg_size

from svgrender.draw.sizes import size


@pytest.mark.parametrize("dpi", [96, 72, 300.5])
@pytest.mark.parametrize("string", ["12pt", "12PT", "10pt", "1em", "50%", None, "3"])
def test_sizes_are_cairosvgs(dpi, string):
    surface = SimpleNamespace(dpi=dpi, font_size=14.0, context_width=300, context_height=200)
    assert size(surface, string) == cairosvg_size(surface, string)
    assert size(None, string) == cairosvg_size(None, string)
