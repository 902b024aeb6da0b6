"""Draw every corpus file with headless Chromium (Debian's `chromium`) as the reference.

    python tests/corpus/make_references.py [NAME ...]

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

from PIL import Image

import os

from svgrender.draw.fonts import SUBSTITUTES
from own_corpus import FONTS, ref_path, size_of, sources, svg_path

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
        # The system's fonts, svgrender's substitutes for commercial families, the corpus fonts:
        # the default font set, installed for both renderers.
        config = Path(folder) / "fonts.conf"
        config.write_text('<?xml version="1.0"?><fontconfig><include>/etc/fonts/fonts.conf'
                          f'</include><include>{SUBSTITUTES}</include><dir>{FONTS}</dir>'
                          '</fontconfig>')
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


def main(names: list[str]) -> None:
    for source in sources():
        if not names or source.name in names:
            screenshot(source.name)
            print("ok", source.name)


if __name__ == "__main__":
    main(sys.argv[1:])
