"""CairoSVG's `size` for the walker, without normalising the default font size each time.

CairoSVG's walker reads every element's font size as `size(surface, node.get('font-size',
'12pt'))`: for the many elements without one, that is three regular-expression passes to read
"12pt" again, at every element and size (issue 32). The default gets the same arithmetic at once.
"""

from __future__ import annotations

from cairosvg.helpers import UNITS
from cairosvg.helpers import size as cairosvg_size

DEFAULT_FONT_SIZE = "12pt"


def size(surface, string, reference="xy"):
    if string == DEFAULT_FONT_SIZE and surface is not None:
        return 12.0 * (surface.dpi * UNITS["pt"])  # CairoSVG's own: number * (dpi * coefficient)
    return cairosvg_size(surface, string, reference)
