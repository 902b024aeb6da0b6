"""Plain one-class/one-id stylesheets split as text give what tokenising them gives: the same
cleaned sheet from the sanitiser and the same styles written into the elements."""

import random
import re
import sys
from pathlib import Path

import pytest
from lxml import etree

from svgrender.svg import css
from svgrender.svg.css import clean_stylesheet, inline_stylesheets
from svgrender.svg.plain_css import plain_sheet

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "benchmarks"))
from illustrator_like import illustrator_like  # noqa: E402

SVG = "http://www.w3.org/2000/svg"


def tokenised(monkeypatch, function, *args):
    with monkeypatch.context() as patch:
        patch.setattr(css, "plain_sheet", lambda text: None)
        return function(*args)


def inlined(svg: bytes) -> list:
    root = etree.fromstring(svg, etree.XMLParser(huge_tree=True, resolve_entities=False))
    inline_stylesheets(root)
    return [(el.tag, el.get("style"), el.text if el.tag == f"{{{SVG}}}style" else None)
            for el in root.iter() if isinstance(el.tag, str)]


def both_ways(monkeypatch, sheet: str, body: str = "") -> None:
    removed_fast, removed_slow = [], []
    assert clean_stylesheet(sheet, removed_fast) == \
        tokenised(monkeypatch, clean_stylesheet, sheet, removed_slow), sheet
    assert removed_fast == removed_slow
    escaped = sheet.replace("&", "&amp;").replace("<", "&lt;")
    svg = f'<svg xmlns="{SVG}"><style>{escaped}</style>{body}</svg>'.encode()
    assert outcome(inlined, svg) == tokenised(monkeypatch, outcome, inlined, svg), sheet


def outcome(function, *args):
    """The answer, or the error's type (a stray `}` fails the tokenised path, as before)."""
    try:
        return function(*args)
    except Exception as exc:  # noqa: BLE001
        return type(exc)


SHAPES = ('<rect class="a b" style="fill:red"/><rect id="x" class="cls-1"/><circle class="b"/>'
          '<path id="y" style="opacity:.5!important"/><rect class="B"/>')


@pytest.mark.parametrize("sheet", [
    ".a{fill:red}", ".a{fill:red;}#x{fill:blue}.b{stroke:#00f;stroke-width:2px}",
    ".cls-1{fill:url(#linear-gradient-0);opacity:0.6;}.cls-2{fill:url(#g)}",
    "\n .a{ Fill : RED ;; }\n\t#y{opacity:0.2}\n", ".a{}", "", "   ", ".B{fill:rgb(1, 2,3)}",
    ".a{fill:red}.a{fill:blue}#x{fill:green}.cls-1{fill:#abc}",
    # not plain: tokenised either way
    ".a{fill:red!important}", ".a,.b{fill:red}", "rect{fill:red}", ".a{fill:'x'}",
    ".a{behavior:url(#x)}", ".a{Behavior:x}", "@media print{.a{fill:red}}", ".a{fill:red}/*c*/",
    ".a{background:url(http://x/a.png)}", ".\\61{fill:red}", ".a .b{fill:red}", "#1a{fill:red}",
    ".a{fill:url( #g )}", ".a{-x-y:1}", ".a{fill:red}}", ".a{fill:red",
])
def test_sheets_answer_as_tokenising(monkeypatch, sheet):
    both_ways(monkeypatch, sheet, SHAPES)


def test_generated_sheets_answer_as_tokenising(monkeypatch):
    rnd = random.Random(3)
    selectors = [".a", ".b", "#x", "#y", ".cls-1", ".B", "rect", ".a.b", "#1", ". a", ".a ", "._"]
    names = ["fill", "Fill", "opacity", "stroke", "behavior", "-moz-x", "stroke-width", "x"]
    values = ["red", "RED", "url(#g)", "url(http://x)", "1.5px", ".5", "#abc", "rgb(1,2,3)",
              "1e3", "1.2.3", "'s'", "a b", "a,b", "!important", "\\72 ed", "", "1 !important"]
    for _ in range(3000):
        rules = []
        for _ in range(rnd.randint(0, 4)):
            body = ";".join(f"{rnd.choice(names)}{rnd.choice(['', ' '])}:{rnd.choice(values)}"
                            for _ in range(rnd.randint(0, 3)))
            rules.append(f"{rnd.choice(selectors)}{{{body}{rnd.choice(['', ';'])}}}")
        both_ways(monkeypatch, rnd.choice(["", "\n", " "]).join(rules), SHAPES)


def corpus_sheets():
    files = list((ROOT / "corpus" / "files").glob("*.svg"))
    files += list((ROOT.parent.parent / "shared" / "corpus").rglob("*.svg"))
    for path in files:
        for match in re.finditer(rb"<style[^>]*>(.*?)</style>", path.read_bytes(), re.S):
            yield path, match.group(1).decode("utf-8", "replace")


def test_corpus_sheets_answer_as_tokenising(monkeypatch):
    seen = 0
    for path, sheet in corpus_sheets():
        sheet = re.sub(r"<!\[CDATA\[|\]\]>", "", sheet)
        removed_fast, removed_slow = [], []
        assert clean_stylesheet(sheet, removed_fast) == \
            tokenised(monkeypatch, clean_stylesheet, sheet, removed_slow), path.name
        assert removed_fast == removed_slow
        seen += 1
    assert seen > 5


def test_an_illustrator_export_is_split_as_text_and_inlined_alike(monkeypatch):
    svg = illustrator_like(300).encode()
    expected = tokenised(monkeypatch, inlined, svg)
    sheet = re.search(r"<style>(.*?)</style>", svg.decode()).group(1)
    assert plain_sheet(sheet) is not None and len(plain_sheet(sheet)) == 300
    monkeypatch.setattr(css.tinycss2, "parse_stylesheet",
                        lambda *a, **k: pytest.fail("tokenised a plain sheet"))
    assert inlined(svg) == expected
    assert clean_stylesheet(sheet, []).count("\n") == 299
