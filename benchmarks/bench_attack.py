"""Four attacking clients (each with its own API key) sending the worst cheap-but-slow request we
know — 10,000 characters of auto-fitted text at scale 4 — next to one normal client rendering the
social card: the normal client's p95 against its unloaded p95, same run (target ≤ 3×).

    python benchmarks/bench_attack.py [--seconds 15] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from live import start_server  # noqa: E402

ATTACK = {"format": "png", "scale": 4, "params": [
    {"name": "title", "text": ("word " * 2000)[:10000], "autoFit": True, "minFontSize": 1,
     "box": {"x": 0, "y": 0, "width": 1, "height": 1}}]}
KEYS = ["normal-key"] + [f"attacker-{n}" for n in range(4)]


def normal_latencies(url: str, seconds: float, stop: threading.Event | None = None) -> list:
    out, n = [], 0
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=60, headers={"Authorization": "Bearer normal-key"}) as client:
        while time.monotonic() < deadline:
            n += 1
            body = {"params": [{"name": "title", "text": f"Normal {n} {time.time_ns()}"}]}
            start = time.perf_counter()
            answer = client.post(f"{url}/designs/social-card", json=body)
            out.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 201, answer.text
    return out


def attacker(url: str, key: str, stop: threading.Event, counts: dict) -> None:
    with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {key}"}) as client:
        n = 0
        while not stop.is_set():
            n += 1
            body = {**ATTACK, "metadata": f"{key}-{n}"}
            body["params"] = [{**ATTACK["params"][0], "text": f"{n} " + ATTACK["params"][0]["text"][:9990]}]
            status = client.post(f"{url}/designs/social-card", json=body).status_code
            counts[status] = counts.get(status, 0) + 1


def p95(values: list) -> float:
    return statistics.quantiles(values, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, url = start_server({
            "SVGRENDER_WORKERS": str(args.workers), "SVGRENDER_TEMPLATES_DIR": str(ROOT / "templates"),
            "SVGRENDER_STORAGE_DIR": tmp, "SVGRENDER_API_KEYS": ",".join(KEYS)})
        try:
            normal_latencies(url, 2)  # warm
            alone = normal_latencies(url, args.seconds)
            stop, counts = threading.Event(), {}
            attackers = [threading.Thread(target=attacker, args=(url, key, stop, counts))
                         for key in KEYS[1:]]
            for thread in attackers:
                thread.start()
            time.sleep(1)
            loaded = normal_latencies(url, args.seconds)
            stop.set()
            for thread in attackers:
                thread.join(60)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"# attack: 4 clients × (10,000 chars, autoFit, scale 4) beside 1 normal client, "
          f"{args.workers} render workers\n")
    print(f"normal client alone:      p50 {statistics.median(alone):.1f} ms, p95 {p95(alone):.1f} ms "
          f"({len(alone)} renders)")
    print(f"normal client, attacked:  p50 {statistics.median(loaded):.1f} ms, p95 {p95(loaded):.1f} ms "
          f"({len(loaded)} renders)")
    print(f"attackers' answers by status: {dict(sorted(counts.items()))}")
    print(f"p95 attacked / alone: {p95(loaded) / p95(alone):.2f}× (target ≤ 3×)")


if __name__ == "__main__":
    main()
