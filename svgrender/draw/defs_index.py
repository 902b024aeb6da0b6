"""CairoSVG's `parse_all_defs`, its walk done once per parsed tree.

Every surface that draws a tree starts by walking all of it to register the definitions it can
reference (gradients, patterns, masks, filters, markers, clip paths, images): an answer draws
its one parse at three sizes, and measuring a template draws it once more, so an Illustrator
export's 15,000 nodes were visited four times for the same few thousand definitions. The nodes
that define something are found once and kept on the tree's node; each surface registers those,
in document order, through CairoSVG's own `parse_def` — the same registries as before.
"""

from __future__ import annotations

from cairosvg import defs as cairo_defs

# parse_def's test: one of these in the lower-cased tag, and an id.
DEF_TYPES = ("marker", "gradient", "pattern", "path", "mask", "filter", "image")


def parse_all_defs(surface, node) -> None:
    found = node.__dict__.get("_svgrender_defs")
    if found is None:  # (a tree does not change once parsed: `use` parses trees of its own)
        found = node._svgrender_defs = defining_nodes(node)
    for definition in found:
        cairo_defs.parse_def(surface, definition)


def defining_nodes(node) -> list:
    """The nodes under `node` (itself included) parse_def registers, in document order."""
    out = []
    stack = [node]
    while stack:
        current = stack.pop()
        if "id" in current:
            tag = current.tag.lower()
            if any(kind in tag for kind in DEF_TYPES):
                out.append(current)
        if current.children:
            stack.extend(reversed(current.children))
    return out
