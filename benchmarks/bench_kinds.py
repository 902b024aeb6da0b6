"""What each layer kind costs per answer: the product-card demo with no params (the baseline,
measured in the same run) against one kind at a time.

    python benchmarks/bench_kinds.py [--runs N]

CPU time (process_time) of the full answer (1x JPEG + thumbnail + retina thumbnail), apply and
drawing included, and its wall time; the median of N runs after one warm-up. A Vega-Lite chart
is converted in a helper process (svgrender/kinds/vegalite.py), whose CPU process_time does not
see: read its wall column (the first conversion of a new helper, ~1-2 s, is the warm-up).

Smart crops get a second table: the card's photo replaced by a 1.6 MP photo (scikit-image's
astronaut, upscaled; needs the [crops] extra and scikit-image), a centre crop (`cover`) as the
baseline in the same run, against `face` / `attention` the first time a picture is seen (its
analysis dropped before each run) and when the cached analysis is reused, and a given
`imageFocus`.
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


def cpu_ms(template, params: list, runs: int, images: dict | None = None,
           fresh: bool = False) -> float:
    """`fresh`: each run sees the photo for the first time (its cached analysis dropped)."""
    request = RenderRequest(params=msgspec.convert(params, list[LayerParam]), format="jpeg")
    settings = Settings()
    pipeline.render(template, request, settings, images)  # warm
    times = []
    for _ in range(runs):
        if fresh:
            for image in (images or {}).values():
                image.analyses.clear()
        start = time.process_time()
        pipeline.render(template, request, settings, images)
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


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


CROP_CASES = [
    ("centre crop (cover)", {"imagePosition": "cover"}, False),
    ("face, first sight", {"imagePosition": "face"}, True),
    ("face, cached", {"imagePosition": "face"}, False),
    ("attention, first sight", {"imagePosition": "attention"}, True),
    ("attention, cached", {"imagePosition": "attention"}, False),
    ("imageFocus given", {"imageFocus": "0.4,0.25"}, False),
]


def crop_rows(template, runs: int) -> list[tuple[str, float]]:
    try:
        import cv2  # noqa: F401
        import pyvips  # noqa: F401
        from skimage.data import astronaut
    except ImportError as exc:
        print(f"(smart crops skipped: {exc}; pip install -e '.[test]')")
        return []
    import io

    from PIL import Image

    from svgrender.io.images import decode_image

    out = io.BytesIO()
    Image.fromarray(astronaut()).resize((1280, 1280)).save(out, "JPEG", quality=90)
    photo = decode_image(out.getvalue(), "photo", max_pixels=50_000_000)
    images = {"photo": photo}
    url = "https://example.com/astronaut.jpg"  # never fetched: the decoded photo is given
    return [(label, cpu_ms(template, [{"name": "photo", "imageUrl": url, **props}], runs,
                           images, fresh))
            for label, props, fresh in CROP_CASES]


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
    crops = crop_rows(template, args.runs)
    if crops:
        centre = crops[0][1]
        print()
        print(f"| {'smart crop (1.6 MP photo)':<26} | {'ms/answer':>9} | {'vs centre crop':>14} |")
        print(f"|{'-' * 28}|{'-' * 11}|{'-' * 16}|")
        for label, ms in crops:
            print(f"| {label:<26} | {ms:>9.1f} | {ms / centre:>13.2f}x |")


if __name__ == "__main__":
    main()
