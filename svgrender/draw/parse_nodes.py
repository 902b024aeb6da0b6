"""CairoSVG's `Node.__init__` (the parse of every element, at every render), step for step, with
two costs taken out:

- what a child inherits is its parent's properties less the non-inherited ones: CairoSVG
  filters the parent's properties again for every child (an Illustrator group of 3,000 shapes
  filtered its properties 3,000 times); here they are filtered once while the parent builds its
  children, and the same dict is copied into each;
- the tag's namespace split, done per element by cssselect2, is looked up per distinct tag.

The same nodes come out (tests/test_parse_nodes.py compares every property, text, tag and
child on every template and corpus file): 0.33 -> 0.25 s for the 15,000 elements of the
3,000-rule Illustrator-shaped file, a parse every answer pays once.
"""

from __future__ import annotations

import functools

from cairosvg import css as cairo_css
from cairosvg import parser as cairo_parser

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
INHERITABLE = "_svgrender_inheritable"  # set on a node only while it builds its children


@functools.lru_cache(maxsize=512)
def node_tag(etree_tag: str) -> str:
    """CairoSVG's tag for an element: the local name in the SVG (or no) namespace, else
    `{namespace}local` (cssselect2's split: a tag not starting with '{' has no namespace)."""
    position = etree_tag.rfind("}")
    if position == -1 or etree_tag[0] != "{":
        return etree_tag
    namespace, local = etree_tag[1:position], etree_tag[position + 1:]
    return local if namespace in ("", SVG_NAMESPACE) else f"{{{namespace}}}{local}"


def node_init(self, element, style, url_fetcher, parent=None, parent_children=False, url=None,
              unsafe=False):
    """cairosvg.parser.Node.__init__ (CairoSVG 2.9), the same steps in the same order."""
    dict.__init__(self)  # (a no-op on a cached Tree being initialised again, as in CairoSVG)
    self.children = ()
    self.root = False
    node = element.etree_element
    self.element = element
    self.style = style
    self.tag = node_tag(node.tag)
    self.text = node.text
    self.url_fetcher = url_fetcher
    self.unsafe = unsafe
    self.xml_tree = getattr(self, "xml_tree", node)

    if parent is not None:
        inherited = parent.__dict__.get(INHERITABLE)
        if inherited is None:
            inherited = _inheritable(parent)
        self.update(inherited)
        self.url = url or parent.url
        self.parent = parent
    else:
        self.url = getattr(self, "url", None)
        self.parent = getattr(self, "parent", None)

    self.update(self.xml_tree.attrib)

    style_attr = node.get("style")
    if style_attr:
        normal_attr, important_attr = cairo_css.parse_declarations(style_attr)
    else:
        normal_attr = []
        important_attr = []
    normal_matcher, important_matcher = style
    normal = [rule[-1] for rule in normal_matcher.match(element)]
    important = [rule[-1] for rule in important_matcher.match(element)]
    for declaration_lists in (normal, [normal_attr], important, [important_attr]):
        for declarations in declaration_lists:
            for name, value in declarations:
                self[name] = value.strip()

    values = self.values()
    if "currentColor" in values:
        for attribute in cairo_parser.COLOR_ATTRIBUTES:
            if self.get(attribute) == "currentColor":
                self[attribute] = self.get("color", "black")
    if "inherit" in values:
        for attribute in [attribute for attribute in self if self[attribute] == "inherit"]:
            if parent is not None and attribute in parent:
                self[attribute] = parent.get(attribute)
            else:
                del self[attribute]

    if self.tag in ("text", "textPath", "a"):
        self.children, _ = self.text_children(element, trailing_space=True, text_root=True)

    if parent_children:
        self.children = [
            cairo_parser.Node(child.element, style, self.url_fetcher, parent=self,
                              unsafe=self.unsafe)
            for child in parent.children]
    elif not self.children:
        self.children = []
        if len(node):  # (its properties are final now: each child copies the same ones)
            self.__dict__[INHERITABLE] = _inheritable(self)
        try:
            for child in element.iter_children():
                if cairo_parser.match_features(child.etree_element):
                    self.children.append(cairo_parser.Node(
                        child, style, self.url_fetcher, parent=self, unsafe=self.unsafe))
                    if self.tag == "switch":
                        break
        finally:
            self.__dict__.pop(INHERITABLE, None)  # (a later Tree(parent=self) reads it afresh)


def _inheritable(node) -> dict:
    excluded = cairo_parser.NOT_INHERITED_ATTRIBUTES
    return {attribute: value for attribute, value in node.items() if attribute not in excluded}
