"""Big files (issues 32/33): load and render seconds for Illustrator-shaped exports with 1k/2k/4k
gradients + CSS class rules, and for the largest file in tests/corpus.

Each row is measured in a fresh process, in CPU seconds of that process (on a shared, loaded
machine wall time mostly measures the neighbours; on an idle one the two agree). Baselines, measured in the same run:
- `flat`: the same Illustrator-shaped file with each gradient fill replaced by a flat colour
  (same tree, same rules: what the gradients themselves cost);
- `cairosvg`: plain CairoSVG drawing the same file once, 1x PNG (what the library costs alone);
- a row of 3000 shapes sharing one gradient (what reusing a gradient's pattern saves);
- `--before DIR`: another checkout (e.g. /work/main) timed on the same files, for before/after.

    python benchmarks/bench_big_files.py [--sizes 1000 2000 4000] [--before /work/main] [--repeat 3]

With `--repeat N` each row is measured N times, the checkouts taking turns, and the fastest
(load + render) of each is kept: on a shared machine the neighbours only ever add time. The
median of the N totals is printed too (a machine whose speed drifts from minute to minute moves
the fastest run as much as the code does).

"Linear" means render seconds per 1k rules stay flat across the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from illustrator_like import illustrator_like  # noqa: E402

CHILD = r'''
import json, sys, time
from pathlib import Path
clock = time.process_time  # CPU seconds: what an idle machine's wall time would be
data = Path(sys.argv[1]).read_bytes()
if sys.argv[2] == "cairosvg":
    import cairosvg
    started = clock()
    cairosvg.svg2png(bytestring=data)
    print(json.dumps({"load": 0.0, "render": clock() - started}))
    raise SystemExit
from svgrender.draw import seams
from svgrender.params import RenderRequest
from svgrender.render import render
from svgrender.settings import Settings
from svgrender.templates.model import load_template
settings = Settings(max_template_bytes=50_000_000)
seams.install()
started = clock()
template = load_template("t", data, settings)
loaded = clock()
render(template, RenderRequest(format="jpeg"), settings)
done = clock()
print(json.dumps({"load": loaded - started, "render": done - loaded}))
'''


def shared_gradient(n: int) -> str:
    """N small shapes painted with one userSpaceOnUse gradient (Figma/Inkscape share them)."""
    rects = "".join(f'<rect x="{(i * 7) % 1180}" y="{(i * 13) % 780}" width="20" height="20" '
                    'fill="url(#a)"/>' for i in range(n))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800"><defs>'
            '<linearGradient id="a" x1="0" y1="0" x2="1200" y2="800" '
            'gradientUnits="userSpaceOnUse"><stop offset="0" stop-color="red"/>'
            f'<stop offset="1" stop-color="blue"/></linearGradient></defs>{rects}</svg>')


def largest_corpus_file() -> Path:
    return max((ROOT / "tests" / "corpus" / "files").glob("*.svg"), key=lambda p: p.stat().st_size)


def measure(path: Path, tree: Path | None, mode: str = "svgrender") -> dict:
    env = dict(os.environ)
    if tree is not None:  # import svgrender from that checkout
        env["PYTHONPATH"] = str(tree)
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], cwd=tree or ROOT,
                         env=env, capture_output=True, text=True, timeout=1200)
    if out.returncode:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1][:80]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def total_of(run: dict) -> float:
    return float("inf") if "error" in run else run["load"] + run["render"]


def cell(row: dict) -> str:
    if "error" in row:
        return f"{'error':>15}"
    return f"{row['load']:>7.2f} {row['render']:>7.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000])
    parser.add_argument("--before", type=Path, help="another checkout to time on the same files")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row (fastest kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for n in args.sizes:
            for flat in (False, True):
                path = Path(folder) / f"ai-{n}{'-flat' if flat else ''}.svg"
                path.write_text(illustrator_like(n, flat=flat))
                files.append((f"illustrator {n} rules" + (" flat" if flat else ""), path, n))
        shared = Path(folder) / "shared.svg"
        shared.write_text(shared_gradient(3000))
        files.append(("3000 shapes, one gradient", shared, 0))
        corpus = largest_corpus_file()
        files.append((f"corpus {corpus.name[:24]}", corpus, 0))
        rows = []
        for name, path, n in files:
            row = {"name": name, "n": n, "totals": {}}
            for _ in range(max(1, args.repeat)):  # the checkouts take turns
                runs = {"after": measure(path, None), "cairosvg": measure(path, None, "cairosvg")}
                if args.before:
                    runs["before"] = measure(path, args.before)
                for column, run in runs.items():
                    row["totals"].setdefault(column, []).append(total_of(run))
                    if column not in row or total_of(run) < total_of(row[column]):
                        row[column] = run
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    head = f"{'file (CPU s)':<38} {'load s':>7} {'rend s':>7} {'cairosvg s':>10} {'total/cairosvg':>14}"
    if args.before:
        head += f" {'before load':>11} {'rend':>7} {'after/before':>12}"
    print(head)
    for row in rows:
        after, plain = row["after"], row["cairosvg"]
        line = f"{row['name']:<38} {cell(after)} {plain.get('render', float('nan')):>10.2f}"
        total = after.get("load", 0) + after.get("render", float("nan"))
        line += f" {total / plain.get('render', float('nan')):>14.2f}"
        if args.before:
            before = row["before"]
            was = before.get("load", 0) + before.get("render", float("nan"))
            line += f" {cell(before):>19} {total / was:>12.2f}"
        print(line)
    if args.repeat > 1:
        print(f"\nmedian load+render of the {args.repeat} runs (CPU s):")
        for row in rows:
            medians = {column: statistics.median(totals)
                       for column, totals in row["totals"].items()}
            line = f"  {row['name']:<36} {medians['after']:6.2f}   cairosvg {medians['cairosvg']:6.2f}"
            if args.before:
                line += (f"   before {medians['before']:6.2f}   after/before "
                         f"{medians['after'] / medians['before']:5.2f}")
            print(line)
    print("\nper 1k rules (render s / 1k; flat across rows = linear):")
    for row in rows:
        if row["n"] and "error" not in row["after"]:
            per = total_of(row["after"]) / (row["n"] / 1000)
            line = f"  {row['name']:<36} {per:6.2f} s per 1k rules (load+render)"
            if args.before and "error" not in row["before"]:
                line += f"   before {total_of(row['before']) / (row['n'] / 1000):6.2f}"
            print(line)


if __name__ == "__main__":
    main()
