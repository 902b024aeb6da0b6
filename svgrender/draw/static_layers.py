"""Static layers drawn once: everything a request paints before the first layer it changes.

A request usually changes a title or a photo on top of a background, a card and its shadow that
are the same in every answer. The top-level elements before the first changed one (in paint
order) are drawn once per distinct content and output size and kept as a surface; a request
copies that surface and draws only the rest on it, so blend modes and anything else that reads
the backdrop still see it. The key is a hash of the static part as it will be drawn (template
version, params, decoded images all show in it), so a stale surface cannot be used: a change
in any of it is simply another key.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass

import cairocffi as cairo
from lxml import etree

from svgrender.draw.surfaces import parse_for_cairo
from svgrender.lru import ByteBoundedCache
from svgrender.svg.xml import INKSCAPE_LABEL, href, local_name, style_value, url_fragment

NOT_DRAWN = {"defs", "title", "desc", "metadata", "style", "script", "namedview"}
# Root properties that make the whole drawing one group: splitting it would change the result.
GROUPING = ("opacity", "filter", "mask", "clip-path", "mix-blend-mode", "isolation")


@dataclass
class Split:
    prefix: etree._Element  # a root with the static drawn children (and copies of every def)
    rest: etree._Element  # the applied tree itself, its static children moved out
    key: str
    _parsed: object = None

    def cairo_prefix(self):
        """The static part parsed for CairoSVG (only when it has to be drawn)."""
        if self._parsed is None:
            self._parsed = parse_for_cairo(etree.tostring(self.prefix))
        return self._parsed


def split(tree: etree._Element, changed_names: list[str]) -> Split | None:
    """The static prefix of `tree` (an applied tree), or None when nothing can be kept."""
    if any(style_value(tree, p) not in (None, "", "1", "none", "normal", "auto")
           for p in GROUPING):
        return None
    children = [c for c in tree if isinstance(c.tag, str)]
    drawn = [c for c in children if local_name(c) not in NOT_DRAWN]
    first = _first_changed(tree, drawn, changed_names)
    static, dynamic = drawn[:first], drawn[first:]
    if not static or not dynamic:
        return None  # nothing to keep, or nothing to draw on it (the answer cache has those)
    if _references_across(static, dynamic):
        return None  # a <use>, paint or effect of one part points into the other
    prefix = _moved_out(tree, set(static))
    return Split(prefix, tree, hashlib.sha256(etree.tostring(prefix)).hexdigest())


def _first_changed(tree, drawn: list, names: list[str]) -> int:
    wanted = set(names)
    if not wanted:
        return len(drawn)
    for index, child in enumerate(drawn):
        for element in child.iter():
            if not isinstance(element.tag, str):
                continue
            if wanted & {element.get("id"), element.get("data-name"), element.get(INKSCAPE_LABEL)}:
                return index
    return 0  # a changed layer we cannot place (the canvas itself): nothing is static


def _ids(elements) -> set[str]:
    return {el.get("id") for top in elements for el in top.iter()
            if isinstance(el.tag, str) and el.get("id")}


def _references(elements) -> set[str]:
    found = set()
    for top in elements:
        for el in top.iter():
            if not isinstance(el.tag, str):
                continue
            link = href(el) or ""
            if link.startswith("#"):
                found.add(link[1:])
            for prop in ("fill", "stroke", "filter", "mask", "clip-path", "marker-start",
                         "marker-mid", "marker-end"):
                fragment = url_fragment(style_value(el, prop))
                if fragment:
                    found.add(fragment)
    return found


def _references_across(static, dynamic) -> bool:
    return bool(_references(static) & _ids(dynamic) or _references(dynamic) & _ids(static))


def _moved_out(tree: etree._Element, static: set) -> etree._Element:
    """A new root holding the static children (moved out of `tree`, which keeps the rest) and
    copies of the undrawn ones (defs, styles), which both parts need. `tree` is the request's
    own applied copy: moving costs nothing, copying the whole tree twice did."""
    root = etree.Element(tree.tag, dict(tree.attrib), nsmap=tree.nsmap)
    root.text = tree.text
    for child in list(tree):
        if child in static:
            root.append(child)  # moved: lxml takes it out of `tree`
        elif isinstance(child.tag, str) and local_name(child) in NOT_DRAWN:
            root.append(copy.deepcopy(child))
    return root


class StaticLayerCache(ByteBoundedCache):
    """Drawn static prefixes by (key, sizes), each size's surface, with the warnings drawing
    them gave."""

    def put(self, key: tuple, surfaces: dict, warnings: list[str]) -> None:
        super().put(key, (surfaces, list(warnings)),
                    sum(s.get_stride() * s.get_height() for s in surfaces.values()))


def copy_of(surface: cairo.ImageSurface) -> cairo.ImageSurface:
    out = cairo.ImageSurface(cairo.FORMAT_ARGB32, surface.get_width(), surface.get_height())
    context = cairo.Context(out)
    context.set_source_surface(surface, 0, 0)
    context.set_operator(cairo.OPERATOR_SOURCE)
    context.paint()
    return out
