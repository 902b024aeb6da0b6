"""The open families shipped in fonts/ (issue #33): designers name them, Debian packages none.
Each is found by its family name at every weight kept, by its PostScript name, and carries its
licence; a design naming one is drawn in it, without a missing-font warning."""

import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from pixels import decode, mean_abs_diff
from svgrender import render as pipeline
from svgrender.draw import fonts
from svgrender.params import RenderRequest
from svgrender.settings import PACKAGE_FONTS, Settings
from svgrender.templates.model import load_template

SHIPPED = sorted(PACKAGE_FONTS.glob("*.ttf"))
FAMILIES = ("Fira Sans", "Montserrat", "Oswald", "Playfair Display", "Poppins", "Raleway",
            "Source Sans 3", "Space Mono")


@pytest.fixture(scope="module", autouse=True)
def package_fonts():
    fonts.add_font_dir(PACKAGE_FONTS)  # as the service does at start-up


def draw(tmp_path, family: str, weight: str = "normal", style: str = "normal"):
    path = tmp_path / "f.svg"
    path.write_bytes(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="80">'
        f'<rect width="600" height="80" fill="white"/>'
        f'<text x="10" y="55" font-family="{family}" font-size="40" font-weight="{weight}" '
        f'font-style="{style}">Hamburgefonstiv 0123</text></svg>'.encode())
    template = load_template("f", path.read_bytes(), Settings())
    result = pipeline.render(template, RenderRequest(format="png"), Settings())
    return decode(result.files[0].data), result.warnings


def test_every_file_is_a_font_of_a_listed_family_with_its_licence():
    assert len(SHIPPED) >= 8 * 4
    for path in SHIPPED:
        font = TTFont(path)
        family = font["name"].getBestFamilyName()
        assert family in FAMILIES, path.name
        licence = PACKAGE_FONTS / "licenses" / f"{family.replace(' ', '')}-OFL.txt"
        assert "SIL Open Font License" in licence.read_text(), path.name
        # Latin Extended was merged in: Polish and Czech names draw in the family too
        assert {ord(c) for c in "ĄłŘů"} <= set(font.getBestCmap()), path.name


@pytest.mark.parametrize("family", FAMILIES)
def test_a_design_naming_the_family_is_drawn_in_it(tmp_path, family):
    assert fonts.drawn_with(family).how == "real"
    drawn, warnings = draw(tmp_path, family)
    default, _ = draw(tmp_path, "No Such Family Anywhere")
    assert not [w for w in warnings if family in w], warnings
    assert mean_abs_diff(drawn, default) > 0.5


@pytest.mark.parametrize("family", ["Poppins", "Montserrat", "Source Sans 3"])
def test_each_weight_is_its_own_face_and_found_by_postscript_name(tmp_path, family):
    """Fontsource's instances of variable fonts all call themselves e.g. 'Montserrat Thin': the
    names are rewritten so weight 600 is the SemiBold file, also as `Montserrat-SemiBold`."""
    regular, _ = draw(tmp_path, family)
    semibold, _ = draw(tmp_path, family, weight="600")
    bold, _ = draw(tmp_path, family, weight="700")
    by_name, warnings = draw(tmp_path, f"{family.replace(' ', '')}-SemiBold")
    assert mean_abs_diff(regular, semibold) > 0.3 and mean_abs_diff(semibold, bold) > 0.1
    assert mean_abs_diff(by_name, semibold) == 0, warnings
    italic, _ = draw(tmp_path, family, style="italic")
    assert mean_abs_diff(italic, regular) > 0.3


def test_source_sans_pro_is_drawn_with_its_new_name(tmp_path):
    """Adobe renamed Source Sans Pro to Source Sans 3; older exports name the old family."""
    old, warnings = draw(tmp_path, "Source Sans Pro")
    new, _ = draw(tmp_path, "Source Sans 3")
    assert mean_abs_diff(old, new) == 0
    assert any(re.search(r"Source Sans Pro.*Source Sans 3", w) for w in warnings), warnings


def test_the_licence_folder_names_only_shipped_families():
    for licence in (PACKAGE_FONTS / "licenses").glob("*.txt"):
        stem = licence.name.removesuffix("-OFL.txt")
        assert list(PACKAGE_FONTS.glob(f"{stem}-*.ttf")), licence.name


def test_the_fonts_folder_is_the_package_default():
    assert Settings().fonts_dir == PACKAGE_FONTS and Path(PACKAGE_FONTS).is_dir()
