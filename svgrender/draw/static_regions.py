"""Static layers kept by region: a changed layer redraws only the rectangle it paints.

static_layers.py keeps what is painted *before* the first changed layer; everything after it
(a photo above the title, a logo, a frame) used to be drawn again for every answer. Here the
top-level children are three parts: `below` (before the first changed one), `changed` (the
changed ones, next to each other in paint order) and `above` (after them). Kept per content and
size: `below` drawn, and `below` + `above` drawn ("static"), and the ink box of each `above`
layer. A request draws its changed layers on a copy of `below`; the pixels they changed bound
the dirty rectangle D. Outside D the answer is the kept static picture: the changed layers left
those pixels as they were, so whatever is painted above them gives the same pixels there.
Inside D the `above` layers whose ink meets D are drawn on top, whole (a filter sees all of its
source); the others paint nothing inside D and are not drawn.

Every draw is per pixel, in paint order, on the same surface size, so the pieces are the very
pixels of a full draw. Thumbnails sample filtered layers from the main size drawn before them
(the render context's filter_results), so the three sizes of each part are drawn together,
main first, sharing one dict: a thumbnail never computes a filter at its own size where a full
draw would have sampled it.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field

import cairocffi as cairo
import numpy as np
from lxml import etree

from svgrender.draw.static_layers import (GROUPING, NOT_DRAWN, StaticLayerCache, _ids,
                                          _references)
from svgrender.draw.context import RenderContext
from svgrender.draw.surfaces import Size, draw_raster, parse_for_cairo
from svgrender.lru import ByteBoundedCache
from svgrender.svg.xml import INKSCAPE_LABEL, local_name, style_value

MAX_ABOVE = 32  # each layer above is drawn alone once to measure its ink; past this, don't
MARGIN = 2  # px around a main-size ink box scaled down to a thumbnail (resampling spreads it)


@dataclass
class RegionSplit:
    below: etree._Element  # a root with the static children before the changed ones
    changed: etree._Element  # the applied tree itself, only the changed children left in it
    above: list  # the static children after the changed ones (moved out of the tree)
    undrawn: list  # defs, styles…: every part's tree gets a copy
    key: str


def split(tree: etree._Element, changed_names: list[str]) -> RegionSplit | None:
    """Below / changed / above parts of `tree` (an applied tree), or None when the region
    split cannot be exact or would not help (then static_layers.split is the fallback)."""
    if any(style_value(tree, p) not in (None, "", "1", "none", "normal", "auto")
           for p in GROUPING):
        return None
    wanted = set(changed_names)
    drawn = [c for c in tree if isinstance(c.tag, str) and local_name(c) not in NOT_DRAWN]
    hit = [i for i, child in enumerate(drawn) if _holds(child, wanted)]
    if not wanted or not hit or len(hit) != hit[-1] - hit[0] + 1:
        return None  # nothing placed, or a static layer between two changed ones
    below, changed, above = drawn[:hit[0]], drawn[hit[0]:hit[-1] + 1], drawn[hit[-1] + 1:]
    if not above or len(above) > MAX_ABOVE:
        return None
    if _references(below + above) & _ids(changed) or _references(changed) & _ids(below + above):
        return None  # a <use>, paint or effect of one part points into another
    undrawn = [c for c in tree if isinstance(c.tag, str) and local_name(c) in NOT_DRAWN]
    below_root = _root_like(tree, undrawn)
    for child in below:
        below_root.append(child)  # moved out of the request's own tree
    for child in above:
        tree.remove(child)
    _only_defs_used(tree, undrawn, changed)
    digest = hashlib.sha256(etree.tostring(below_root))
    for child in above:
        digest.update(b"\0" + etree.tostring(child))
    return RegionSplit(below_root, tree, above, undrawn, digest.hexdigest())


# Definitions that draw only where something points at them (url(#…) or href).
REFERENCED_ONLY = {"linearGradient", "radialGradient", "pattern", "filter", "clipPath", "mask",
                   "marker", "symbol"}


def _only_defs_used(tree, undrawn: list, changed: list) -> None:
    """In the changed part's tree (drawn and parsed again for every answer), each <defs> is
    replaced by one holding only the definitions the changed layers use (directly or through
    another definition): a title-only answer then parses a few nodes, not the template's
    gradients, filters and clips. The kept <defs> stay whole in `undrawn` for the other parts.
    Not with a <style> sheet: its rules may point at definitions too."""
    if any(local_name(el) == "style" for el in tree.iter() if isinstance(el.tag, str)):
        return
    defined = {el.get("id"): el for defs in undrawn if local_name(defs) == "defs"
               for el in defs if isinstance(el.tag, str) and el.get("id")}
    used, todo = set(), _references(changed)
    while todo:
        name = todo.pop()
        if name not in used:
            used.add(name)
            if name in defined:
                todo |= _references([defined[name]])
    for defs in undrawn:
        if local_name(defs) != "defs":
            continue
        kept = etree.Element(defs.tag, dict(defs.attrib), nsmap=defs.nsmap)
        kept.tail = defs.tail
        for el in defs:
            if not isinstance(el.tag, str) or local_name(el) not in REFERENCED_ONLY \
                    or el.get("id") in used:
                kept.append(copy.deepcopy(el))
        tree.replace(defs, kept)


def _holds(child, wanted: set) -> bool:
    return any(isinstance(el.tag, str) and wanted & {el.get("id"), el.get("data-name"),
                                                     el.get(INKSCAPE_LABEL)}
               for el in child.iter())


def _root_like(tree, undrawn) -> etree._Element:
    root = etree.Element(tree.tag, dict(tree.attrib), nsmap=tree.nsmap)
    root.text = tree.text
    for child in undrawn:
        root.append(copy.deepcopy(child))
    return root


def _tree_of(split_: RegionSplit, elements) -> object:
    root = _root_like(split_.changed, split_.undrawn)
    for element in elements:
        root.append(copy.deepcopy(element))
    return parse_for_cairo(etree.tostring(root))


@dataclass
class Kept:
    """One split's static parts drawn at the sizes of an answer."""
    below: dict  # Size -> surface
    static: dict  # Size -> surface (below + above)
    inks: list  # per above layer: its ink box at the main size (x0, y0, x1, y1) or None
    main: Size
    below_warnings: list
    above_warnings: list
    above: list  # the above elements (copies), to build the trees that redraw some of them
    undrawn: list
    root: etree._Element
    trees: dict = field(default_factory=dict)  # frozenset of above indexes -> SVG bytes
    # (size, format, settings) -> the static picture's file in the format's kept form
    # (Format.encoded_kept), made when an answer first needs it and then counted in the cache.
    encoded: dict = field(default_factory=dict)


class RegionCache(StaticLayerCache):
    """One byte budget for both ways of keeping layers: paint-order prefixes (put) and
    region splits (put_kept), under keys that say which."""

    def put_kept(self, key, kept: Kept) -> None:
        nbytes = sum(s.get_stride() * s.get_height()
                     for part in (kept.below, kept.static) for s in part.values())
        ByteBoundedCache.put(self, key, kept, nbytes)


def keep(split_: RegionSplit, sizes: list[Size], background: str | None,
         context: RenderContext | None = None) -> Kept:
    """Draw the static parts at `sizes` (main first), and measure each above layer's ink, in
    `context` (the render's) with warnings of their own and filter results per part."""
    context = context or RenderContext()

    def part(warnings: list[str]) -> RenderContext:
        return context.with_(notices=context.notices.into(warnings), filter_results={})

    below_warnings: list[str] = []
    above_warnings: list[str] = []
    below, static = {}, {}
    above_tree = _tree_of(split_, split_.above)
    below_tree = parse_for_cairo(etree.tostring(split_.below))
    below_part = part(below_warnings)
    for size in sizes:
        below[size] = draw_raster(below_tree, size, background, None, below_part)
    above_part = part(above_warnings)
    for size in sizes:
        static[size] = draw_raster(above_tree, size, None, below[size], above_part)
    inks = []
    unheard = context.notices.into([])
    for element in split_.above:
        alone = draw_raster(_tree_of(split_, [element]), sizes[0], None, None,
                            context.with_(notices=unheard, filter_results={}))
        inks.append(_alpha_box(alone))
    root = _root_like(split_.changed, [])
    return Kept(below, static, inks, sizes[0], below_warnings, above_warnings, [copy.deepcopy(e) for e in split_.above],
                [copy.deepcopy(e) for e in split_.undrawn], root)


def _pixels(surface: cairo.ImageSurface) -> np.ndarray:
    surface.flush()
    stride, h, w = surface.get_stride(), surface.get_height(), surface.get_width()
    return np.frombuffer(surface.get_data(), np.uint32).reshape(h, stride // 4)[:, :w]


def _box_of(mask: np.ndarray):
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _alpha_box(surface):
    return _box_of(_pixels(surface) >> 24 != 0)


def dirty_box(drawn: cairo.ImageSurface, below: cairo.ImageSurface):
    """The pixels the changed layers changed, as a box (x0, y0, x1, y1), or None. The rows
    first, two pixels at a time over whole rows (padding included: cairo leaves it alone);
    the columns only in the rows that changed (a title is a band of the picture)."""
    drawn.flush()
    below.flush()
    h, stride = drawn.get_height(), drawn.get_stride()
    if stride % 8 == 0:
        pairs = [np.frombuffer(s.get_data(), np.uint64).reshape(h, stride // 8)
                 for s in (drawn, below)]
        rows = np.flatnonzero((pairs[0] != pairs[1]).any(axis=1))
        if len(rows) == 0:
            return None
        top, bottom = int(rows[0]), int(rows[-1]) + 1
    else:
        top, bottom = 0, h
    box = _box_of(_pixels(drawn)[top:bottom] != _pixels(below)[top:bottom])
    return None if box is None else (box[0], box[1] + top, box[2], box[3] + top)


def ink_at(ink, main: Size, size: Size):
    if ink is None or size == main:
        return ink
    fx, fy = size.width / main.width, size.height / main.height
    return (int(ink[0] * fx) - MARGIN, int(ink[1] * fy) - MARGIN,
            int(ink[2] * fx + 1) + MARGIN, int(ink[3] * fy + 1) + MARGIN)


def meets(a, b) -> bool:
    return a is not None and b is not None and a[0] < b[2] and b[0] < a[2] and \
        a[1] < b[3] and b[1] < a[3]


def above_tree(kept: Kept, indexes: frozenset):
    """The above layers in `indexes`, parsed for this request: the serialised tree is kept,
    not the parsed one (CairoSVG writes into its nodes while drawing; threads share `kept`)."""
    data = kept.trees.get(indexes)
    if data is None:
        root = copy.deepcopy(kept.root)
        for child in kept.undrawn:
            root.append(copy.deepcopy(child))
        for i in sorted(indexes):
            root.append(copy.deepcopy(kept.above[i]))
        data = kept.trees[indexes] = etree.tostring(root)
    return parse_for_cairo(data)


def compose(drawn: cairo.ImageSurface, static: cairo.ImageSurface, box,
            rows: tuple[int, int]) -> cairo.ImageSurface:
    """`drawn` inside `box`, the kept static picture everywhere else within `rows` (top,
    bottom: the whole height, or only the rows an encoder of changed rows reads; the rest
    keeps what was drawn), on `drawn` itself."""
    context = cairo.Context(drawn)
    context.rectangle(0, rows[0], drawn.get_width(), rows[1] - rows[0])
    if box is not None:
        context.rectangle(box[0], box[1], box[2] - box[0], box[3] - box[1])
    context.set_fill_rule(cairo.FILL_RULE_EVEN_ODD)
    context.clip()
    context.set_source_surface(static, 0, 0)
    context.set_operator(cairo.OPERATOR_SOURCE)
    context.paint()
    drawn.flush()
    return drawn
