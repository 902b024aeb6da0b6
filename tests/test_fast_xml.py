"""fast_xml: CairoSVG's trees parsed in C give the same elements as defusedxml's parser, and a
document with a DOCTYPE is still refused by defusedxml."""

import pytest
from defusedxml import EntitiesForbidden
from defusedxml import ElementTree as defused
from lxml import etree

from helpers import CORPUS, TEMPLATES
from svgrender.draw import fast_xml

FILES = sorted(TEMPLATES.glob("*.svg")) + sorted(CORPUS.rglob("*.svg"))[:400]


def _shape(element) -> list:
    """Every element's tag, attributes, text and tail, in document order."""
    return [(e.tag, dict(e.attrib), e.text, e.tail) for e in element.iter()]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_same_tree_as_defusedxml(path):
    data = path.read_bytes()
    try:  # as CairoSVG gets them: svgrender's serialisation of the template
        data = etree.tostring(etree.fromstring(data, etree.XMLParser(resolve_entities=False,
                                                                      no_network=True)))
    except etree.XMLSyntaxError:
        pytest.skip("not well-formed")
    assert b"<!DOCTYPE" not in data
    assert _shape(fast_xml.fromstring(data)) == _shape(defused.fromstring(data))


def test_a_doctype_still_goes_to_defusedxml():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>')
    with pytest.raises(EntitiesForbidden):
        fast_xml.fromstring(bomb)
