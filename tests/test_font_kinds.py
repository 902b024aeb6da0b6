"""The fallback by kind (issue #33): a missing family is drawn with the closest installed face
of its kind — serif, sans, slab, mono, script, display — keeping weight and slant; known
families by the table in font_kinds.py, fonts by their own metadata (OS/2, PANOSE)."""

import logging
from pathlib import Path

import pytest
from PIL import Image

from pixels import decode, mean_abs_diff
from svgrender import render as pipeline
from svgrender.draw import fonts
from svgrender.draw.font_kinds import (CANDIDATES, FALLBACK_KIND, KNOWN, Kind, choose,
                                       classify_font, classify_name)
from svgrender.params import RenderRequest
from svgrender.settings import PACKAGE_FONTS, Settings
from svgrender.templates.model import load_template

TEXT = "Hamburgefonstiv 0123"

# Well-known families a designer names, and the kind a typographer gives them (written here by
# hand, not read from the table under test).
EXPECTED = {
    "Oswald": "sans", "Poppins": "sans", "Montserrat": "sans", "Raleway": "sans",
    "Ubuntu": "sans", "Source Sans Pro": "sans", "Fira Sans": "sans", "Futura": "sans",
    "Avenir": "sans", "Proxima Nova": "sans", "Gotham": "sans", "Myriad Pro": "sans",
    "Frutiger": "sans", "Verdana": "sans", "Tahoma": "sans", "Trebuchet MS": "sans",
    "Work Sans": "sans", "DM Sans": "sans", "Nunito": "sans", "Barlow Condensed": "sans",
    "Franklin Gothic": "sans", "IBM Plex Sans": "sans", "PT Sans": "sans",
    "Georgia": "serif", "Playfair Display": "serif", "Merriweather": "serif", "Lora": "serif",
    "PT Serif": "serif", "Garamond": "serif", "Baskerville": "serif", "Minion Pro": "serif",
    "Bodoni": "serif", "Caslon": "serif", "Source Serif Pro": "serif", "Crimson Text": "serif",
    "Libre Baskerville": "serif", "Didot": "serif",
    "Zilla Slab": "slab", "Arvo": "slab", "Rockwell": "slab", "Bitter": "slab",
    "Museo Slab": "slab", "Josefin Slab": "slab",
    "Space Mono": "mono", "Source Code Pro": "mono", "Fira Mono": "mono", "Consolas": "mono",
    "Menlo": "mono", "Monaco": "mono", "Roboto Mono": "mono", "IBM Plex Mono": "mono",
    "Ubuntu Mono": "mono", "SF Mono": "mono",
    "Pacifico": "script", "Great Vibes": "script", "Mission Script": "script",
    "SignPainter": "script", "Brush Script MT": "script", "Sacramento": "script",
    "Allura": "script", "Satisfy": "script", "Zapfino": "script",
    "Blanch Caps": "display", "Anton": "display", "Impact": "display",
    "League Gothic": "display", "Bungee": "display", "Fredoka One": "display",
}


def test_the_table_knows_the_kind_of_at_least_forty_well_known_families():
    assert len(KNOWN) >= 40 and len(EXPECTED) >= 40
    wrong = {name: classify_name(name) for name, kind in EXPECTED.items()
             if (classify_name(name) or Kind("?")).kind != kind}
    assert not wrong


def test_postscript_and_pdf_import_names_have_their_family_s_kind():
    assert classify_name("Oswald-Bold") == classify_name("Oswald") == Kind("sans", "condensed")
    assert classify_name("Poppins-SemiBoldItalic").kind == "sans"
    assert classify_name("MinionPro-Regular").kind == "serif"
    assert classify_name("PlayfairDisplay-Bold").kind == "serif"
    # unknown names: by their words
    assert classify_name("Brand Mono").kind == "mono"
    assert classify_name("Acme Slab").kind == "slab"
    assert classify_name("Acme Serif").kind == "serif"
    assert classify_name("Acme Sans Serif").kind == "sans"
    assert classify_name("Acme Script").kind == "script"
    assert classify_name("Acme Condensed") == Kind("sans", "condensed")
    assert classify_name("Zyxwv") is None


@pytest.fixture(scope="module", autouse=True)
def package_fonts():
    """The families shipped in fonts/, loaded as the service does at start-up: the same
    fonts whether this module runs alone or after the font tests that load them."""
    fonts.add_font_dir(PACKAGE_FONTS)


def _kind_of_installed(family: str) -> str:
    kind = classify_name(family)
    assert kind is not None, f"{family}: drawn for a kind, but of no kind itself"
    return kind.kind


@pytest.mark.parametrize("name, kind", sorted(EXPECTED.items()))
def test_a_missing_well_known_family_is_drawn_with_a_face_of_its_kind(name, kind):
    drawn = fonts.drawn_with(name)
    if name.lower() in fonts.installed_families():  # shipped in fonts/ (Oswald, Poppins…)
        assert drawn == fonts.Drawn(name, "real", "")  # drawn in itself, no warning
        assert fonts.missing_family_message(name) is None
        return
    assert drawn.how in ("kind", "substitute"), drawn
    got = _kind_of_installed(drawn.family)
    # a kind with nothing of it installed falls back to its neighbour (slab -> serif, …)
    assert got == kind or (got == FALLBACK_KIND.get(kind) and not any(
        family.lower() in fonts.installed_families()
        for (k, _), families in CANDIDATES.items() if k == kind for family in families)), drawn
    if drawn.how == "kind":
        assert drawn.family.lower() in fonts.installed_families()
        assert f"drawn with {drawn.family!r} (" in fonts.missing_family_message(name)


def test_the_metric_compatible_substitutes_come_first():
    assert fonts.drawn_with("Arial").family == "Liberation Sans"
    assert fonts.drawn_with("Helvetica Neue").family == "Nimbus Sans"
    assert fonts.drawn_with("Gill Sans").family == "Gillius ADF"
    assert fonts.drawn_with("Times New Roman").how == "substitute"
    assert "metric-compatible" in fonts.missing_family_message("Arial")


def test_generic_families_are_no_missing_fonts():
    """Inkscape writes `Sans`, `Serif`, `Monospace`: generic families, drawn as such."""
    for name in ("Sans", "Serif", "Monospace", "sans-serif", "serif", "monospace", "Mono"):
        assert fonts.missing_family_message(name) is None, name
        assert fonts.with_kind_fallback(name) == name
    assert fonts.drawn_with("Serif").family == fonts.substitute_for("serif")


def test_a_family_listed_next_wins_over_the_kind():
    """`Barlow Condensed, Cabin`: the designer's own second choice is installed: drawn, as
    browsers do."""
    assert fonts.drawn_with("Barlow Condensed, Cabin").family == "Cabin"
    assert fonts.with_kind_fallback("Barlow Condensed, Cabin") == "Barlow Condensed, Cabin"
    # a generic family after it does not: the kind is closer than the generic
    assert fonts.with_kind_fallback("Barlow Condensed, sans-serif").split(",")[1] == \
        fonts.drawn_with("Barlow Condensed").family


def test_choose_takes_fonts_classified_by_their_metadata_after_the_table_s():
    script = Kind("script", "casual")
    assert choose(script, {"brand script"}, {Kind("script"): ["Brand Script"]}) == "Brand Script"
    assert choose(script, {"brand script", "dancing script"},
                  {Kind("script"): ["Brand Script"]}) == "Dancing Script"
    assert choose(Kind("slab"), {"noto serif"}) == "Noto Serif"  # slab -> serif
    assert choose(Kind("script"), set()) is None


# --- metadata: fonts of each kind from Debian packages -----------------------------------------

FILES = {  # kind, style (or None: any), Debian package
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf": ("serif", None),
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf": ("sans", ""),
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf": ("sans", "condensed"),
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf": ("mono", None),
    "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf": ("mono", None),
    "/usr/share/fonts/opentype/ebgaramond/EBGaramond12-Regular.otf": ("serif", "oldstyle"),
    "/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf": ("script", None),
    "/usr/share/fonts/opentype/kaushanscript/KaushanScript-Regular.otf": ("script", None),
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf": ("slab", None),  # PANOSE: square serifs
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf": ("sans", ""),
}


@pytest.mark.parametrize("path, expected", sorted(FILES.items()), ids=lambda v: str(v)[-30:])
def test_a_font_file_s_kind_from_its_own_metadata(path, expected):
    if not Path(path).exists():
        pytest.skip(f"{path} is not installed")
    facts = classify_font(path)
    assert facts is not None and facts.kind is not None
    assert facts.source != "name", facts  # from OS/2 or PANOSE, not from the name
    kind, style = expected
    assert facts.kind.kind == kind, facts
    if style is not None:
        assert facts.kind.style == style, facts


def _with_metadata(source: str, tmp_path, family: str, **os2) -> Path:
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    for record in font["name"].names:  # a name that says nothing of its kind
        if record.nameID in (1, 4, 16):
            record.string = family
        elif record.nameID == 6:
            record.string = family.replace(" ", "")
    for key, value in os2.items():
        if key.startswith("b"):
            setattr(font["OS/2"].panose, key, value)
        else:
            setattr(font["OS/2"], key, value)
    path = tmp_path / f"{family}.ttf"
    font.save(path)
    return path


def test_an_uploaded_display_or_slab_face_is_told_by_its_metadata(tmp_path):
    """No Debian display face fills in PANOSE: a Debian font with a display font's OS/2
    (family type 4 'decorative', IBM class 9 'ornamental') and with a slab's (IBM class 5)."""
    source = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if not Path(source).exists():
        pytest.skip("fonts-dejavu-core is not installed")
    display = classify_font(_with_metadata(source, tmp_path, "Qwerty One", sFamilyClass=9 << 8,
                                           bFamilyType=4))
    assert display.kind.kind == "display" and display.source == "sFamilyClass"
    slab = classify_font(_with_metadata(source, tmp_path, "Qwerty Two", sFamilyClass=5 << 8))
    assert slab.kind.kind == "slab"
    narrow = classify_font(_with_metadata(source, tmp_path, "Qwerty Three", usWidthClass=3))
    assert narrow.kind == Kind("sans", "condensed") and narrow.width == 3
    assert classify_font(tmp_path / "missing.ttf") is None


# --- drawing ----------------------------------------------------------------------------------

def draw(tmp_path, settings, family: str, style: str = "", spans: int = 1):
    path = tmp_path / "k.svg"
    tspans = "".join(f'<tspan x="10" dy="{0 if i == 0 else 1}">{TEXT}</tspan>'
                     for i in range(spans))
    path.write_bytes(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="80">'
        f'<rect width="600" height="80" fill="white"/>'
        f'<text x="10" y="55" font-family="{family}" font-size="40" style="{style}">{tspans}'
        f'</text></svg>'.encode())
    template = load_template("k", path.read_bytes(), Settings())
    result = pipeline.render(template, RenderRequest(format="png"), settings)
    return decode(result.files[0].data), result.warnings


def test_a_missing_serif_is_drawn_with_a_serif(tmp_path, settings):
    """`Merriweather` (not packaged): drawn with the serif the fallback chose, not the default
    sans, and the warning names it and why."""
    if "merriweather" in fonts.installed_families():
        pytest.skip("Merriweather is installed here")
    chosen = fonts.drawn_with("Merriweather")
    assert chosen.how == "kind" and classify_name(chosen.family).kind == "serif"
    drawn, warnings = draw(tmp_path, settings, "Merriweather")
    wanted, _ = draw(tmp_path, settings, chosen.family)
    default, _ = draw(tmp_path, settings, "No Such Family Anywhere")
    assert mean_abs_diff(drawn, wanted) == 0
    assert mean_abs_diff(drawn, default) > 0.2
    assert f"font 'Merriweather' is not installed: drawn with {chosen.family!r} (serif)" \
        in warnings


def test_a_condensed_sans_keeps_its_width_weight_and_slant(tmp_path, settings):
    """`Barlow Condensed`, bold italic: the condensed sans, bold italic (Oswald, the issue's
    example, is shipped in fonts/ now)."""
    if "roboto condensed" not in fonts.installed_families():
        pytest.skip("fonts-roboto is not installed")
    style = "font-weight:bold;font-style:italic"
    drawn, warnings = draw(tmp_path, settings, "Barlow Condensed, sans-serif", style)
    wanted, _ = draw(tmp_path, settings, "Roboto Condensed", style)
    upright, _ = draw(tmp_path, settings, "Roboto Condensed")
    assert mean_abs_diff(drawn, wanted) == 0 and mean_abs_diff(drawn, upright) > 0.2
    assert ("font 'Barlow Condensed' is not installed: drawn with 'Roboto Condensed' "
            "(condensed sans)"
            in warnings)


def test_a_missing_font_is_warned_once_per_render(tmp_path, settings, caplog):
    """A text of many spans in a missing font: one warning, and a log line per drawing (the
    image and its two thumbnails), not one per span and size (39 before)."""
    with caplog.at_level(logging.WARNING, logger="svgrender.render"):
        _, warnings = draw(tmp_path, settings, "Merriweather", spans=12)
    told = [w for w in warnings if "Merriweather" in w]
    logged = [r for r in caplog.records if "Merriweather" in r.getMessage()]
    assert len(told) == 1 and len(logged) <= 3, (told, len(logged))


def test_the_report_script_counts_every_named_family():
    import subprocess
    import sys

    here = Path(__file__).parent / "corpus" / "font_report.py"
    out = subprocess.run([sys.executable, str(here), "--names", "Barlow Condensed"], capture_output=True,
                         text=True, timeout=300, check=True).stdout
    assert "same-kind fallback" in out and "generic families (not counted)" in out
    assert "Barlow Condensed" in out and "Roboto Condensed" in out
