"""Social card with a 2000×1500 JPEG by URL: cold (download + decode) vs warm (cached), same run.

    python benchmarks/bench_images.py [--runs N]

A loopback HTTP server serves the photo; the fetcher is opted in to 127.0.0.2 only.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from imageserver import ImageServer  # noqa: E402
from svgrender import render as pipeline  # noqa: E402
from svgrender.draw import seams  # noqa: E402
from svgrender.io.loaders import ImageFetcher  # noqa: E402
from svgrender.params import LayerParam, RenderRequest  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.templates.store import TemplateStore  # noqa: E402


def big_photo() -> bytes:
    image = Image.new("RGB", (2000, 1500))
    draw = ImageDraw.Draw(image)
    for y in range(0, 1500, 4):
        draw.line([(0, y), (2000, y)], fill=(y % 256, (y * 3) % 256, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def main() -> None:
    seams.install()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    photo = big_photo()
    routes = {"/big.jpg": (200, "image/jpeg", photo, {})}
    with tempfile.TemporaryDirectory() as tmp, ImageServer("127.0.0.2", routes) as server:
        settings = replace(Settings(templates_dir=ROOT / "templates"),
                           allow_private_networks=("127.0.0.2/32",))
        template = TemplateStore(settings.templates_dir, Settings()).get("social-card")
        request = RenderRequest(format="jpeg", params=[
            LayerParam(name="image", image_url=server.url("/big.jpg"))])

        def one(fetcher: ImageFetcher) -> float:
            start = time.perf_counter()
            images = asyncio.run(fetcher.load_request(request.params, settings))
            pipeline.render(template, request, settings, images)
            return time.perf_counter() - start

        cold, warm, requests = [], [], 0
        for run in range(args.runs):
            # A fresh fetcher and cache folder: nothing cached, as on a first request.
            fetcher = ImageFetcher(replace(settings, cache_dir=Path(tmp) / f"cold{run}"))
            cold.append(one(fetcher))
            before = fetcher.network_requests
            warm.append(one(fetcher))
            requests += fetcher.network_requests - before
    cold_ms = sorted(cold)[len(cold) // 2] * 1000
    warm_ms = sorted(warm)[len(warm) // 2] * 1000
    print(f"{'case':<40} {'median ms':>10}")
    print(f"{'cold: download + decode + 3 renders':<40} {cold_ms:>10.1f}")
    print(f"{'warm: cached pixels + 3 renders':<40} {warm_ms:>10.1f}")
    print(f"warm is {cold_ms / warm_ms:.1f}× faster than cold; network requests while warm: "
          f"{requests}")


if __name__ == "__main__":
    main()
