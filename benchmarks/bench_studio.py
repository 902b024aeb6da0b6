"""The studio's first preview: from opening /studio/ on a demo template to its rendered preview
on screen, in headless Chromium (Debian's, through Playwright). Target: ≤ 1 s on 2 cores.

    python benchmarks/bench_studio.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from live import browser, served  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp, served({
            "SVGRENDER_TEMPLATES_DIR": str(ROOT / "templates"),
            "SVGRENDER_STORAGE_DIR": tmp}) as url, browser() as chromium:
        for run in range(args.runs):
            context = chromium.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(f"{url}/studio/")
            page.click("[data-template=social-card]")
            page.wait_for_selector("#preview[src]")
            page.locator("#preview").evaluate("img => img.decode()")
            times.append((time.perf_counter() - start) * 1000)
            context.close()
    print(f"studio: open /studio/, click the social card, preview decoded: "
          f"p50 {statistics.median(times):.0f} ms, worst {max(times):.0f} ms over {args.runs} "
          f"runs (first run includes the template's first render; target ≤ 1000 ms)")


if __name__ == "__main__":
    main()
