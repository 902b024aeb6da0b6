"""The benchmark: svgrender against naive CairoSVG and warm headless Chromium, same run.

    python benchmarks/run.py            # full run (~4 min), writes benchmarks/results/latest.md
    python benchmarks/run.py --smoke    # ~10 s version (CI runs it so the harness cannot rot)

Figures are medians of CPU or wall time on this machine; compare them as ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402

from svgrender import render as pipeline  # noqa: E402
from svgrender.apply import apply_params  # noqa: E402
from svgrender.params import LayerParam, RenderRequest  # noqa: E402
from svgrender.draw import seams  # noqa: E402
from svgrender.draw.surfaces import Drawing  # noqa: E402
from svgrender.draw.svg_output import write_svg  # noqa: E402
from svgrender.links import signed_url  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.templates.model import load_template  # noqa: E402
from svgrender.templates.store import TemplateStore  # noqa: E402

TEMPLATES = ["social-card", "figma-export", "certificate"]
PARAMS = {"social-card": [{"name": "title", "text": "Explore New Zealand"}],
          "figma-export": [{"name": "headline", "text": "Weekend in\nKyoto"}],
          "certificate": [{"name": "recipient", "text": "Grace Hopper"}]}


def median_ms(fn, runs: int, clock=time.process_time) -> float:
    times = []
    for _ in range(runs):
        start = clock()
        fn()
        times.append((clock() - start) * 1000)
    return statistics.median(times)


def params_for(template_id: str, n: int = 0) -> list[LayerParam]:
    params = [LayerParam(**p) for p in PARAMS[template_id]]
    if n:
        params[0] = LayerParam(name=params[0].name, text=f"{params[0].text} {n}")
    return params


def standalone_svg(template, request, settings) -> bytes:
    """The applied template as the self-contained SVG a hand-rolled service would draw."""
    tree = apply_params(template, request.params, settings)
    return write_svg(Drawing(tree, None, template.images), None)


def naive_ms(store, settings, runs: int) -> dict[str, float]:
    """What a hand-rolled service does: cairosvg.svg2png on the applied SVG at the three sizes.
    Measured in a separate process that never imports svgrender (whose seams patch CairoSVG)."""
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for template_id in TEMPLATES:
            template = store.get(template_id)
            request = RenderRequest(params=params_for(template_id), format="jpeg")
            svg = standalone_svg(template, request, settings)
            path = Path(tmp) / f"{template_id}.svg"
            path.write_bytes(svg)
            thumb_h = round(settings.thumb_width * template.height / template.width)
            files.append([str(path), [[template.width, template.height],
                                      [settings.thumb_width, thumb_h],
                                      [settings.thumb_width * 2, thumb_h * 2]]])
        job = json.dumps({"mode": "time", "files": files, "runs": runs})
        result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "plain_cairosvg.py")],
                                input=job, capture_output=True, text=True, check=True)
        timings = json.loads(result.stdout)
    return {Path(path).stem: ms for path, ms in timings.items()}


def in_process(store, settings, runs: int) -> dict:
    """Full answers with the static-layer cache off (every layer drawn: the "cache cold"
    figure), then with it on: a changed title each time (static layers reused) and, on the
    social card, a changed background each time (nothing static to reuse)."""
    rows = {}
    naive = naive_ms(store, settings, runs)
    full = replace(settings, static_layer_cache_bytes=0)
    for template_id in TEMPLATES:
        template = store.get(template_id)
        request = RenderRequest(params=params_for(template_id), format="jpeg")
        row = {"naive": naive[template_id]}
        path = settings.templates_dir / f"{template_id}.svg"
        data = path.read_bytes()
        start = time.process_time()
        cold_template = load_template(template_id, data, Settings())
        pipeline.render(cold_template, request, full)
        row["cold"] = (time.process_time() - start) * 1000
        for fmt in ("jpeg", "png"):
            req = RenderRequest(params=params_for(template_id), format=fmt)
            row[fmt] = median_ms(lambda: pipeline.render(template, req, full), runs)
        counter = iter(range(1, 10**6))
        row["title"] = median_ms(lambda: pipeline.render(template, RenderRequest(
            params=params_for(template_id, next(counter)), format="jpeg"), settings), runs)
        if template_id == "social-card":
            row["background"] = median_ms(lambda: pipeline.render(template, RenderRequest(
                params=[LayerParam(name="canvas", background_color=f"#{next(counter):06x}")],
                format="jpeg"), settings), runs)
        row["stages"] = stages(template, request, full)
        rows[template_id] = row
    return rows


STAGES = [("apply", "apply.py", "apply_params"), ("parse", "surfaces.py", "parse_for_cairo"),
          ("text", "text_layers.py", "draw_text"), ("filters", "filters.py", "apply_filter"),
          ("images", "drawers.py", "draw_image"), ("encode", "encode.py", "encode_jpeg")]


def stages(template, request, settings) -> dict:
    """Where a full answer's time goes, as shares of the profiled total (cProfile inflates
    Python-heavy stages a little; the shares are what to compare)."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(5):
        pipeline.render(template, request, settings)
    profile.disable()
    stats = pstats.Stats(profile).stats
    total = sum(v[3] for k, v in stats.items() if k[2] == "render" and k[0].endswith("render.py"))
    shares = {}
    for name, module, function in STAGES:
        cumulative = sum(v[3] for k, v in stats.items()
                         if k[2] == function and k[0].endswith(module))
        shares[name] = cumulative / total if total else 0.0
    shares["draw (rest)"] = max(0.0, 1 - sum(shares.values()))
    return shares


def linear_variant(settings, runs: int) -> dict:
    """The social card with its shadow filter in the default linearRGB (no
    color-interpolation-filters="sRGB"), against the sRGB card, same run (every layer drawn)."""
    settings = replace(settings, static_layer_cache_bytes=0)
    data = (settings.templates_dir / "social-card.svg").read_bytes()
    srgb = load_template("social-card", data, settings)
    linear = load_template("social-card-linear", data.replace(
        b' color-interpolation-filters="sRGB"', b""), settings)
    request = RenderRequest(params=params_for("social-card"), format="jpeg")
    return {name: median_ms(lambda t=template: pipeline.render(t, request, settings), runs)
            for name, template in (("srgb", srgb), ("linear", linear))}


def chromium(store, settings, runs: int) -> dict | None:
    """Warm headless Chromium screenshots (Playwright driving Debian's /usr/bin/chromium)."""
    if not Path("/usr/bin/chromium").exists():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    rows = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"])
        for template_id in TEMPLATES:
            template = store.get(template_id)
            request = RenderRequest(params=params_for(template_id))
            svg = standalone_svg(template, request, settings)
            html = ("<html><body style='margin:0'>" + svg.decode() + "</body></html>")
            row = {}
            for scale in (1, 2):
                page = browser.new_page(viewport={"width": template.width,
                                                  "height": template.height},
                                        device_scale_factor=scale)
                page.set_content(html)
                page.screenshot(type="jpeg")  # warm

                def shot():
                    page.set_content(html)
                    page.screenshot(type="jpeg", quality=90)
                row[f"{scale}x"] = median_ms(shot, runs, clock=time.perf_counter)
                page.close()
            rows[template_id] = row
        browser.close()
    return rows


LINK_KEY = "benchmark-link-key"


def link_hits(url: str, hits: int = 300) -> dict:
    """A signed render link: the first GET renders, the rest are served from storage."""
    link = signed_url(url, LINK_KEY, "/links/social-card.jpeg",
                      [("title.text", "A cached link"), ("canvas.backgroundColor", "#223344")])
    times = []
    with httpx.Client(timeout=30) as client:  # keep-alive, as a CDN's origin pull would
        assert client.get(link).status_code == 200
        for _ in range(hits):
            start = time.perf_counter()
            answer = client.get(link)
            times.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200
    q = statistics.quantiles(times, n=100)
    return {"p50": q[49], "p95": q[94]}


def scraped_draws(url: str) -> dict:
    """/metrics after the load: renders drawn, as counted inside the worker processes."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    draws = sum(float(v) for v in re.findall(
        r'svgrender_render_seconds_count\{stage="draw",template="[^"]+"\} ([0-9.]+)', text))
    answered = sum(float(v) for v in re.findall(
        r'svgrender_http_requests_total\{method="POST",route="/designs/{template_id}",status="201"\} '
        r'([0-9.]+)', text))
    return {"draws": draws, "answered": answered}


def start_server(workers: int, storage: Path, **env: str) -> tuple[subprocess.Popen, str]:
    from live import start_server as serve  # tests/live.py: the same start-up the tests use

    return serve({"SVGRENDER_WORKERS": str(workers), "SVGRENDER_STORAGE_DIR": str(storage),
                  "SVGRENDER_TEMPLATES_DIR": str(ROOT / "templates"),
                  "SVGRENDER_MAX_QUEUE": "64", "SVGRENDER_LINK_KEYS": LINK_KEY, **env})


async def load(url: str, clients: int, seconds: float, counter: list) -> tuple[list, int]:
    """`clients` concurrent loops of distinct renders for `seconds` (bounded: stops by itself)."""
    latencies, errors = [], 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(timeout=30) as client:
        async def loop():
            nonlocal errors
            while time.perf_counter() < deadline:
                counter[0] += 1
                body = {"params": [{"name": "title", "text": f"Load {counter[0]}"}]}
                start = time.perf_counter()
                response = await client.post(f"{url}/designs/social-card", json=body)
                latencies.append((time.perf_counter() - start) * 1000)
                errors += response.status_code != 201
        await asyncio.gather(*(loop() for _ in range(clients)))
    return latencies, errors


def worker_rss(server: subprocess.Popen) -> float:
    """Largest RSS (MB) among the server's worker processes (its forkserver's children)."""
    try:
        out = subprocess.run(["ps", "-eo", "pid,ppid,rss,args"], capture_output=True, text=True).stdout
    except OSError:
        return 0.0
    rows = [line.split(None, 3) for line in out.splitlines()[1:]]
    children = {r[0] for r in rows if r[1] == str(server.pid)}
    grandchildren = [float(r[2]) / 1024 for r in rows if r[1] in children]
    return max(grandchildren, default=0.0)


def http(seconds: float, worker_counts, client_counts) -> dict:
    rows = {}
    counter = [0]
    with tempfile.TemporaryDirectory() as tmp:
        for workers in worker_counts:
            server, url = start_server(workers, Path(tmp) / f"w{workers}")
            try:
                asyncio.run(load(url, workers, 2, counter))  # warm every worker
                sequential, _ = asyncio.run(load(url, 1, seconds, counter))
                quantiles = statistics.quantiles(sequential, n=100)
                rows[(workers, "seq")] = {"p50": quantiles[49], "p95": quantiles[94],
                                          "p99": quantiles[98]}
                for clients in client_counts:
                    latencies, errors = asyncio.run(load(url, clients, seconds, counter))
                    q = statistics.quantiles(latencies, n=100)
                    rows[(workers, clients)] = {"rps": len(latencies) / seconds,
                                                "p50": q[49], "p99": q[98], "errors": errors}
                # The result cache: the same request again.
                body = {"params": [{"name": "title", "text": "cached"}]}
                hits = []
                with httpx.Client(timeout=30) as client:  # keep-alive, as a real client would
                    client.post(f"{url}/designs/social-card", json=body)
                    for _ in range(20):
                        start = time.perf_counter()
                        client.post(f"{url}/designs/social-card", json=body)
                        hits.append((time.perf_counter() - start) * 1000)
                rows[(workers, "cache")] = {"p50": statistics.median(hits)}
                rows[(workers, "link")] = link_hits(url)
                rows[(workers, "metrics")] = scraped_draws(url)
                rows[(workers, "rss")] = {"mb": worker_rss(server)}
            finally:
                server.terminate()
                server.wait(timeout=20)
    return rows


def report(proc, chrome, net, smoke: bool, linear: dict | None = None) -> str:
    lines = [f"# svgrender benchmark — {datetime.date.today()} ({platform.machine()}, "
             f"{os.cpu_count()} cores){' — SMOKE RUN' if smoke else ''}", "",
             "## One full answer (image + thumbnail + retina thumbnail), in process, CPU ms", "",
             "| template | plain cairosvg ×3 | svgrender cold | svgrender warm JPEG | warm PNG "
             "| naive / warm | Chromium 1x | Chromium 2x | Chromium 1x / svgrender |",
             "|---|---|---|---|---|---|---|---|---|"]
    for template_id, row in proc.items():
        c = (chrome or {}).get(template_id, {})
        c1 = f"{c['1x']:.1f}" if c else "n/a"
        c2 = f"{c['2x']:.1f}" if c else "n/a"
        ratio = f"{c['1x'] / row['jpeg']:.1f}×" if c else "n/a"
        lines.append(f"| {template_id} | {row['naive']:.1f} | {row['cold']:.1f} | "
                     f"{row['jpeg']:.1f} | {row['png']:.1f} | {row['naive'] / row['jpeg']:.1f}× | "
                     f"{c1} | {c2} | {ratio} |")
    lines += ["", "Chromium figures are wall-clock ms for one screenshot of the same SVG "
              "(warm browser, set_content + JPEG screenshot); svgrender's are CPU ms for three "
              "images, every layer drawn (static-layer cache off).", "",
              "### With the static-layer cache (CPU ms, JPEG, one full answer)", "",
              "| template | every layer drawn | title changed (static layers reused) | "
              "background changed | reused / drawn |", "|---|---|---|---|---|"]
    for template_id, row in proc.items():
        background = f"{row['background']:.1f}" if "background" in row else "—"
        lines.append(f"| {template_id} | {row['jpeg']:.1f} | {row['title']:.1f} | "
                     f"{background} | {row['title'] / row['jpeg']:.2f}× |")
    lines += ["", "### Where a full answer's time goes (share of the profiled render)", "",
              "| template | " + " | ".join(s for s in next(iter(proc.values()))["stages"])
              + " |", "|---|" + "---|" * len(next(iter(proc.values()))["stages"])]
    for template_id, row in proc.items():
        lines.append(f"| {template_id} | " + " | ".join(
            f"{share:.0%}" for share in row["stages"].values()) + " |")
    lines.append("")
    if linear:
        lines += [f"- social card with a linearRGB shadow: {linear['linear']:.1f} ms warm JPEG, "
                  f"{linear['linear'] / linear['srgb']:.2f}× the sRGB card's {linear['srgb']:.1f}"
                  " ms (target ≤ 1.25×)", ""]
    if net:
        lines += ["## Over HTTP (social card, distinct titles so nothing is cached)", "",
                  "| workers | clients | answers/s | p50 ms | p99 ms | p99/p50 | errors |",
                  "|---|---|---|---|---|---|---|"]
        for (workers, kind), row in net.items():
            if isinstance(kind, int):
                lines.append(f"| {workers} | {kind} | {row['rps']:.1f} | {row['p50']:.1f} | "
                             f"{row['p99']:.1f} | {row['p99'] / row['p50']:.2f} | "
                             f"{row['errors']} |")
        lines.append("")
        for (workers, kind), row in net.items():
            if kind == "seq":
                lines.append(f"- {workers} worker(s), sequential latency: p50 {row['p50']:.1f} ms, "
                             f"p95 {row['p95']:.1f} ms, p99 {row['p99']:.1f} ms")
            elif kind == "cache":
                lines.append(f"- {workers} worker(s), cache hit (same request again): p50 "
                             f"{row['p50']:.1f} ms")
            elif kind == "link":
                seq = net[(workers, "seq")]["p50"]
                lines.append(f"- {workers} worker(s), cached render link (GET, keep-alive): p50 "
                             f"{row['p50']:.2f} ms, p95 {row['p95']:.2f} ms — "
                             f"{seq / row['p50']:.0f}× faster than a render's p50 "
                             f"(target: p50 ≤ 2 ms)")
            elif kind == "metrics":
                lines.append(f"- {workers} worker(s), /metrics after the run: {row['draws']:.0f} "
                             f"draws observed in worker processes, {row['answered']:.0f} renders "
                             "answered 201 (the difference: cache hits)")
            elif kind == "rss":
                lines.append(f"- {workers} worker(s), largest worker RSS after the run: "
                             f"{row['mb']:.0f} MB")
        counts = sorted({w for (w, _) in net})
        best = {w: max(r["rps"] for (ww, k), r in net.items() if ww == w and isinstance(k, int))
                for w in counts}
        if len(counts) > 1:
            lines.append(f"- scaling: {counts[-1]} workers give "
                         f"{best[counts[-1]] / best[counts[0]]:.2f}× the answers/s of "
                         f"{counts[0]}")
    lines.append(f"\nbenchmark process peak RSS: "
                 f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="~10 s run, nothing written")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    seams.install()
    settings = Settings(templates_dir=ROOT / "templates")
    store = TemplateStore(settings.templates_dir, settings)
    runs = 3 if args.smoke else 15
    proc = in_process(store, settings, runs)
    chrome = None if args.smoke else chromium(store, settings, 10)
    if args.smoke:
        net = http(1.0, [1], [2])
    else:
        net = http(args.seconds, [1, 2], [1, 2, 4])
    text = report(proc, chrome, net, args.smoke, linear_variant(settings, runs))
    print(text)
    if not args.smoke:
        (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
        (ROOT / "benchmarks" / "results" / "latest.md").write_text(text)


if __name__ == "__main__":
    main()
