"""Batch throughput on Dramatiq + Redis: the same social-card CSV (distinct titles, so nothing is a
cache hit) through one `svgrender worker` process, then two; rows/s, the ratio, worker RSS.

    python benchmarks/bench_batch.py [--rows 1000] [--smoke]

Starts Debian's redis-server on a free loopback port itself.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from starlette.testclient import TestClient  # noqa: E402

from svgrender.api.app import create_app  # noqa: E402
from svgrender.draw import seams  # noqa: E402
from svgrender.settings import Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(rows: int, processes: int, redis_url: str, storage: Path) -> dict:
    settings = replace(Settings(templates_dir=ROOT / "templates"), redis_url=redis_url,
                       storage_dir=storage, workers=0)
    env = {**os.environ, "SVGRENDER_REDIS_URL": redis_url, "SVGRENDER_STORAGE_DIR": str(storage),
           "SVGRENDER_TEMPLATES_DIR": str(ROOT / "templates")}
    workers = [subprocess.Popen([sys.executable, "-m", "svgrender", "worker"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(processes)]
    csv = "title.text,canvas.backgroundColor\n" + "".join(
        f"Row {n} of the benchmark ({processes}),#223344\n" for n in range(rows))
    rss = {w.pid: [] for w in workers}
    try:
        time.sleep(1.5)  # workers connected
        with TestClient(create_app(settings)) as client:
            start = time.perf_counter()
            batch = client.post("/batches/social-card", content=csv).json()
            while True:
                status = client.get(batch["statusUrl"]).json()
                for pid in rss:
                    rss[pid].append(rss_mb(pid))
                if status["state"] != "running":
                    break
                time.sleep(0.25)
            seconds = time.perf_counter() - start
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    samples = [s for series in rss.values() for s in series if s]
    early = [series[len(series) // 5] for series in rss.values() if series]
    return {"rows": rows, "done": status["done"], "failed": status["failed"],
            "seconds": seconds, "rps": status["done"] / seconds,
            "rss_fifth": max(early, default=0.0), "rss_end": max(
                (series[-1] for series in rss.values() if series), default=0.0),
            "rss_peak": max(samples, default=0.0)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--smoke", action="store_true", help="40 rows, to check it runs")
    args = parser.parse_args()
    rows = 40 if args.smoke else args.rows
    seams.install()
    server = shutil.which("redis-server")
    if server is None:
        sys.exit("needs Debian's redis-server (apt-get install redis-server)")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        redis = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save",
                                  "", "--appendonly", "no", "--dir", tmp],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            url = f"redis://127.0.0.1:{port}/0"
            one = run(rows, 1, url, Path(tmp) / "one")
            two = run(rows, 2, url, Path(tmp) / "two")
        finally:
            redis.terminate()
            redis.wait()
    print(f"# batch: {rows} social-card rows (JPEG) through Dramatiq on Redis, "
          f"{os.cpu_count()} cores\n")
    print("| worker processes | rows done | failed | seconds | rows/s | worker RSS at 1/5 → end "
          "(peak) MB |")
    print("|---|---|---|---|---|---|")
    for count, row in ((1, one), (2, two)):
        print(f"| {count} | {row['done']} | {row['failed']} | {row['seconds']:.1f} | "
              f"{row['rps']:.1f} | {row['rss_fifth']:.0f} → {row['rss_end']:.0f} "
              f"({row['rss_peak']:.0f}) |")
    print(f"\ntwo workers / one: {two['rps'] / one['rps']:.2f}× (target ≥ 1.8× on 2 cores)")


if __name__ == "__main__":
    main()
