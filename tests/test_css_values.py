"""Presentation attributes without a loading function skip tokenising: the answer must be the
one tokenising gives, for every value of the corpora and for tricky ones."""

import random
from pathlib import Path

import pytest
import tinycss2
from lxml import etree

from svgrender.svg import css
from svgrender.svg.css import _loads_outside, value_loads_outside

ROOT = Path(__file__).resolve().parent


def tokenised(value: str):
    if "(" not in value and "\\" not in value:
        return None
    return _loads_outside(tinycss2.parse_component_value_list(value))


TRICKY = ["translate(10 20) rotate(45)", "url(http://x/a.png)", "URL(http://x/a.png)",
          "uRl( 'http://x' )", "url(#ok)", "image(http://x)", "image-set('http://x' 1x)",
          "-webkit-image-set(url(http://x) 1x)", "cross-fade(url(http://x), red)",
          "element(#a)", "paint(worklet)", "src('http://x')", "rgb(1,2,3) url(http://x)",
          "calc(1px + image(http://x))", "\\75rl(http://x)", "u\\rl(http://x)",
          "url (http://x)", "myurl(http://x)", "ur/**/l(http://x)", "[url(http://x)]",
          "(url(http://x))", "{url(http://x)}", "rgba(0,0,0,.5)", "var(--a)",
          "IMAGE(http://x)", "image-SET(\"http://x\" 1x)", "data:image/png,(x)"]


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_values_answer_as_tokenising(value):
    assert value_loads_outside(value) == tokenised(value)


def test_the_fast_answer_is_taken_only_without_a_loading_call(monkeypatch):
    monkeypatch.setattr(css.tinycss2, "parse_component_value_list",
                        lambda *a: pytest.fail("tokenised a value with no loading function"))
    assert value_loads_outside("translate(-4 12) rotate(33)") is None
    assert value_loads_outside("matrix(1 0 0 1 2 3)") is None


def test_generated_values_answer_as_tokenising():
    rnd = random.Random(7)
    atoms = ["url(", "URL(", "image(", "image-set(", "src(", "paint(", "element(",
             "cross-fade(", "translate(", "rgb(", "(", ")", "'", '"', "http://x", "#a",
             "data:x", " ", ",", "\\", "\\75", "/*", "*/", "u", "rl", "-", "1x", "calc("]
    for _ in range(20000):
        value = "".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 8)))
        assert value_loads_outside(value) == tokenised(value), value


def test_every_attribute_of_the_corpora_answers_as_tokenising():
    files = list((ROOT / "corpus" / "files").glob("*.svg"))
    files += list((ROOT.parent.parent / "shared" / "corpus").rglob("*.svg"))
    checked = 0
    for path in files:
        try:
            tree = etree.parse(str(path), etree.XMLParser(huge_tree=True, resolve_entities=False))
        except etree.XMLSyntaxError:
            continue
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for value in element.attrib.values():
                if "(" in value and len(value) < 10000:
                    assert value_loads_outside(value) == tokenised(value), (path.name, value)
                    checked += 1
    assert checked > 100
