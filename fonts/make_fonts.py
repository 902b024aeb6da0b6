"""Rebuild the open families shipped in fonts/ from the npm registry's Fontsource packages.

Designers' exports name these families often and Debian packages none of them (bookworm). Each is
SIL OFL 1.1; Fontsource publishes them split by script as WOFF2. For each style kept here the
Latin and Latin Extended parts are merged back into one TTF (fontconfig, cairo and Chromium read
it like any installed font) and the licence is written beside it.

    python fonts/make_fonts.py          # needs npm and fontTools[woff]; rewrites fonts/*.ttf
"""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

from fontTools.merge import Merger, Options
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
SUBSETS = ("latin", "latin-ext")
# package -> (weights, styles) kept: the weights exports use most, regular and bold italics.
FAMILIES = {
    "fira-sans": ((300, 400, 500, 600, 700, 800), (400, 700)),
    "montserrat": ((300, 400, 500, 600, 700, 800), (400, 700)),
    "poppins": ((300, 400, 500, 600, 700, 800), (400, 700)),
    "raleway": ((300, 400, 500, 600, 700, 800), (400, 700)),
    "source-sans-3": ((300, 400, 500, 600, 700, 800), (400, 700)),
    "playfair-display": ((400, 500, 600, 700, 800), (400, 700)),
    "oswald": ((300, 400, 500, 600, 700), ()),
    "space-mono": ((400, 700), (400, 700)),
}


def merged(parts: list[Path], into: Path) -> TTFont:
    plain = []
    for index, part in enumerate(parts):
        font = TTFont(part)
        font.flavor = None
        path = into.with_suffix(f".part{index}.ttf")
        font.save(path)
        plain.append(path)
    font = Merger(options=Options(drop_tables=["vmtx", "vhea"])).merge([str(p) for p in plain])
    for path in plain:
        path.unlink()
    return font


WEIGHT_NAMES = {300: "Light", 400: "Regular", 500: "Medium", 600: "SemiBold", 700: "Bold",
                800: "ExtraBold"}


def named(font: TTFont, family: str, weight: int, italic: bool) -> TTFont:
    """One naming for every face: Fontsource's instances of variable fonts all call themselves
    'Montserrat Thin', and some static ones lack the typographic family, so fontconfig would
    not find 'Fira Sans' at weight 300. RIBBI faces use IDs 1/2, the others 16/17 as well."""
    table = font["name"]
    for name_id in (1, 2, 3, 4, 6, 16, 17):
        table.removeNames(nameID=name_id)
    weight_name = WEIGHT_NAMES[weight]
    ribbi = weight in (400, 700)
    style = (weight_name if weight == 700 else "") + (" Italic" if italic else "")
    style = style.strip() or "Regular"
    full = f"{family} {weight_name}{' Italic' * italic}".replace(" Regular Italic", " Italic")
    suffix = f"{weight_name}{'Italic' * italic}".replace("RegularItalic", "Italic")
    postscript = f"{family.replace(' ', '')}-{suffix}"  # as the foundry names it: Poppins-SemiBold
    if ribbi:
        entries = {1: family, 2: style}
    else:
        entries = {1: f"{family} {weight_name}", 2: "Italic" if italic else "Regular",
                   16: family, 17: f"{weight_name}{' Italic' * italic}"}
    entries.update({3: f"svgrender-fontsource:{postscript}", 4: full, 6: postscript})
    for name_id, value in entries.items():
        table.setName(value, name_id, 3, 1, 0x409)
    font["OS/2"].usWeightClass = weight
    return font


def build(package: str, weights: tuple[int, ...], italics: tuple[int, ...], work: Path) -> None:
    subprocess.run(["npm", "pack", f"@fontsource/{package}", "--silent"], cwd=work, check=True,
                   capture_output=True)
    tarball = next(work.glob(f"fontsource-{package}-*.tgz"))
    with tarfile.open(tarball) as archive:
        archive.extractall(work / package, filter="data")
    root = work / package / "package"
    family = json.loads((root / "metadata.json").read_text())["family"]
    stem = family.replace(" ", "")
    styles = [(w, "normal") for w in weights] + [(w, "italic") for w in italics]
    for weight, style in styles:
        parts = [root / "files" / f"{package}-{subset}-{weight}-{style}.woff2" for subset in SUBSETS]
        target = HERE / f"{stem}-{weight}{'-italic' * (style == 'italic')}.ttf"
        font = merged([p for p in parts if p.exists()], target)
        named(font, family, weight, style == "italic").save(target)
    (HERE / "licenses").mkdir(exist_ok=True)
    (HERE / "licenses" / f"{stem}-OFL.txt").write_text((root / "LICENSE").read_text())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for package, (weights, italics) in FAMILIES.items():
            build(package, weights, italics, Path(tmp))
            print("built", package)


if __name__ == "__main__":
    main()
