"""The plain-style fast path gives exactly what CairoSVG's tinycss2 parse gives."""

import random
from pathlib import Path

import pytest
from cairosvg.css import parse_declarations as cairosvg_parse_declarations

from svgrender.draw.style_declarations import PLAIN, parse_declarations
from svgrender.settings import Settings
from svgrender.svg.prepare import prepare_root
from svgrender.svg.sanitize import Limits
from svgrender.svg.xml import parse_svg

ROOT = Path(__file__).resolve().parent
CORPORA = [ROOT / "corpus" / "files", ROOT.parent.parent / "shared" / "corpus"]

# Values made of plain atoms, joined by separators that may be nothing at all (adjacent atoms
# tokenise in surprising ways: 1.2.3, 1e3, 1e, a1), plus pieces the fast path must refuse.
NAMES = ["fill", "FILL", "stroke-width", " font-family ", "-x", "_a", "a1", "1a", ""]
ATOMS = ["a", "Red", "Myriad-Pro", "1", "1.5", ".5", "-2", "2em", "3ex", "4px", "50%", "5s",
         "e", "e3", "#fff", "#1a", "url(#g-1)", "rgb(1,2, 3)", "rgba( 1 , 2 ,3,0.5 )",
         "hsl(1,2%,3%)", "inherit", "px", "-"]
TRICKY = ["url( #g )", "URL(#g)", "url(#a b)", "calc(1px)", "!important", "'Open Sans'",
          "\\66ill", "/*c*/", "é", "\t", ".", "(", ")", ":", "#", "1e3", "1.2.3"]
SEPARATORS = [" ", ",", ", ", "  ", "", ""]


def random_style(rng) -> str:
    declarations = []
    for _ in range(rng.randint(1, 3)):
        value = ""
        for _ in range(rng.randint(1, 5)):
            value += rng.choice(SEPARATORS) if value else ""
            value += rng.choice(TRICKY if rng.random() < 0.08 else ATOMS)
        declarations.append(f"{rng.choice(NAMES)}:{rng.choice(['', ' '])}{value}")
    return ";".join(declarations) + rng.choice(["", ";", " ", "; "])


def test_random_styles_parse_the_same():
    rng = random.Random(32)
    fast = 0
    for _ in range(20000):
        text = random_style(rng)
        assert parse_declarations(text) == cairosvg_parse_declarations(text), text
        fast += bool(PLAIN.fullmatch(text))
    assert fast > 1000  # the fast path was taken often enough to mean something


def corpus_styles():
    styles = set()
    for folder in CORPORA:
        for path in sorted(folder.rglob("*.svg")):
            try:
                root = parse_svg(path.read_bytes())
                prepare_root(root, Limits.from_settings(Settings()))
            except Exception:
                continue
            styles.update(el.get("style") for el in root.iter()
                          if isinstance(el.tag, str) and el.get("style"))
    return sorted(styles)


def test_every_style_in_the_corpora_parses_the_same():
    styles = corpus_styles()
    assert len(styles) > 500
    for text in styles:
        assert parse_declarations(text) == cairosvg_parse_declarations(text), text
    # most exports' styles are plain: the fast path is what they take
    assert sum(bool(PLAIN.fullmatch(s)) for s in styles) > len(styles) // 3


@pytest.mark.parametrize("tokens", [None, []])
def test_non_text_goes_to_cairosvg(tokens, monkeypatch):
    seen = []
    monkeypatch.setattr("svgrender.draw.style_declarations.cairosvg_parse_declarations",
                        lambda value: seen.append(value) or ([], []))
    parse_declarations(tokens)
    assert seen == [tokens]
