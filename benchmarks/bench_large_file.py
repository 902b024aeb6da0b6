"""The Illustrator-shaped large file (#13): N circles, each styled by its own CSS class rule and
filled by its own gradient that links (`xlink:href`) to one swatch. Load (parse, sanitise,
measure) and render (three sizes) are timed, each in a fresh process with the workers' memory
ceiling, beside the social card in the same run; peak memory is the process's maximum RSS.

    python benchmarks/bench_large_file.py [--shapes 11000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r'''
import json, resource, sys, time
from pathlib import Path
from svgrender.draw import seams
from svgrender.params import RenderRequest
from svgrender.render import render
from svgrender.settings import Settings
from svgrender.templates.model import load_template
from svgrender.workers import limit_memory
settings = Settings(max_template_bytes=50_000_000)
limit_memory(settings)
seams.install()
data = Path(sys.argv[1]).read_bytes()
started = time.perf_counter()
template = load_template("t", data, settings)
loaded = time.perf_counter()
render(template, RenderRequest(format="jpeg"), settings)
done = time.perf_counter()
print(json.dumps({"load": loaded - started, "render": done - loaded,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "ceiling_mb": settings.worker_memory_limit_mb}))
'''


def large_file(shapes: int) -> str:
    rules = "".join(f".c{i}{{fill:url(#g{i});stroke:#{i % 255:02x}3344}}" for i in range(shapes))
    gradients = ('<linearGradient id="swatch"><stop offset="0" stop-color="#f80"/><stop '
                 'offset="1" stop-color="#08f"/></linearGradient>' + "".join(
                     f'<linearGradient id="g{i}" xlink:href="#swatch" x1="0" x2="1"/>'
                     for i in range(shapes)))
    circles = "".join(f'<circle class="c{i}" cx="{(i * 7) % 1200}" cy="{(i * 13) % 800}" '
                      'r="5"/>' for i in range(shapes))
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="1200" height="800"><defs><style>{rules}</style>{gradients}</defs>'
            f'{circles}</svg>')


def measure(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shapes", type=int, default=11000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "large.svg"
        big.write_text(large_file(args.shapes))
        card = measure(ROOT / "templates" / "social-card.svg")
        large = measure(big)
    print(f"{'file':<34} {'load s':>8} {'render s':>9} {'peak RSS MB':>12}")
    for name, row in ((f"social-card", card), (f"{args.shapes} rules/gradients/circles", large)):
        if "error" in row:
            print(f"{name:<34} {row['error']}")
            continue
        print(f"{name:<34} {row['load']:>8.2f} {row['render']:>9.2f} {row['rss_mb']:>12.0f}")
    if "error" not in large and "error" not in card:
        print(f"\nlarge file / social card: load {large['load'] / card['load']:.0f}x, render "
              f"{large['render'] / card['render']:.0f}x; peak RSS {large['rss_mb']:.0f} MB of a "
              f"{large['ceiling_mb']} MB ceiling")


if __name__ == "__main__":
    main()
