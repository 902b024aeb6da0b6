"""Title-only answers against every layer drawn, same run (issue 32).

    python benchmarks/bench_redraw.py            # writes benchmarks/results/redraw.md
    python benchmarks/bench_redraw.py --smoke

Three ways to draw the same answer (1x JPEG + 400 w + 800 w thumbnails), each with a new title
every run: every layer drawn (static-layer cache off), the paint-order cache (the layers before
the title kept; what main did before), and the region cache (the layers above the title kept
too, redrawn only where they meet the title's changed pixels). Figures are medians of CPU time;
compare the ratios.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from redraw_cards import photo_after_text_card  # noqa: E402
from svgrender import render as pipeline  # noqa: E402
from svgrender.draw import seams, static_regions  # noqa: E402
from svgrender.formats import FORMATS  # noqa: E402
from svgrender.params import LayerParam, RenderRequest  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.templates.model import load_template  # noqa: E402

CARDS = {"social-card (demo)": ((ROOT / "templates" / "social-card.svg").read_bytes(), "title"),
         "issue-shaped card (photo after texts)": (photo_after_text_card(), "title")}
ON, OFF = Settings(), Settings(static_layer_cache_bytes=0)
counter = itertools.count()


def _answer(template, layer: str, settings: Settings, fmt: str) -> None:
    title = f"Explore the coast, day {next(counter)}"
    pipeline.render(template, RenderRequest(format=fmt, params=[
        LayerParam(name=layer, text=title)]), settings)


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def measure(runs: int, fmt: str) -> list[tuple]:
    if fmt.endswith("drawing only"):  # the same answers, encoding skipped: what drawing costs
        real = FORMATS["jpeg"]
        FORMATS["jpeg"] = dataclasses.replace(real, encode=lambda surface, settings: b"",
                                              encode_changed=None)
        try:
            return [(label, fmt, *rest) for label, _, *rest in measure(runs, "jpeg")]
        finally:
            FORMATS["jpeg"] = real
    rows = []
    real_split = static_regions.split
    for label, (data, layer) in CARDS.items():
        template = load_template(label, data, ON)
        full = _median_ms(lambda: _answer(template, layer, OFF, fmt), runs)
        static_regions.split = lambda tree, names: None  # the paint-order cache alone
        try:
            _answer(template, layer, ON, fmt)
            order = _median_ms(lambda: _answer(template, layer, ON, fmt), runs)
        finally:
            static_regions.split = real_split
        _answer(template, layer, ON, fmt)
        region = _median_ms(lambda: _answer(template, layer, ON, fmt), runs)
        rows.append((label, fmt, full, order, region))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    seams.install()
    runs = 3 if args.smoke else 25
    lines = ["| card | format | every layer drawn ms | paint-order cache ms (× full) "
             "| region cache ms (× full) |", "|---|---|---|---|---|"]
    for fmt in ("jpeg", "jpeg, drawing only"):
        for label, fmt_, full, order, region in measure(runs, fmt):
            lines.append(f"| {label} | {fmt_} | {full:.1f} | {order:.1f} ({order / full:.2f}×) "
                         f"| {region:.1f} ({region / full:.2f}×) |")
    text = "\n".join(lines)
    print(text)
    if not args.smoke:
        out = ROOT / "benchmarks" / "results" / "redraw.md"
        out.write_text("# Title-only answers vs every layer drawn (same run)\n\n"
                       "Median CPU ms of one answer (1x image + 400 w + 800 w thumbnails), "
                       f"{runs} runs each, a new title every run.\n\n" + text + "\n")


if __name__ == "__main__":
    main()
