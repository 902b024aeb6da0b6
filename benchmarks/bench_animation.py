"""What an animation costs: an N-frame animation of social-card (the price changes per frame,
the shared params set the canvas colour) against N single renders of the same frames, measured
in the same run.

    python benchmarks/bench_animation.py [--frames N] [--runs R] [--smoke]

Baselines: N single PNG answers (image + thumbnail + retina thumbnail each) with the static-layer
cache on, as the server draws them today, and N full renders with it off (every layer drawn every
time). The static-layer cache is emptied before every measured animation and every set of N
single renders, so each starts cold (frame 1 / render 1 draws the static layers). Wall time, the
median of R runs after one warm-up; frames/s = N / animation time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from svgrender import render as pipeline  # noqa: E402
from svgrender.draw import seams  # noqa: E402
from svgrender.formats import FORMATS  # noqa: E402
from svgrender.params import Frame, LayerParam, RenderRequest  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.templates.model import load_template  # noqa: E402

SHARED = [{"name": "canvas", "backgroundColor": "#0a84ff"}]


def frame_params(n: int) -> list[list[dict]]:
    return [[{"name": "price", "text": f"${i},{i % 10}99"}] for i in range(n)]


def timed(function, runs: int) -> float:
    function()  # warm (fonts, parsed template, code paths)
    times = []
    for _ in range(runs):
        pipeline._layer_cache = None  # cold static-layer cache for every measured run
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    seams.install()
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="3 frames, 1 run")
    args = parser.parse_args()
    if args.smoke:
        args.frames, args.runs = 3, 1
    settings = Settings()
    uncached = replace(settings, static_layer_cache_bytes=0)
    template = load_template("social-card", (ROOT / "templates" / "social-card.svg").read_bytes(),
                             settings)
    shared = msgspec.convert(SHARED, list[LayerParam])
    per_frame = [msgspec.convert(p, list[LayerParam]) for p in frame_params(args.frames)]
    stills = [RenderRequest(params=shared + p, format="png") for p in per_frame]

    def singles(with_settings):
        return lambda: [pipeline.render(template, r, with_settings) for r in stills]

    single_cached = timed(singles(settings), args.runs)
    single_full = timed(singles(uncached), args.runs)
    n = args.frames
    print(f"social-card 1200×630, {n} frames (price changes), median of {args.runs} runs\n")
    print(f"| output | animation ms | frames/s | {n} single PNG answers ms | ratio | "
          f"{n} full renders (no static cache) ms | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in ("gif", "webp", "apng", "mp4"):
        if name not in FORMATS:
            print(f"| {name} | (PyAV not installed) | | | | | |")
            continue
        request = RenderRequest(params=shared, format=name, frames=[
            Frame(params=p, durationMs=500) for p in per_frame])
        took = timed(lambda: pipeline.render(template, request, settings), args.runs)
        print(f"| {name} | {took * 1000:.0f} | {n / took:.1f} | {single_cached * 1000:.0f} | "
              f"{took / single_cached:.2f} | {single_full * 1000:.0f} | "
              f"{took / single_full:.2f} |")


if __name__ == "__main__":
    main()
