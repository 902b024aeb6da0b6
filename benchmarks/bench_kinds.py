"""What each layer kind costs per answer: the product-card demo with no params (the baseline,
measured in the same run) against one kind at a time.

    python benchmarks/bench_kinds.py [--runs N]

CPU time (process_time) of the full answer (1x JPEG + thumbnail + retina thumbnail), apply and
drawing included, and its wall time; the median of N runs after one warm-up. A Vega-Lite chart
is converted in a helper process (svgrender/kinds/vegalite.py), whose CPU process_time does not
see: read its wall column (the first conversion of a new helper, ~1-2 s, is the warm-up).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from svgrender import render as pipeline  # noqa: E402
from svgrender.draw import seams  # noqa: E402
from svgrender.kinds import vegalite  # noqa: E402
from svgrender.params import LayerParam, RenderRequest  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.templates.model import load_template  # noqa: E402

CASES = [
    ("baseline (no params)", []),
    ("qrCode (URL, M)", [{"name": "qr", "qrCode": "https://shop.example.com/p/42?ref=card"}]),
    ("qrCode (300 bytes, H)", [{"name": "qr", "qrCode": "x" * 300, "qrErrorCorrection": "H"}]),
    ("barcode ean13", [{"name": "barcode", "barcode": {"type": "ean13",
                                                       "value": "5901234123457"}}]),
    ("rating 3.7", [{"name": "rating", "rating": 3.7}]),
    ("imageEffect grayscale", [{"name": "photo", "imageEffect": "grayscale"}]),
    ("imageEffect duotone", [{"name": "photo", "imageEffect": "duotone:#123,#fc3"}]),
    ("imageEffect blur:8", [{"name": "photo", "imageEffect": "blur:8"}]),
    ("chart bar (short form)", [{"name": "qr", "chart": {
        "type": "bar", "values": [3, 5, 2, 8, 6], "labels": ["M", "T", "W", "T", "F"]}}]),
    ("chart donut (short form)", [{"name": "qr", "chart": {
        "type": "donut", "values": [3, 5, 2], "labels": ["a", "b", "c"]}}]),
    ("chart Vega-Lite bar", [{"name": "qr", "chart": {"vegaLite": {
        "data": {"values": [{"k": k, "v": v} for k, v in zip("MTWTF", (3, 5, 2, 8, 6))]},
        "mark": "bar", "encoding": {"x": {"field": "k", "type": "nominal"},
                                    "y": {"field": "v", "type": "quantitative"}}}}}]),
]


def cost_ms(template, params: list, runs: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per answer, medians."""
    request = RenderRequest(params=msgspec.convert(params, list[LayerParam]), format="jpeg")
    settings = Settings()
    pipeline.render(template, request, settings)  # warm
    cpu, wall = [], []
    for _ in range(runs):
        start, start_wall = time.process_time(), time.perf_counter()
        pipeline.render(template, request, settings)
        cpu.append((time.process_time() - start) * 1000)
        wall.append((time.perf_counter() - start_wall) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    seams.install()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    data = (ROOT / "templates" / "product-card.svg").read_bytes()
    template = load_template("product-card", data, Settings())
    rows = [(label, *cost_ms(template, params, args.runs)) for label, params in CASES]
    vegalite.stop()
    _, base, base_wall = rows[0]
    print(f"| {'case':<24} | {'ms/answer':>9} | {'vs baseline':>11} | {'wall ms':>7} | "
          f"{'vs baseline':>11} |")
    print(f"|{'-' * 26}|{'-' * 11}|{'-' * 13}|{'-' * 9}|{'-' * 13}|")
    for label, ms, wall in rows:
        print(f"| {label:<24} | {ms:>9.1f} | {ms - base:>+10.1f}  | {wall:>7.1f} | "
              f"{wall - base_wall:>+10.1f}  |")


if __name__ == "__main__":
    main()
