"""Fonts: named families are drawn with themselves (not a fallback); fonts/ is searched."""

import subprocess

import pytest
from PIL import Image

from pixels import decode, mean_abs_diff
from svgrender.settings import Settings
from svgrender import render as pipeline
from svgrender.draw.fonts import add_font_dir, available_families
from svgrender.errors import InvalidParam
from svgrender.params import RenderRequest
from svgrender.templates.model import load_template

TEXT = "Hamburgefonstiv 0123"


def draw(tmp_path, settings, family: str) -> Image.Image:
    path = tmp_path / "t.svg"
    path.write_bytes(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="80">'
        f'<rect width="600" height="80" fill="white"/>'
        f'<text id="t" x="10" y="55" font-family="{family}" font-size="40">{TEXT}</text></svg>'
        .encode())
    template = load_template("t", path.read_bytes(), Settings())
    result = pipeline.render(template, RenderRequest(format="png"), settings)
    return decode(result.files[0].data)


def test_inter_is_drawn_with_inter(tmp_path, settings):
    assert "Inter" in available_families()
    inter = draw(tmp_path, settings, "Inter")
    fallback = draw(tmp_path, settings, "No Such Family Anywhere")
    dejavu = draw(tmp_path, settings, "DejaVu Sans")
    # The fallback is not Inter (fontconfig's default sans here), so Inter's pixels must differ.
    assert mean_abs_diff(inter, fallback) > 1.0
    assert mean_abs_diff(inter, dejavu) > 1.0
    assert mean_abs_diff(inter, draw(tmp_path, settings, "Inter")) == 0


def test_font_dropped_in_fonts_dir_is_usable(tmp_path, settings):
    ttlib = pytest.importorskip("fontTools.ttLib")
    source = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Serif"], capture_output=True,
                            text=True).stdout
    if not source.endswith(".ttf"):
        pytest.skip("no DejaVu Serif .ttf to derive a test font from")
    font = ttlib.TTFont(source)
    for record in font["name"].names:  # rename the family so only our copy can match it
        if record.nameID in (1, 4, 16):
            record.string = "Svgrender Test Face"
        elif record.nameID == 6:
            record.string = "SvgrenderTestFace"
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    font.save(fonts / "svgrender-test-face.ttf")
    # (Cairo caches a family's resolution, so fonts are added at start-up, before any drawing.)
    assert add_font_dir(fonts)
    assert "Svgrender Test Face" in available_families()
    ours = draw(tmp_path, settings, "Svgrender Test Face")
    fallback = draw(tmp_path, settings, "Another Missing Family")
    serif = draw(tmp_path, settings, "DejaVu Serif")
    assert mean_abs_diff(ours, fallback) > 1.0  # the family resolves to our file…
    assert mean_abs_diff(ours, serif) < 0.01  # …whose glyphs are DejaVu Serif's


def ink_width(image: Image.Image) -> int:
    """Width of the drawn text (non-white columns)."""
    gray = image.convert("L").point(lambda v: 255 if v < 200 else 0)
    box = gray.getbbox()
    return box[2] - box[0] if box else 0


@pytest.mark.parametrize("family", ["Roboto", "Open Sans", "Lato", "Cabin", "Liberation Sans"])
def test_families_real_files_name_most_are_installed(family):
    assert family in available_families(), f".ci/run and the README install {family}"


def test_arial_and_helvetica_keep_their_metrics(tmp_path, settings):
    """No Arial or Helvetica on Linux: fontconfig's metric-compatible clones draw them —
    Liberation Sans (fonts-liberation2) for Arial, Nimbus Sans (fonts-urw-base35) for
    Helvetica — so a line keeps its width (and its wrapping) instead of taking Noto's."""
    liberation = ink_width(draw(tmp_path, settings, "Liberation Sans"))
    assert ink_width(draw(tmp_path, settings, "Arial")) == liberation
    assert abs(ink_width(draw(tmp_path, settings, "Helvetica")) - liberation) <= 0.01 * liberation
    assert abs(ink_width(draw(tmp_path, settings, "Noto Sans")) - liberation) > 10


def test_a_missing_family_falls_back_to_the_generic_one_the_css_names(tmp_path, settings):
    """`font-family: "Brand Font", serif` without Brand Font is drawn with the serif the
    machine has (not the default sans); the newly packaged families are there too."""
    serif = draw(tmp_path, settings, "serif")
    assert mean_abs_diff(draw(tmp_path, settings, "No Such Brand Font, serif"), serif) == 0
    assert mean_abs_diff(draw(tmp_path, settings, "No Such Brand Font"), serif) > 1.0
    for family in ("Nimbus Sans", "Nimbus Roman", "P052", "Linux Libertine O", "EB Garamond"):
        assert family in available_families(), f".ci/run and the README install {family}"


def draw_styled(tmp_path, settings, style: str) -> Image.Image:
    path = tmp_path / "s.svg"
    path.write_bytes(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="80">'
        f'<rect width="600" height="80" fill="white"/>'
        f'<text x="10" y="55" style="font-size:40px;{style}">{TEXT}</text></svg>'.encode())
    template = load_template("s", path.read_bytes(), Settings())
    result = pipeline.render(template, RenderRequest(format="png"), settings)
    return decode(result.files[0].data), result.warnings


def test_a_face_named_by_its_postscript_name_is_drawn_with_that_face(tmp_path, settings):
    """Illustrator writes `font-family: 'DejaVuSans-Bold'` (the PostScript name), Inkscape's PDF
    imports `MiriamLibre-Bold`: the installed face of that name is drawn, bold, not a fallback,
    and no missing font is reported."""
    bold, _ = draw_styled(tmp_path, settings, "font-family:'DejaVu Sans';font-weight:bold")
    regular, _ = draw_styled(tmp_path, settings, "font-family:'DejaVu Sans'")
    by_name, warnings = draw_styled(tmp_path, settings, "font-family:'DejaVuSans-Bold'")
    assert mean_abs_diff(by_name, bold) == 0 and mean_abs_diff(by_name, regular) > 1.0
    assert warnings == []
    full_name, _ = draw_styled(tmp_path, settings, "font-family:'DejaVu Sans Bold'")
    assert mean_abs_diff(full_name, bold) == 0


def test_a_family_further_down_the_list_wins_over_a_face_name(tmp_path, settings):
    """`Sintony-Bold, Sintony` at normal weight (Inkscape): browsers and Inkscape draw the
    listed family at the given weight, so we do too."""
    regular, _ = draw_styled(tmp_path, settings, "font-family:'DejaVu Sans'")
    listed, _ = draw_styled(tmp_path, settings,
                            "font-family:DejaVuSans-Bold, 'DejaVu Sans';font-weight:normal")
    assert mean_abs_diff(listed, regular) == 0


@pytest.mark.parametrize("family, substitute", [
    ("Gill Sans", "Gillius ADF"), ("Helvetica Neue", "Nimbus Sans"),
    ("HelveticaNeueLTStd-Lt", "Nimbus Sans"), ("Century Gothic", "URW Gothic"),
    ("Calibri", "Carlito"), ("Segoe UI", "Open Sans")])
def test_a_commercial_family_is_drawn_with_its_free_substitute(tmp_path, settings, family,
                                                                substitute):
    """Exports name fonts the designer's machine had (Illustrator: Gill Sans, Helvetica Neue,
    PostScript names): the close free face in font_substitutes.conf is drawn, not the default
    sans, and the warning says which face it was."""
    assert substitute in available_families(), f".ci/run and the README install {substitute}"
    wanted, _ = draw_styled(tmp_path, settings, f"font-family:'{substitute}'")
    drawn, warnings = draw_styled(tmp_path, settings, f"font-family:'{family}'")
    default, _ = draw_styled(tmp_path, settings, "font-family:'No Such Family Anywhere'")
    assert mean_abs_diff(drawn, wanted) == 0
    assert mean_abs_diff(drawn, default) > 1.0
    assert any(f"font {family!r} is not installed: drawn with {substitute}" in w
               for w in warnings)


def test_a_postscript_bold_name_is_drawn_bold(tmp_path, settings):
    """Illustrator's `Arial-BoldMT`: Liberation Sans, bold."""
    bold, _ = draw_styled(tmp_path, settings, "font-family:'Liberation Sans';font-weight:bold")
    drawn, _ = draw_styled(tmp_path, settings, "font-family:'Arial-BoldMT'")
    assert mean_abs_diff(drawn, bold) == 0


def test_the_template_report_names_the_substitute(tmp_path):
    from svgrender.templates.report import findings

    data = (b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">'
            b'<text id="t" x="5" y="30" font-family="Gill Sans">Hi</text></svg>')
    template = load_template("gill", data, Settings())
    missing = [f for f in findings(template) if f.code == "missing_font"]
    assert missing and "drawn with Gillius ADF" in missing[0].message


@pytest.mark.parametrize("family, substitute", [
    ("Arial", "Liberation Sans"), ("Helvetica", "Nimbus Sans"), ("Gill Sans", "Gillius ADF"),
    ("Times New Roman", "Liberation Serif")])
def test_a_request_may_name_a_family_with_a_free_substitute(family, substitute):
    """`fontFamily: "Arial"` in a request is what a user writes: drawn with its metric-compatible
    face (the warning names it), as in a template; an unknown name is still a 422."""
    from svgrender.draw.fonts import check_family, deliberate_substitute

    assert deliberate_substitute(family) == substitute
    assert check_family(family, "title").startswith(f"'{family}'" if " " in family else family)
    with pytest.raises(InvalidParam) as refused:
        check_family("Arail", "title")
    assert refused.value.code == "unknown_font"
