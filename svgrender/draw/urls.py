"""CairoSVG's `parse_url`, without the work for the references most elements lack.

CairoSVG's walker parses each element's `mask`, `filter` and `clip-path` (and each path's
markers) with `urlparse` whether the element has one or not: three or more parses per element
and size, about a tenth of drawing an Illustrator export with thousands of shapes (issue 32).
An absent reference always parses to the same empty result, so it is answered at once.
"""

from __future__ import annotations

from urllib.parse import urlparse

from cairosvg.url import parse_url as cairosvg_parse_url

EMPTY = urlparse("")  # what CairoSVG's parse_url returns for None or "" without a base


def parse_url(url, base=None):
    if not url and base is None and (url is None or url == ""):
        return EMPTY
    return cairosvg_parse_url(url, base)
