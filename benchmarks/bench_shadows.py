"""What each small drop shadow costs: one card with 16 small shadowed tiles against the same
card with one of them shadowed (and none), same run (issue 32), next to resvg and plain
CairoSVG drawing the same files.

    python benchmarks/bench_shadows.py            # writes benchmarks/results/shadows.md
    python benchmarks/bench_shadows.py --smoke

Two cards: 16 identical tiles (identical shadowed elements share one filter run per size), and
16 tiles of different widths (every filter runs). All figures are CPU time (process_time, median of the runs), measured in one run:
- svgrender: the full answer (1x JPEG + 400 w + 800 w thumbnails), static-layer cache off
  (every layer drawn), and its 1x PNG alone;
- resvg (the `bench` extra's resvg-py, in process, no system fonts: the card has no text):
  a 1x PNG of the same SVG, blur drawn;
- plain CairoSVG (a process of its own, benchmarks/plain_cairosvg.py): a 1x PNG, no blur drawn.
"""

from __future__ import annotations

import argparse
import json
import re
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
from lxml import etree  # noqa: E402

from svgrender.draw import seams  # noqa: E402
from svgrender.draw.surfaces import Size, draw_raster, prepare_drawing, render_context  # noqa
from svgrender.formats import FORMATS  # noqa: E402
from svgrender.params import RenderRequest  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.templates.model import load_template  # noqa: E402

EVERY_LAYER = Settings(static_layer_cache_bytes=0)
COUNTS = (0, 1, 16)


def varied_card(shadowed: int) -> bytes:
    """The same card with every tile a few px narrower than the one before: no two shadowed
    tiles have the same pixels, so none shares another's filter run (filters.py)."""
    data = shadows_card(shadowed).decode()
    for i in range(16):
        data = re.sub(rf'(id="tile{i}" x="\d+" y="\d+" width=")240"', rf'\g<1>{240 - 3 * i}"',
                      data)
    return data.encode()


def _interleaved_cpu_ms(draws: dict, runs: int) -> dict:
    """Median CPU ms of each draw, the draws taken in turn run after run: on a shared
    machine, load that comes and goes falls on all of them alike."""
    for draw in draws.values():
        draw()  # warm
    times: dict = {key: [] for key in draws}
    for _ in range(runs):
        for key, draw in draws.items():
            start = time.process_time()
            draw()
            times[key].append((time.process_time() - start) * 1000)
    return {key: statistics.median(values) for key, values in times.items()}


def _svgrender_answer(data: bytes):
    template = load_template("shadows", data, EVERY_LAYER)
    request = RenderRequest(format="jpeg")
    return lambda: pipeline.render(template, request, EVERY_LAYER)


def _svgrender_png(data: bytes):
    """One 1x PNG (what resvg and CairoSVG are asked for): drawn and encoded."""
    drawing = prepare_drawing(etree.fromstring(data), {})
    png = FORMATS["png"]

    def draw() -> bytes:
        context = render_context(drawing, [], {})
        surface = draw_raster(drawing.cairo_tree, Size(1200, 630), None, None, context)
        return png.encode(surface, EVERY_LAYER)

    return draw


def _resvg_png(data: bytes):
    try:
        import resvg_py
    except ImportError:
        return None
    svg = data.decode()
    return lambda: resvg_py.svg_to_bytes(svg_string=svg, skip_system_fonts=True)


def _cairosvg_ms(datas: dict[int, bytes], runs: int) -> dict[int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for n, data in datas.items():
            path = Path(tmp) / f"card{n}.svg"
            path.write_bytes(data)
            files.append([str(path), [[1200, 630]]])
        job = {"mode": "time", "files": files, "runs": runs}
        result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "plain_cairosvg.py")],
                                input=json.dumps(job), capture_output=True, text=True,
                                check=True)
    out = json.loads(result.stdout)
    return {n: out[str(Path(tmp) / f"card{n}.svg")] for n in datas}


def _cell(value: float | None, one: float | None) -> str:
    if value is None:
        return "not installed"
    return f"{value:.1f} ({value / one:.2f}×)" if one else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    seams.install()
    runs = 3 if args.smoke else 21
    kinds = {"identical tiles": shadows_card, "tiles of 16 widths": varied_card}
    lines = ["| card | shadowed tiles (of 16) | svgrender answer ms (× one) | svgrender 1x PNG ms "
             "(× one) | resvg 1x PNG ms (× one) | plain CairoSVG 1x PNG ms (no blur) |",
             "|---|---|---|---|---|---|"]
    summary = []
    for kind, make in kinds.items():
        cards = {n: make(n) for n in COUNTS}
        draws = {("answer", n): _svgrender_answer(cards[n]) for n in COUNTS}
        draws.update({("png", n): _svgrender_png(cards[n]) for n in COUNTS})
        if _resvg_png(cards[0]) is not None:
            draws.update({("resvg", n): _resvg_png(cards[n]) for n in COUNTS})
        ms = _interleaved_cpu_ms(draws, runs)
        answer = {n: ms[("answer", n)] for n in COUNTS}
        png = {n: ms[("png", n)] for n in COUNTS}
        resvg = {n: ms.get(("resvg", n)) for n in COUNTS}
        plain = _cairosvg_ms(cards, runs)
        lines += [f"| {kind} | {n} | {_cell(answer[n], answer[1])} | {_cell(png[n], png[1])} "
                  f"| {_cell(resvg[n], resvg[1])} | {plain[n]:.1f} |" for n in COUNTS]
        summary.append(f"{kind}: 16 vs one shadow {answer[16] / answer[1]:.2f}× (answer), "
                       f"{png[16] / png[1]:.2f}× (1x PNG); per extra shadow "
                       f"{(answer[16] - answer[1]) / 15:.2f} ms an answer (3 sizes)")
        if resvg[16] is not None:
            summary.append(f"{kind}, 16 shadows, 1x PNG: svgrender {png[16]:.1f} ms, resvg "
                           f"{resvg[16]:.1f} ms ({resvg[16] / png[16]:.1f}× svgrender's), "
                           f"plain CairoSVG {plain[16]:.1f} ms; svgrender's whole answer "
                           f"(3 sizes) {answer[16]:.1f} ms")
        else:
            summary.append("resvg: resvg-py not installed (pip install -e '.[bench]'), skipped")
    lines.append("")
    lines += [f"- {line}" for line in summary]
    text = "\n".join(lines)
    print(text)
    if not args.smoke:
        (ROOT / "benchmarks" / "results" / "shadows.md").write_text(
            "# 16 small drop shadows vs one (same run)\n\nMedian CPU ms (process_time) of "
            f"{runs} runs each (taken in turn), every layer drawn; svgrender's answer is 1x JPEG + 400 w + "
            "800 w thumbnails; resvg (resvg-py, in process, no system fonts: no text) and "
            "plain CairoSVG (own process) draw one 1x PNG.\n\n" + text + "\n")


if __name__ == "__main__":
    main()
