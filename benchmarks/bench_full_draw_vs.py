"""Every layer drawn: this checkout against another one, same run, alternating (issue 32).

    python benchmarks/bench_full_draw_vs.py /path/to/before-checkout [--rounds 6] [--runs 15]

One answer = 1x JPEG + 400 w + 800 w thumbnails with a new title each run and the static-layer
cache off (every layer drawn). Each round runs each checkout's own code in a fresh process (its
directory first on sys.path) on the same card bytes, so only the code differs. The table gives
median CPU ms per answer over rounds and the ratio before ÷ this branch (> 1: this is faster).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from alternating import alternate, arguments, load_line  # noqa: E402
from redraw_cards import photo_after_text_card  # noqa: E402

CODE = """
import itertools, json, statistics, sys, time
from pathlib import Path
from svgrender import render as pipeline
from svgrender.draw import seams
from svgrender.params import LayerParam, RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template
seams.install()
off = Settings(static_layer_cache_bytes=0)
count = itertools.count()
rows = []
for label, path in json.loads(sys.argv[1]):
    template = load_template(label, Path(path).read_bytes(), Settings())
    def answer():
        request = RenderRequest(format="jpeg", params=[
            LayerParam(name="title", text=f"Explore the coast, day {{next(count)}}")])
        pipeline.render(template, request, off)
    for _ in range(3):
        answer()
    times = []
    for _ in range({runs}):
        start = time.process_time()
        answer()
        times.append((time.process_time() - start) * 1000)
    rows.append((label, statistics.median(times)))
print(json.dumps(rows))
"""


def _measure(checkout: Path, cards: list, runs: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run([sys.executable, "-c", CODE.format(runs=runs), json.dumps(cards)],
                         cwd=checkout, env=env, check=True, capture_output=True,
                         text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    args = arguments()
    with tempfile.TemporaryDirectory() as tmp:
        shaped = Path(tmp) / "issue-shaped.svg"
        shaped.write_bytes(photo_after_text_card())
        cards = [["social-card (demo)", str(ROOT / "templates" / "social-card.svg")],
                 ["issue-shaped card (photo after texts)", str(shaped)]]
        results, loads = alternate(args.before, args.rounds,
                                   lambda checkout: _measure(checkout, cards, args.runs))
    lines = ["| card | before ms | this branch ms | before ÷ this (rounds) |",
             "|---|---|---|---|"]
    for label, _ in cards:
        before, this = results[("before", label)], results[("this branch", label)]
        ratios = [b / t for b, t in zip(before, this)]
        lines.append(f"| {label} | {statistics.median(before):.1f} | "
                     f"{statistics.median(this):.1f} | {statistics.median(ratios):.2f}× "
                     f"({min(ratios):.2f}–{max(ratios):.2f}) |")
    print("\n".join(lines))
    print(f"\n{load_line(args.rounds, args.runs, loads)} Before = {args.before}.")

if __name__ == "__main__":
    main()
