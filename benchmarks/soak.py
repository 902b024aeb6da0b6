"""Soak: mixed valid and hostile requests against a real server on loopback, then the verdict.

    python benchmarks/soak.py [--seconds 60] [--clients 4] [--no-recycling]

Stops by itself. Reports: responses by status, any 500 (must be 0), hostile requests that were
not refused (must be 0), and each worker's RSS after warm-up and at the end (within 20 %).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx  # noqa: E402

from run import start_server, worker_rss  # noqa: E402

HOSTILE = [
    {"params": [{"name": "image", "imageUrl": "http://169.254.169.254/latest/meta-data/"}]},
    {"params": [{"name": "image", "imageUrl": "file:///etc/passwd"}]},
    {"params": [{"name": "image", "imageUrl": "http://127.0.0.1:1/x.png"}]},
    {"params": [{"name": "title", "color": "rgb(" + " " * 50000}]},
    {"params": [{"name": "title", "text": "x" * 10001}]},
    {"params": [{"name": "nope", "text": "x"}]},
    {"scale": 40},
    {"format": "bmp"},  # (gif is a format now: an unknown one)
    b"{not json",
    b'{"params": [' * 1000,
]


def valid(n: int) -> dict:
    return {"format": random.choice(["jpeg", "png", "webp"]), "params": [
        {"name": "title", "text": f"Soak {n} " + "word " * random.randint(0, 30),
         "autoFit": True},
        {"name": "canvas", "backgroundColor": f"hsl({n % 360}, 60%, 40%)"}]}


async def drive(url: str, seconds: float, clients: int) -> tuple[Counter, int, int]:
    statuses: Counter = Counter()
    accepted_hostile = 0
    counter = 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(timeout=30) as client:
        async def loop():
            nonlocal counter, accepted_hostile
            while time.perf_counter() < deadline:
                counter += 1
                hostile = random.random() < 0.4
                body = random.choice(HOSTILE) if hostile else valid(counter)
                if isinstance(body, bytes):
                    response = await client.post(f"{url}/designs/social-card", content=body,
                                                 headers={"content-type": "application/json"})
                else:
                    response = await client.post(f"{url}/designs/social-card", json=body)
                statuses[response.status_code] += 1
                accepted_hostile += hostile and response.status_code < 400
        await asyncio.gather(*(loop() for _ in range(clients)))
    return statuses, accepted_hostile, counter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-recycling", action="store_true",
                        help="workers are never replaced (RSS must stay flat on its own)")
    args = parser.parse_args()
    env = {"SVGRENDER_WORKER_MAX_RENDERS": str(10**9),
           "SVGRENDER_WORKER_MAX_RSS_MB": str(10**6)} if args.no_recycling else {}
    with tempfile.TemporaryDirectory() as tmp:
        server, url = start_server(2, Path(tmp), **env)
        try:
            # Warm-up fills the caches that are meant to fill (fonts at every autoFit size, glyphs).
            asyncio.run(drive(url, min(20, args.seconds / 3), args.clients))
            warm = worker_rss(server)
            statuses, accepted, total = asyncio.run(drive(url, args.seconds, args.clients))
            end = worker_rss(server)
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"requests: {total} in {args.seconds:g} s with {args.clients} clients, 2 workers")
    print("responses by status:", dict(sorted(statuses.items())))
    print(f"500s: {statuses.get(500, 0)}   hostile requests not refused: {accepted}")
    growth = (end - warm) / warm * 100 if warm else 0.0
    print(f"largest worker RSS: {warm:.0f} MB after warm-up, {end:.0f} MB at the end "
          f"({growth:+.1f} %)")
    ok = statuses.get(500, 0) == 0 and accepted == 0 and abs(growth) <= 20
    print("verdict:", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
