"""Chromium references for the text cases (same recipe as tests/fidelity)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fidelity"))

from make_references import screenshot  # noqa: E402

if __name__ == "__main__":
    (HERE / "refs").mkdir(exist_ok=True)
    for case in sorted((HERE / "cases").glob("*.svg")):
        screenshot(case, HERE / "refs" / f"{case.stem}.png", 1)
        print("ok", case.stem)
