"""bench_redraw.py for two checkouts in the same run, alternating (the machine is noisy).

    python benchmarks/bench_redraw_vs.py /path/to/before-checkout [--rounds 6] [--runs 15]

Each round runs each checkout's own bench_redraw.measure in a fresh process (its own code on
sys.path first) and takes its ratios (region cache / every layer drawn, same process); the
table gives the medians over rounds, and the load average seen at each round.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from alternating import alternate, arguments, load_line  # noqa: E402
CODE = """
import json, sys
sys.argv = ["bench_redraw"]
sys.path.insert(0, "benchmarks")
import bench_redraw as bench
from svgrender.draw import seams
seams.install()
rows = bench.measure({runs}, "jpeg") + bench.measure({runs}, "jpeg, drawing only")
print(json.dumps(rows))
"""


def _measure(checkout: Path, runs: int) -> list:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run([sys.executable, "-c", CODE.format(runs=runs)], cwd=checkout, env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    args = arguments()
    results, loads = alternate(args.before, args.rounds, lambda checkout: {
        (card, fmt): (full, region)
        for card, fmt, full, _, region in _measure(checkout, args.runs)})
    results = {(name, *key): pairs for (name, key), pairs in results.items()}
    lines = ["| card | format | before: full ms, region ms (ratio) "
             "| this branch: full ms, region ms (ratio) |", "|---|---|---|---|"]
    keys = dict.fromkeys((card, fmt) for _, card, fmt in results)
    for card, fmt in keys:
        cells = []
        for name in ("before", "this branch"):
            pairs = results[(name, card, fmt)]
            full = statistics.median(p[0] for p in pairs)
            region = statistics.median(p[1] for p in pairs)
            ratio = statistics.median(p[1] / p[0] for p in pairs)
            cells.append(f"{full:.1f}, {region:.1f} ({ratio:.2f}×; rounds "
                         f"{min(p[1] / p[0] for p in pairs):.2f}–"
                         f"{max(p[1] / p[0] for p in pairs):.2f})")
        lines.append(f"| {card} | {fmt} | {cells[0]} | {cells[1]} |")
    print("\n".join(lines))
    print("\n" + load_line(args.rounds, args.runs, loads))

if __name__ == "__main__":
    main()
