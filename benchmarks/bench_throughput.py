"""HTTP answers per second of one render worker, and its RSS over a long run (issue 32).

    python benchmarks/bench_throughput.py                      # this checkout only
    python benchmarks/bench_throughput.py --before /work/main  # main's server too, alternating
    python benchmarks/bench_throughput.py --soak 5000          # worker RSS over 5,000 renders
    python benchmarks/bench_throughput.py --smoke              # a few renders, to see it runs

Each side is a real `svgrender serve` (SVGRENDER_WORKERS=1, local storage in a temporary
folder, a free loopback port) started from its own checkout with that checkout's Python
(`<checkout>/.venv/bin/python` when there is one). Clients POST
/v1/templates/social-card/images with a new title every time (the demo card; a JPEG answer:
the 1x image + 400 w + 800 w thumbnails, all stored), `--clients` at once, `--renders` per
round after a warm-up. Rounds alternate between the sides, so both see the same machine; the
figure of a side is the median of its rounds, and the ratio after/before is of the medians.

The soak keeps one worker for the whole run (recycling off) and reads its VmRSS from
/proc/<pid>/status after the warm-up and every 1,000 renders.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "social-card"


def _python(checkout: Path) -> str:
    venv = checkout / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`svgrender serve` from `checkout`, one render worker, until stop()."""

    def __init__(self, checkout: Path, storage: Path, **env: str):
        self.checkout = checkout
        port = _free_port()
        inherited = {k: v for k, v in os.environ.items()
                     if k != "PROMETHEUS_MULTIPROC_DIR" and not k.startswith("SVGRENDER_")}
        self.process = subprocess.Popen(
            [_python(checkout), "-m", "svgrender", "serve", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**inherited, "SVGRENDER_WORKERS": "1", "SVGRENDER_STORAGE_DIR": str(storage),
                 "SVGRENDER_TEMPLATES_DIR": str(checkout / "templates"),
                 "SVGRENDER_MAX_IN_FLIGHT_PER_CLIENT": "64", **env})
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"svgrender serve from {checkout} did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        """The render workers: the processes the server's forkserver forked (grandchildren);
        with workers forked directly, its children."""
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        children = [pid for pid, parent in parents.items() if parent == self.process.pid]
        grandchildren = [pid for pid, parent in parents.items() if parent in children]
        return grandchildren or children


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def drive(url: str, renders: int, clients: int, start: int) -> float:
    """`renders` answers with distinct titles from `clients` concurrent clients: answers/s."""
    counter = iter(range(start, start + renders))
    failures = []

    async def client_loop(client: httpx.AsyncClient) -> None:
        for n in counter:
            body = {"format": "jpeg", "params": [{"name": "title",
                                                  "text": f"Explore the coast, day {n}"}]}
            response = await client.post(f"{url}/v1/templates/{TEMPLATE}/images", json=body)
            if response.status_code != 201:
                failures.append((response.status_code, response.text[:200]))

    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))
    elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} renders failed, e.g. {failures[0]}")
    return renders / elapsed


def throughput(sides: dict[str, Path], renders: int, clients: int, rounds: int,
               warmup: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory() as tmp:
        servers = {name: Server(checkout, Path(tmp) / name) for name, checkout in sides.items()}
        try:
            serial = 0
            for name, server in servers.items():
                asyncio.run(drive(server.url, warmup, clients, serial))
                serial += warmup
            for round_ in range(rounds):
                order = list(servers) if round_ % 2 == 0 else list(reversed(servers))
                for name in order:
                    rate = asyncio.run(drive(servers[name].url, renders, clients, serial))
                    serial += renders
                    figures[name].append(rate)
                    print(f"round {round_ + 1} {name}: {rate:.1f} answers/s", flush=True)
        finally:
            for server in servers.values():
                server.stop()
    return figures


def soak(checkout: Path, renders: int, clients: int, warmup: int,
         every: int = 1000) -> list[tuple[int, float]]:
    """(renders done, worker RSS MB) after the warm-up and every `every` renders."""
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(checkout, Path(tmp) / "soak", SVGRENDER_WORKER_MAX_RENDERS="1000000000",
                        SVGRENDER_WORKER_MAX_RSS_MB="100000")
        try:
            asyncio.run(drive(server.url, warmup, clients, 0))
            pids = server.worker_pids()
            if len(pids) != 1:
                raise RuntimeError(f"expected one render worker, found {pids}")
            pid = pids[0]
            samples = [(0, rss_mb(pid))]
            print(f"worker {pid}: {samples[0][1]:.1f} MB after {warmup} warm-up renders",
                  flush=True)
            done = 0
            while done < renders:
                step = min(every, renders - done)
                asyncio.run(drive(server.url, step, clients, warmup + done))
                done += step
                if server.worker_pids() != [pid]:
                    raise RuntimeError("the worker was replaced during the soak")
                samples.append((done, rss_mb(pid)))
                print(f"  after {done} renders: {samples[-1][1]:.1f} MB", flush=True)
            return samples
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--after", type=Path, default=ROOT, help="checkout measured (default: "
                        "this one)")
    parser.add_argument("--before", type=Path, help="a baseline checkout (e.g. /work/main)")
    parser.add_argument("--renders", type=int, default=300, help="renders per round")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=4, help="rounds per side")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--soak", type=int, metavar="N", help="instead: worker RSS over N "
                        "renders (after a 200-render warm-up)")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.renders, args.rounds, args.warmup = 20, 1, 5
        if args.soak:
            args.soak = 40
    if args.soak:
        sides = {"before": args.before, "after": args.after} if args.before else {
            "after": args.after}
        for name, checkout in sides.items():
            warmup = 5 if args.smoke else 200
            samples = soak(checkout, args.soak, args.clients, warmup,
                           every=20 if args.smoke else 1000)
            first, last = samples[0][1], samples[-1][1]
            peak = max(rss for _, rss in samples)
            print(f"{name} ({checkout}): worker RSS {first:.1f} MB after warm-up, "
                  f"{last:.1f} MB after {samples[-1][0]} renders ({(last / first - 1) * 100:+.1f} "
                  f"%), peak {peak:.1f} MB ({(peak / first - 1) * 100:+.1f} %)")
        return
    sides = {"before": args.before, "after": args.after} if args.before else {"after": args.after}
    figures = throughput(sides, args.renders, args.clients, args.rounds, args.warmup)
    medians = {name: statistics.median(rates) for name, rates in figures.items()}
    print(f"\n{args.clients} clients, {args.renders} renders a round, {args.rounds} rounds a "
          "side, one worker")
    for name, rates in figures.items():
        print(f"{name:>7} ({sides[name]}): median {medians[name]:.1f} answers/s "
              f"(rounds: {', '.join(f'{r:.1f}' for r in rates)})")
    if args.before:
        print(f"after / before: {medians['after'] / medians['before']:.2f}x")


if __name__ == "__main__":
    main()
