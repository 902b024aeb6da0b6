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



PRESENT = ["url(#linear-gradient-12)", "url(#linear-gradient-1)", "url('#a')", "#clip",
           "url( #b )", "url(#a) none", "data:image/png;base64,AA"]


@pytest.mark.parametrize("url", PRESENT)
def test_a_remembered_reference_answers_as_cairosvg_every_time(url):
    first, again = parse_url(url), parse_url(url)
    assert first == again == cairosvg_parse_url(url)
    assert first.fragment == cairosvg_parse_url(url).fragment


def test_present_references_are_parsed_once_per_string(monkeypatch):
    from svgrender.draw import urls
    monkeypatch.setattr(urls, "_remembered", {})
    calls = []
    monkeypatch.setattr(urls, "cairosvg_parse_url",
                        lambda url, base=None: calls.append(url) or cairosvg_parse_url(url, base))
    for _ in range(3):
        assert parse_url("url(#g1)").fragment == "g1"
        assert parse_url("url(#g2)").fragment == "g2"  # each string its own answer
    assert calls == ["url(#g1)", "url(#g2)"]


def test_based_long_and_path_urls_are_parsed_each_time(monkeypatch, tmp_path):
    from svgrender.draw import urls
    monkeypatch.setattr(urls, "_remembered", {})
    long = "data:image/png;base64," + "A" * urls.MAX_KEPT_LENGTH
    assert parse_url(long) == cairosvg_parse_url(long)
    assert parse_url("#a", str(tmp_path / "x.svg")) == cairosvg_parse_url("#a", str(tmp_path / "x.svg"))
    assert parse_url(tmp_path) == cairosvg_parse_url(tmp_path)
    assert urls._remembered == {}


def test_the_table_is_bounded(monkeypatch):
    from svgrender.draw import urls
    monkeypatch.setattr(urls, "_remembered", {})
    monkeypatch.setattr(urls, "MAX_REMEMBERED", 4)
    for i in range(10):
        assert parse_url(f"url(#g{i})").fragment == f"g{i}"
        assert len(urls._remembered) <= 4
