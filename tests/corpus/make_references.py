"""Draw every corpus file with headless Chromium (Debian's `chromium`) as the reference.

    python tests/corpus/make_references.py [NAME ...]
    python tests/corpus/make_references.py --inkscape [NAME ...]

With --inkscape, the files with Inkscape flowed text (which no browser draws) are drawn by
Inkscape (Debian's `inkscape`, 1.2), the editor their designers saw them in:
refs-inkscape/NAME.webp, with the same fonts.

The file is shown through an <img> at the size own_corpus.py draws it (WIDTH px wide): in an image
Chromium loads nothing from outside the file, as svgrender does not. Writes refs/NAME.webp
(lossless: a third of the PNG's size).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lxml import etree
from PIL import Image

import os

from svgrender.draw.fonts import SUBSTITUTES
from own_corpus import (FONTS, PACKAGE_FONTS, has_flowed_text, inkscape_ref_path, ref_path, size_of, sources,
                        svg_path)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "text"))
from make_flowed_references import inkscape_png  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def screenshot(name: str) -> None:
    width, height = size_of(name)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.html"
        page.write_text(
            '<!doctype html><html><body style="margin:0;background:#fff">'
            f'<img src="{svg_path(name).as_uri()}" '
            f'style="display:block;width:{width}px;height:{height}px"></body></html>')
        out = Path(folder) / "shot.png"
        config = font_config(Path(folder))
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--no-first-run", "--disable-sync", "--hide-scrollbars",
                        "--allow-file-access-from-files", "--virtual-time-budget=5000",
                        f"--user-data-dir={folder}/profile", f"--screenshot={out}",
                        f"--window-size={max(width, 800)},{max(height, 600)}",
                        page.as_uri()], check=True, capture_output=True, timeout=120,
                       env={**os.environ, "FONTCONFIG_FILE": str(config)})
        image = Image.open(out).convert("RGB").crop((0, 0, width, height))
    ref_path(name).parent.mkdir(exist_ok=True)
    image.save(ref_path(name), "WEBP", lossless=True, method=6)


def font_config(folder: Path) -> Path:
    """The system's fonts, svgrender's substitutes for commercial families, the corpus fonts:
    the default font set, installed for every renderer."""
    config = folder / "fonts.conf"
    config.write_text('<?xml version="1.0"?><fontconfig><include>/etc/fonts/fonts.conf'
                      f'</include><include>{SUBSTITUTES}</include><dir>{FONTS}</dir>'
                      f'<dir>{PACKAGE_FONTS}</dir>'
                      '</fontconfig>')
    return config


def without_linked_images(data: bytes) -> bytes:
    """The file without images linked to files beside it (none is in the repository): Chromium
    and svgrender draw nothing for them, Inkscape a red 'missing image' box."""
    root = etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))
    for image in list(root.iter("{http://www.w3.org/2000/svg}image")):
        link = image.get("{http://www.w3.org/1999/xlink}href") or image.get("href") or ""
        if not link.startswith("data:"):
            image.getparent().remove(image)
    return etree.tostring(root)


def inkscape_drawing(name: str) -> None:
    width, height = size_of(name)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "export.png"
        source = Path(folder) / f"{name}.svg"
        source.write_bytes(without_linked_images(svg_path(name).read_bytes()))
        inkscape_png(source, out, width, font_config(Path(folder)))
        image = Image.open(out).convert("RGB")
    if image.size != (width, height):  # Inkscape rounds the height its own way
        image = image.resize((width, height), Image.LANCZOS)
    inkscape_ref_path(name).parent.mkdir(exist_ok=True)
    image.save(inkscape_ref_path(name), "WEBP", lossless=True, method=6)


def main(names: list[str], inkscape: bool = False) -> None:
    for source in sources():
        if names and source.name not in names:
            continue
        if inkscape:
            if has_flowed_text(source.name):
                inkscape_drawing(source.name)
                print("ok (Inkscape)", source.name)
        else:
            screenshot(source.name)
            print("ok", source.name)


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if a != "--inkscape"], "--inkscape" in sys.argv)
