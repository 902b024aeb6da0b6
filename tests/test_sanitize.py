"""sanitize.expanded_count: the elements a template draws once every <use> and paint reference
is expanded, checked against a plain recursive count on every template and corpus file and on
files made to hit each rule; cycles are refused wherever they close."""

from __future__ import annotations

import functools

import pytest

from helpers import EVERY_SVG
from svgrender.errors import InvalidTemplate, RenderLimitExceeded
from svgrender.svg.sanitize import expanded_count
from svgrender.svg.xml import href, local_name, parse_style, parse_svg, url_fragment

FILES = EVERY_SVG


def recursive_count(root) -> int:
    """The rule written as plainly as it reads (recursion; fine for these files)."""
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}

    def references(element) -> list:
        out = []
        if local_name(element) == "use" and (href(element) or "").lstrip("#") in ids:
            out.append(ids[href(element).lstrip("#")])
        style = parse_style(element.get("style"))
        for prop in ("fill", "stroke", "filter", "mask", "clip-path"):
            fragment = url_fragment(style.get(prop) or element.get(prop))
            if fragment in ids:
                out.append(ids[fragment])
        return out

    @functools.cache
    def count(element) -> int:
        return (1 + sum(count(child) for child in element if isinstance(child.tag, str))
                + sum(count(target) for target in references(element)))

    return count(root)


def _root(text: str):
    return parse_svg(text.encode())


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_same_count_as_the_plain_rule(path):
    try:
        root = parse_svg(path.read_bytes())
    except InvalidTemplate:
        pytest.skip("not a template svgrender loads")
    try:
        expected = recursive_count(root)
    except RecursionError:
        pytest.skip("references form a cycle (refused below)")
    assert expanded_count(root, 10**9) == expected


SVG = "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'>{}</svg>"


@pytest.mark.parametrize("body, expected", [
    # root + rect + use + the rect again
    ("<rect id='r'/><use href='#r'/>", 4),
    ("<rect id='r'/><use xlink:href='#r'/>", 4),
    # a gradient used by fill and stroke of one shape is expanded twice
    ("<linearGradient id='g'><stop/><stop/></linearGradient>"
     "<rect fill='url(#g)' stroke='url(#g)'/>", 1 + 3 + 1 + 3 + 3),
    # the style declaration wins over the attribute, as in CSS
    ("<linearGradient id='g'><stop/></linearGradient>"
     "<rect style='fill:red' fill='url(#g)'/>", 1 + 2 + 1),
    ("<linearGradient id='g'><stop/></linearGradient>"
     "<rect style='fill:url(&quot;#g&quot;)' fill='red'/>", 1 + 2 + 1 + 2),
    # a comment is not an element and draws nothing
    ("<g id='a'><!-- note --><rect/></g><use href='#a'/>", 1 + 2 + 1 + 2),
    # references to nothing add nothing
    ("<use href='#missing'/><rect fill='url(#missing)'/>", 3),
    # chains multiply: 4 uses of a group of 2 uses of a rect
    ("<defs><rect id='r'/><g id='two'><use href='#r'/><use href='#r'/></g></defs>"
     + "<use href='#two'/>" * 4, 1 + 1 + 1 + 5 + 4 * 6),
])
def test_counts_by_rule(body, expected):
    root = _root(SVG.format(body))
    assert expanded_count(root, 10**9) == expected == recursive_count(root)


def test_a_reference_bomb_is_refused_at_the_limit():
    body = "<rect id='l0'/>" + "".join(
        f"<g id='l{i}'>" + f"<use href='#l{i - 1}'/>" * 10 + "</g>" for i in range(1, 10))
    root = _root(SVG.format(f"<defs>{body}</defs><use href='#l9'/>"))
    with pytest.raises(RenderLimitExceeded) as refused:
        expanded_count(root, 1_000_000)
    assert refused.value.code == "template_too_complex"
    assert "1,000,000" in str(refused.value)


@pytest.mark.parametrize("body, at", [
    ("<g id='a'><use href='#a'/></g>", "'a'"),  # a group using itself
    ("<use id='x' href='#y'/><use id='y' href='#x'/>", None),  # two uses of each other
    ("<pattern id='p'><rect fill='url(#p)'/></pattern><rect fill='url(#p)'/>", "'p'"),
    ("<mask id='m'><rect mask='url(#m)'/></mask>", "'m'"),
])
def test_cycles_are_refused(body, at):
    with pytest.raises(RenderLimitExceeded) as refused:
        expanded_count(_root(SVG.format(body)), 10**9)
    assert refused.value.code == "template_cycle"
    if at:
        assert f"cycle at {at}" in str(refused.value)
