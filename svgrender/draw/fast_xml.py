"""The `ElementTree` module as CairoSVG's parser sees it: the same tree, parsed in C.

CairoSVG parses every tree it draws with defusedxml, whose parser is ElementTree's pure-Python
one (it hooks entity declarations to refuse them): 0.25 s for the 15,000 elements of a
3,000-shape Illustrator export, at every render and again when the template is measured. The
bytes svgrender hands CairoSVG are its own serialisations of templates its hardened lxml parser
read and sanitised; a document without a DOCTYPE cannot declare an entity or name an external
DTD, so there is nothing for defusedxml to refuse, and ElementTree's C parser builds the same
tree. Anything with a DOCTYPE still goes to defusedxml, as before.
"""

from __future__ import annotations

import xml.etree.ElementTree as _c_tree

from defusedxml import ElementTree as _defused


def fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True):
    data = text if isinstance(text, bytes) else str(text).encode()
    if b"<!DOCTYPE" not in data:
        return _c_tree.fromstring(data)
    return _defused.fromstring(data, forbid_dtd=forbid_dtd, forbid_entities=forbid_entities,
                               forbid_external=forbid_external)


class FastElementTree:
    """Stands in for `defusedxml.ElementTree` in cairosvg.parser (which uses only fromstring)."""

    __name__ = "svgrender.draw.fast_xml"
    fromstring = staticmethod(fromstring)


module = FastElementTree()
