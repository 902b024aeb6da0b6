"""The studio on this machine, in headless Chromium (Debian's, through Playwright) against a real
`svgrender serve`:

- page weight: the studio's own files a first visit loads (HTML, CSS, every JS module it
  imports), target ≤ 250 KB;
- first preview: from opening /studio/t/social-card (a deep link) to its preview decoded on
  screen, target ≤ 1 s; baseline: the same preview asked for directly (POST /designs/{id}/preview
  with httpx), so the ratio is what the page adds;
- variants grid: 20 CSV rows pasted into the variants sheet until all 20 thumbnails and fit
  reports are shown, target ≤ 5 s; baseline: the same 20 previews asked for one after another.

    python benchmarks/bench_studio.py [--runs 5] [--smoke]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from live import browser, served  # noqa: E402

ROWS = 20


def rows_csv(run: int) -> str:
    """20 rows, new text each run (previews are cached by content: a repeat would be free)."""
    lines = ["title.text,price.text"]
    for n in range(ROWS):
        title = f"Run {run} trip {n}" + (" with a much longer title that will not fit" * 3
                                         if n % 5 == 0 else "")
        lines.append(f'"{title}",${n}{run}9')
    return "\n".join(lines) + "\n"


def page_weight(url: str) -> tuple[int, list[str]]:
    html = httpx.get(f"{url}/studio/").content
    seen, queue = {}, re.findall(r'(?:src|href)="/studio/([a-z]+\.(?:js|css))"', html.decode())
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen[name] = httpx.get(f"{url}/studio/{name}").content
        queue += re.findall(r'from "\./([a-z]+\.js)"', seen[name].decode())
    return len(html) + sum(len(b) for b in seen.values()), sorted(seen)


def wait(page, done, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError("the studio did not get there in time")
        time.sleep(0.01)


def first_preview(chromium, url: str, run: int) -> float:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{url}/studio/t/social-card?layer=title&params="
              f'[{{"name":"price","text":"${run}99"}}]')
    page.wait_for_selector("#preview[src]")
    page.locator("#preview").evaluate("img => img.decode()")
    took = time.perf_counter() - start
    context.close()
    return took


def variants_grid(chromium, url: str, run: int) -> float:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/studio/t/social-card")
    page.wait_for_selector("#preview[src]")
    page.fill("#variantsInput", rows_csv(run))
    start = time.perf_counter()
    page.click("#variantsRun")
    page.wait_for_selector(f"#variantsSummary[data-done='{ROWS}']", timeout=60000)
    took = time.perf_counter() - start
    assert page.locator("#variantsGrid img[src^='blob:']").count() == ROWS
    context.close()
    return took


def direct_previews(url: str, run: int, rows: int, width: int) -> float:
    start = time.perf_counter()
    for n in range(rows):
        answer = httpx.post(f"{url}/designs/social-card/preview?width={width}",
                            json={"params": [{"name": "price", "text": f"${n}{run}8"}]})
        answer.raise_for_status()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="1 run")
    args = parser.parse_args()
    runs = 1 if args.smoke else args.runs
    with tempfile.TemporaryDirectory() as tmp, served({
            "SVGRENDER_TEMPLATES_DIR": str(ROOT / "templates"),
            "SVGRENDER_STORAGE_DIR": tmp}) as url, browser() as chromium:
        weight, files = page_weight(url)
        first_preview(chromium, url, -1)  # warm: fonts, the template's first parse, Chromium
        firsts = [first_preview(chromium, url, run) for run in range(runs)]
        direct_one = [direct_previews(url, 100 + run, 1, 1200) for run in range(runs)]
        grids = [variants_grid(chromium, url, run) for run in range(runs)]
        direct_grid = [direct_previews(url, 200 + run, ROWS, 400) for run in range(runs)]
    first, one = statistics.median(firsts), statistics.median(direct_one)
    grid, serial = statistics.median(grids), statistics.median(direct_grid)
    print("| measure | studio | baseline | ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| page weight ({len(files) + 1} own files) | {weight / 1024:.1f} KB | – | – | "
          f"≤ 250 KB {'ok' if weight <= 250 * 1024 else 'OVER'} |")
    print(f"| first preview (deep link → decoded), p50 of {runs} | {first * 1000:.0f} ms | "
          f"{one * 1000:.0f} ms (one direct preview) | {first / one:.1f}× | "
          f"≤ 1000 ms {'ok' if first <= 1 else 'OVER'} |")
    print(f"| {ROWS}-row variants grid, p50 of {runs} | {grid * 1000:.0f} ms | "
          f"{serial * 1000:.0f} ms ({ROWS} direct previews in a row) | {grid / serial:.2f}× | "
          f"≤ 5000 ms {'ok' if grid <= 5 else 'OVER'} |")
    print(f"worst: first preview {max(firsts) * 1000:.0f} ms, grid {max(grids) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
