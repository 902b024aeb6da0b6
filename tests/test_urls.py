"""Our parse_url seam answers exactly what CairoSVG's own does (absent references at once)."""

import pytest
from cairosvg.url import parse_url as cairosvg_parse_url

from svgrender.draw.urls import EMPTY, parse_url


@pytest.mark.parametrize("url", [None, "", " ", "url(#mask)", "url('#a')", "#clip",
                                 "data:image/png;base64,AA", "url( #b )"])
def test_same_answer_as_cairosvg(url):
    assert parse_url(url) == cairosvg_parse_url(url)


def test_absent_references_need_no_parsing(monkeypatch):
    monkeypatch.setattr("svgrender.draw.urls.cairosvg_parse_url",
                        lambda *a: pytest.fail("parsed an absent reference"))
    assert parse_url(None) is EMPTY and parse_url("") is EMPTY
    assert EMPTY.fragment == "" and EMPTY.geturl() == ""

