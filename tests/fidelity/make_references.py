"""Render every fidelity case with headless Chromium (Debian's `chromium`) at 1x and 2x.

    python tests/fidelity/make_references.py [NAME ...]

Writes refs/NAME.png and refs/NAME@2x.png. Chromium is the reference: it is what Figma and
Inkscape exports are made to look right in.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def screenshot(svg: Path, out: Path, scale: int) -> None:
    """Screenshot a large window and crop: headless Chromium clips small windows oddly."""
    text = svg.read_text()
    width = int(text.split('width="', 1)[1].split('"', 1)[0])
    height = int(text.split('height="', 1)[1].split('"', 1)[0])
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--no-first-run", "--disable-sync", "--hide-scrollbars",
                        f"--force-device-scale-factor={scale}", f"--user-data-dir={profile}",
                        f"--screenshot={out}",
                        f"--window-size={max(width, 800)},{max(height, 600)}",
                        svg.resolve().as_uri()], check=True, capture_output=True, timeout=60)
    Image.open(out).convert("RGB").crop((0, 0, width * scale, height * scale)).save(out)


DEMOS = ["social-card", "figma-export"]  # demo templates with px sizes, for the shadow checks


def main(names: list[str]) -> None:
    demo_refs = HERE / "demo-refs"
    demo_refs.mkdir(exist_ok=True)
    for demo in DEMOS:
        if not names or demo in names:
            screenshot(HERE.parent.parent / "templates" / f"{demo}.svg", demo_refs / f"{demo}.png", 1)
    cases = sorted((HERE / "cases").glob("*.svg"))
    if names:
        cases = [c for c in cases if c.stem in names]
    (HERE / "refs").mkdir(exist_ok=True)
    for case in cases:
        for scale, suffix in ((1, ""), (2, "@2x")):
            screenshot(case, HERE / "refs" / f"{case.stem}{suffix}.png", scale)
        print("ok", case.stem)


if __name__ == "__main__":
    main(sys.argv[1:])
