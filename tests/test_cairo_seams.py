"""The CairoSVG internals we extend must still be where we hook in."""

import cairosvg
from cairosvg import defs, surface

from svgrender import cairo_seams


def test_seams_exist_and_are_installed():
    assert cairosvg.__version__.startswith(cairo_seams.SUPPORTED_CAIROSVG)
    cairo_seams.install()
    assert surface.TAGS["rect"] is cairo_seams.rounded_rect
    assert defs.draw_pattern is cairo_seams.draw_pattern
    assert surface.TAGS["image"] is cairo_seams.draw_image
    assert callable(surface.Surface.draw) and hasattr(surface, "PNGSurface")
