"""What each small drop shadow costs: one card with 16 small shadowed tiles against the same
card with one of them shadowed (and none), same run (issue 32).

    python benchmarks/bench_shadows.py            # writes benchmarks/results/shadows.md
    python benchmarks/bench_shadows.py --smoke

CPU time (process_time) of the full answer (1x JPEG + 400 w + 800 w thumbnails), static-layer
cache off (every layer drawn). resvg is timed on the same files when its command is installed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from redraw_cards import shadows_card  # noqa: E402
from svgrender import render as pipeline  # noqa: E402
from svgrender.draw import seams, surfaces  # noqa: E402
from svgrender.draw.filters import group_extent  # noqa: E402
from svgrender.params import RenderRequest  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.templates.model import load_template  # noqa: E402

EVERY_LAYER = Settings(static_layer_cache_bytes=0)


def _svgrender_ms(data: bytes, runs: int) -> float:
    template = load_template("shadows", data, EVERY_LAYER)
    request = RenderRequest(format="jpeg")
    pipeline.render(template, request, EVERY_LAYER)  # warm
    times = []
    for _ in range(runs):
        start = time.process_time()
        pipeline.render(template, request, EVERY_LAYER)
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def _resvg_ms(data: bytes, runs: int) -> float | None:
    binary = shutil.which("resvg")
    if binary is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        svg, png = Path(tmp) / "card.svg", Path(tmp) / "card.png"
        svg.write_bytes(data)
        times = []
        for _ in range(runs):
            before = _children_cpu()
            subprocess.run([binary, str(svg), str(png)], check=True, capture_output=True)
            times.append((_children_cpu() - before) * 1000)
        return statistics.median(times)


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    seams.install()
    runs = 3 if args.smoke else 21
    # Before: filtered groups as CairoSVG makes them (canvas-sized), in the same run.
    surfaces.RasterSurface.group_extent = staticmethod(lambda surface, node, name: None)
    before = {n: _svgrender_ms(shadows_card(n), runs) for n in (0, 1, 16)}
    surfaces.RasterSurface.group_extent = staticmethod(group_extent)
    ms = {n: _svgrender_ms(shadows_card(n), runs) for n in (0, 1, 16)}
    resvg = _resvg_ms(shadows_card(16), runs)
    lines = ["| shadowed tiles (of 16) | canvas-sized groups ms (× one) | "
             "groups in the filter's extent ms (× one) |", "|---|---|---|"]
    lines += [f"| {n} | {before[n]:.1f} ({before[n] / before[1]:.2f}×) "
              f"| {ms[n]:.1f} ({ms[n] / ms[1]:.2f}×) |" for n in (0, 1, 16)]
    lines.append("")
    lines.append(f"per extra shadow: {(before[16] - before[1]) / 15:.2f} ms before, "
                 f"{(ms[16] - ms[1]) / 15:.2f} ms now (3 sizes)")
    lines.append("resvg (16 shadows, 1x PNG only): " + (f"{resvg:.1f} ms" if resvg is not None
                                                     else "not installed, skipped"))
    text = "\n".join(lines)
    print(text)
    if not args.smoke:
        (ROOT / "benchmarks" / "results" / "shadows.md").write_text(
            "# 16 small drop shadows vs one (same run)\n\nMedian CPU ms of one answer, "
            f"{runs} runs each, every layer drawn.\n\n" + text + "\n")


if __name__ == "__main__":
    main()
