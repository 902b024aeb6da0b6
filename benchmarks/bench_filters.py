"""What a Figma drop shadow costs: the figma-export card with and without its filter, same run.

    python benchmarks/bench_filters.py [--runs N]

CPU time (process_time) of the full answer (1x JPEG + thumbnail + retina thumbnail).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from svgrender import render as pipeline  # noqa: E402
from svgrender.draw import seams  # noqa: E402
from svgrender.params import RenderRequest  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.templates.model import load_template  # noqa: E402


def cpu_ms(template, runs: int) -> float:
    request, settings = RenderRequest(format="jpeg"), Settings()
    pipeline.render(template, request, settings)  # warm
    times = []
    for _ in range(runs):
        start = time.process_time()
        pipeline.render(template, request, settings)
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    seams.install()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rows = []
    for template_id, marker in (("figma-export", b'filter="url(#filter0_d_12_3)"'),
                                ("social-card", b'filter="url(#card-shadow)"')):
        source = (ROOT / "templates" / f"{template_id}.svg").read_bytes()
        with tempfile.TemporaryDirectory() as tmp:
            timings = {}
            for label, data in (("with shadow", source), ("without", source.replace(marker, b""))):
                path = Path(tmp) / f"{template_id}.svg"
                path.write_bytes(data)
                timings[label] = cpu_ms(load_template(template_id, data, Settings()), args.runs)
        shadow = timings["with shadow"] - timings["without"]
        rows.append((template_id, timings["with shadow"], timings["without"], shadow))
    print(f"{'template':<14} {'with ms':>8} {'without ms':>11} {'shadow ms':>10} {'shadow/rest':>12}")
    for name, with_ms, without_ms, shadow in rows:
        print(f"{name:<14} {with_ms:>8.1f} {without_ms:>11.1f} {shadow:>10.1f} "
              f"{shadow / without_ms:>12.2f}")


if __name__ == "__main__":
    main()
