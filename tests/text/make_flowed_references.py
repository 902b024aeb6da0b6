"""Inkscape's drawing of the flowed-text cases (Debian's `inkscape`, 1.2): the reference for
text browsers do not draw. Writes flowed-refs/NAME.png at the case's own size.

    python tests/text/make_flowed_references.py [PATH.svg OUT.png]
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
INKSCAPE = shutil.which("inkscape") or "/usr/bin/inkscape"


def inkscape_png(svg: Path, out: Path, width: int | None = None,
                 font_config: Path | None = None) -> None:
    """`svg` exported by Inkscape on white (a fresh profile; `font_config` a fontconfig file)."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home}
        if font_config:
            env["FONTCONFIG_FILE"] = str(font_config)
        size = [f"--export-width={width}"] if width else []
        subprocess.run([INKSCAPE, "--export-type=png", f"--export-filename={out}",
                        "--export-background=white", "--export-background-opacity=1",
                        *size, str(svg)], check=True, capture_output=True, timeout=300, env=env)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        inkscape_png(Path(sys.argv[1]), Path(sys.argv[2]))
    else:
        (HERE / "flowed-refs").mkdir(exist_ok=True)
        for case in sorted((HERE / "flowed").glob("*.svg")):
            inkscape_png(case, HERE / "flowed-refs" / f"{case.stem}.png")
            print("ok", case.stem)
