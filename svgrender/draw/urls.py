"""CairoSVG's `parse_url`, without the work for the references most elements lack.

CairoSVG's walker parses each element's `mask`, `filter` and `clip-path` (and each path's
markers) with `urlparse` whether the element has one or not: three or more parses per element
and size, about a tenth of drawing an Illustrator export with thousands of shapes (issue 32).
An absent reference always parses to the same empty result, so it is answered at once.

A present one (`url(#linear-gradient-12)`, parsed again by each fill and gradient lookup at each
size) is remembered: without a base, the answer depends only on the string, and it is an
immutable named tuple, so sharing it changes nothing. Long strings (`data:` URIs of images) are
not kept: they would live on in the table after their template.
"""

from __future__ import annotations

from urllib.parse import urlparse

from cairosvg.url import parse_url as cairosvg_parse_url

EMPTY = urlparse("")  # what CairoSVG's parse_url returns for None or "" without a base
MAX_REMEMBERED = 16384  # forgotten all at once past this: a bound, not an eviction policy
MAX_KEPT_LENGTH = 256

_remembered: dict[str, object] = {}


def parse_url(url, base=None):
    if not url and base is None and (url is None or url == ""):
        return EMPTY
    if base is not None or type(url) is not str or len(url) > MAX_KEPT_LENGTH:
        return cairosvg_parse_url(url, base)
    found = _remembered.get(url)
    if found is None:
        if len(_remembered) >= MAX_REMEMBERED:
            _remembered.clear()
        found = _remembered[url] = cairosvg_parse_url(url)
    return found
