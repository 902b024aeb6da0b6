"""The attacks of issue 27 together, beside one normal client rendering the demo card, against a
really started `svgrender serve` with its default connection limits:

- 2,500 idle sockets that never finish a request head (kept at 2,500: a closed one is reopened),
  from ten loopback addresses (127.0.0.2 …, all of 127/8 is this machine);
- slow body senders: POST renders whose body comes a byte a second;
- a webhook receiver answering a byte a second, sent a one-row batch every 2 s;
- 40 spellings of one API key rendering at once;
- /metrics asked with invented method names, as fast as one client can;
- big CSV batches: 100,000 rows (over the per-key cap), then 10,000 rows every 5 s.

The normal client and the /healthz probe run in a process of their own (`--measure`), as a
real client and a balancer would: in the attackers' process their timings also counted the
waits for that process's GIL among ~50 busy attacker threads (`--same-process` measures as
before, for comparison with older figures).

Prints, from one run: the normal client's p95 alone and attacked (goal ≤ 3×), /healthz p95 on a
new connection each time (goal < 200 ms), the API process's RSS growth (goal < 150 MB), and the
answers with a 5xx other than 503 + Retry-After (goal 0).

    python benchmarks/bench_attacks.py [--seconds 20] [--workers 2] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import resource
import selectors
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from faultservers import RudeServer  # noqa: E402
from live import start_server  # noqa: E402

NORMAL, SPELLED, SLOW, HOOKS, CSV_KEY, METRICS = (
    "normal-key", "spelled-key", "slow-key", "hook-key", "csv-key", "metrics-key")
SPELLINGS = [f"{scheme}{space}{SPELLED}" for scheme in ("Bearer", "bearer", "BEARER", "bEaReR",
                                                       "BeArEr", "beaRER", "BEArer", "bearER")
             for space in (" ", "  ", "\t", " \t", "   ")]  # 40
ATTACKS = ("idle", "slow", "webhook", "metrics", "csv", "spellings")


class Tally:
    """Every answer the attackers and the normal client got: status, and Retry-After on a 503."""

    def __init__(self):
        self.lock, self.counts = threading.Lock(), Counter()

    def add(self, attack: str, status: int, retry_after: bool = False) -> None:
        bad = status >= 500 and not (status == 503 and retry_after)
        with self.lock:
            self.counts[(attack, status, bad)] += 1

    def response(self, attack: str, answer: httpx.Response) -> None:
        self.add(attack, answer.status_code, "retry-after" in answer.headers)

    def raw(self, attack: str, data: bytes) -> None:
        """An answer read from a raw socket (the first line and the headers)."""
        if data.startswith(b"HTTP/1.1 "):
            head = data.split(b"\r\n\r\n", 1)[0].lower()
            self.add(attack, int(data[9:12]), b"\r\nretry-after:" in head)

    def bad(self) -> int:
        return sum(n for (_, _, bad), n in self.counts.items() if bad)


def p95(values: list) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def normal_client(url: str, seconds: float, tally: Tally) -> list[float]:
    """Renders of the demo card, one at a time on a kept-alive connection (ms each)."""
    out, n = [], 0
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {NORMAL}"}) as client:
        while time.monotonic() < deadline:
            n += 1
            body = {"params": [{"name": "title", "text": f"Normal {n} {time.time_ns()}"}]}
            start = time.perf_counter()
            answer = client.post(f"{url}/designs/social-card", json=body)
            out.append((time.perf_counter() - start) * 1000)
            tally.response("normal", answer)
    return out


def health_probe(port: int, stop: threading.Event, out: list, tally: Tally) -> None:
    """GET /healthz on a new connection every 100 ms (as a balancer does): ms each."""
    while not stop.is_set():
        start = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
            tally.raw("healthz", data)
            out.append((time.perf_counter() - start) * 1000)
        except OSError:
            tally.add("healthz", 599)  # no answer at all: counted as a bad 5xx
        stop.wait(0.1)


def idle_sockets(port: int, count: int, sources: int, stop: threading.Event, tally: Tally,
                 opened: list) -> None:
    """`count` sockets that never finish their head, from `sources` loopback addresses; each one
    the server closes is reopened at once."""
    sources = [f"127.0.0.{n}" for n in range(2, 2 + sources)]
    selector = selectors.DefaultSelector()

    def open_one(n: int) -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5,
                                            source_address=(sources[n % len(sources)], 0))
            if n % 2:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: idle\r\n")
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, n)
            opened[0] += 1
        except OSError:
            pass

    for n in range(count):
        open_one(n)
    while not stop.is_set():
        for key, _ in selector.select(timeout=0.2):
            try:
                tally.raw("idle socket", key.fileobj.recv(65536))
            except OSError:
                pass
            selector.unregister(key.fileobj)
            key.fileobj.close()
            open_one(key.data)
    for key in list(selector.get_map().values()):
        key.fileobj.close()


def slow_bodies(port: int, count: int, stop: threading.Event, tally: Tally) -> None:
    """Renders whose 100 kB body arrives a byte a second; each one answered is started again."""
    head = (f"POST /designs/social-card HTTP/1.1\r\nHost: slow\r\nAuthorization: Bearer {SLOW}"
            "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n").encode()

    def open_one(n: int) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5,
                                            source_address=(f"127.0.1.{1 + n % 2}", 0))
            sock.sendall(head + b'{"params": [')
            sock.setblocking(False)
            return sock
        except OSError:
            return None

    socks = [open_one(n) for n in range(count)]
    while not stop.wait(1.0):
        for n, sock in enumerate(socks):
            try:
                data = sock.recv(65536) if sock else b""
                tally.raw("slow body", data)
                if sock:
                    sock.close()
                socks[n] = open_one(n)  # answered or closed: a new one
            except BlockingIOError:
                try:
                    sock.send(b" ")
                except OSError:
                    sock.close()
                    socks[n] = open_one(n)
            except OSError:
                sock.close()
                socks[n] = open_one(n)
    for sock in socks:
        if sock:
            sock.close()


def slow_webhooks(url: str, receiver: RudeServer, stop: threading.Event, tally: Tally) -> None:
    with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {HOOKS}"}) as client:
        while not stop.wait(2.0):
            tally.response("slow webhook", client.post(
                f"{url}/batches/certificate", content="recipient.text\nHook\n",
                params={"webhookUrl": receiver.url}, headers={"Content-Type": "text/csv"}))


def key_spellings(url: str, spelling: str, stop: threading.Event, tally: Tally) -> None:
    with httpx.Client(timeout=60, headers={"Authorization": spelling}) as client:
        n = 0
        while not stop.is_set():
            n += 1
            answer = client.post(f"{url}/designs/social-card", json={
                "params": [{"name": "title", "text": f"{spelling!r} {n}"}]})
            tally.response("key spellings", answer)
            if answer.status_code == 429:
                stop.wait(0.05)


def metrics_methods(url: str, stop: threading.Event, tally: Tally) -> None:
    with httpx.Client(timeout=60) as client:
        n = 0
        while not stop.is_set():
            n += 1
            auth = {"Authorization": f"Bearer {METRICS}"} if n % 2 else {}
            tally.response("metrics methods", client.request(f"X{n}SPAM", f"{url}/metrics",
                                                             headers=auth))


def big_csvs(url: str, big: int, each: int, stop: threading.Event, tally: Tally) -> None:
    def csv(rows: int) -> str:
        return "recipient.text\n" + "".join(f"Attendee {n}\n" for n in range(rows))

    with httpx.Client(timeout=120, headers={"Authorization": f"Bearer {CSV_KEY}",
                                            "Content-Type": "text/csv"}) as client:
        tally.response("big csv", client.post(f"{url}/batches/certificate", content=csv(big)))
        while not stop.wait(5.0):
            tally.response("big csv", client.post(f"{url}/batches/certificate",
                                                  content=csv(each)))


def measure(url: str, seconds: float) -> dict:
    """The normal client for `seconds` and the /healthz probe beside it, in this process."""
    tally, health, stop = Tally(), [], threading.Event()
    port = int(url.rsplit(":", 1)[1])
    probe = threading.Thread(target=health_probe, args=(port, stop, health, tally))
    probe.start()
    normal = normal_client(url, seconds, tally)
    stop.set()
    probe.join()
    return {"normal": normal, "health": health,
            "counts": [[attack, status, bad, n] for (attack, status, bad), n in
                       tally.counts.items()]}


def measured_apart(url: str, seconds: float, tally: Tally,
                   probes: bool = True) -> tuple[list, list]:
    """measure() in a process of its own (not among the attacker threads): (normal, health).
    Its answers are added to `tally` (the probe's only if `probes`, as in the same process)."""
    done = subprocess.run([sys.executable, __file__, "--measure", url, "--seconds", str(seconds)],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    with tally.lock:
        for attack, status, bad, n in result["counts"]:
            if attack != "healthz" or probes:
                tally.counts[(attack, status, bad)] += n
    return result["normal"], result["health"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used, all its threads (not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--idle", type=int, default=2500)
    parser.add_argument("--idle-sources", type=int, default=10,
                        help="loopback addresses the idle sockets come from")
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--csv-rows", type=int, default=100_000,
                        help="rows of the first big CSV (then a tenth of it every 5 s)")
    parser.add_argument("--attacks", default=",".join(ATTACKS),
                        help="comma-separated subset of " + ",".join(ATTACKS))
    parser.add_argument("--smoke", action="store_true", help="a few seconds, small numbers")
    parser.add_argument("--same-process", action="store_true",
                        help="measure in the attackers' process (as before 7 Dec 2026 12:30)")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)  # the child's mode
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.seconds)))
        return
    chosen = set(args.attacks.split(","))
    if args.smoke:
        args.seconds, args.idle, args.slow, args.csv_rows = 3, 100, 5, 2000
    raise_fd_limit(args.idle + args.slow + 1000)
    tally, receiver = Tally(), RudeServer(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 200
                                          + b"\r\n\r\n", trickle=1.0, hold=30)
    with tempfile.TemporaryDirectory() as tmp:
        server, url = start_server({
            "SVGRENDER_WORKERS": str(args.workers), "SVGRENDER_TEMPLATES_DIR": str(ROOT / "templates"),
            "SVGRENDER_STORAGE_DIR": tmp, "SVGRENDER_WEBHOOK_SECRET": "bench-secret",
            "SVGRENDER_ALLOW_PRIVATE_NETWORKS": "127.0.0.1/32",
            "SVGRENDER_API_KEYS": ",".join([NORMAL, SPELLED, SLOW, HOOKS, CSV_KEY, METRICS])})
        port = int(url.rsplit(":", 1)[1])
        stop, probe_stop = threading.Event(), threading.Event()
        threads: list[threading.Thread] = []
        try:
            normal_client(url, 2, Tally())  # warm
            if args.same_process:
                health_alone: list[float] = []
                probe = threading.Thread(target=health_probe, args=(port, probe_stop,
                                                                    health_alone, Tally()))
                probe.start()
                alone = normal_client(url, args.seconds, tally)
                probe_stop.set()
                probe.join()
            else:
                alone, health_alone = measured_apart(url, args.seconds, tally, probes=False)
            rss_before = rss_mb(server.pid)

            opened = [0]
            attacks = [(name, fn, fn_args) for name, fn, fn_args in [
                ("idle", idle_sockets, (port, args.idle, args.idle_sources, stop, tally, opened)),
                ("slow", slow_bodies, (port, args.slow, stop, tally)),
                ("webhook", slow_webhooks, (url, receiver, stop, tally)),
                ("metrics", metrics_methods, (url, stop, tally)),
                ("csv", big_csvs, (url, args.csv_rows, args.csv_rows // 10, stop, tally))] + [
                ("spellings", key_spellings, (url, spelling, stop, tally))
                for spelling in SPELLINGS] if name in chosen]
            threads = [threading.Thread(target=fn, args=fn_args, daemon=True)
                       for _, fn, fn_args in attacks]
            for thread in threads:
                thread.start()
            time.sleep(3 if not args.smoke else 1)  # the sockets opened, the first CSV in
            rss_peak = [rss_before]

            def sample() -> None:
                while not probe_stop.wait(0.5):
                    rss_peak[0] = max(rss_peak[0], rss_mb(server.pid))
            probe_stop.clear()
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            answered, cpu_start, wall_start = sum(tally.counts.values()), \
                cpu_seconds(server.pid), time.monotonic()
            if args.same_process:
                health_loaded: list[float] = []
                probe = threading.Thread(target=health_probe, args=(port, probe_stop,
                                                                    health_loaded, tally))
                probe.start()
                loaded = normal_client(url, args.seconds, tally)
                probe_stop.set()
                probe.join()
            else:
                loaded, health_loaded = measured_apart(url, args.seconds, tally)
                probe_stop.set()
            rss_peak[0] = max(rss_peak[0], rss_mb(server.pid))
            cpu, wall = cpu_seconds(server.pid) - cpu_start, time.monotonic() - wall_start
            answered = sum(tally.counts.values()) - answered
        finally:
            stop.set()
            probe_stop.set()
            end = time.monotonic() + 15  # attackers in a long request are left (daemons)
            for thread in threads:
                thread.join(max(0.0, end - time.monotonic()))
            receiver.close()
            server.terminate()
            server.wait(timeout=30)

    ratio = p95(loaded) / p95(alone)
    print(f"# attacks together ({args.attacks}; {args.idle} idle sockets from "
          f"{args.idle_sources} addresses, {args.slow} slow bodies, CSVs of {args.csv_rows} rows, "
          f"{len(SPELLINGS)} key spellings) beside one normal client; {args.workers} render "
          f"workers; {args.seconds:.0f} s each phase; measured "
          f"{'among the attacker threads' if args.same_process else 'in a process of its own'}\n")
    print(f"normal client alone:      p50 {statistics.median(alone):7.1f} ms, "
          f"p95 {p95(alone):7.1f} ms ({len(alone)} renders)")
    print(f"normal client, attacked:  p50 {statistics.median(loaded):7.1f} ms, "
          f"p95 {p95(loaded):7.1f} ms ({len(loaded)} renders)")
    print(f"p95 attacked / alone:     {ratio:.2f}x (goal <= 3x)")
    print(f"/healthz p95 alone:       {p95(health_alone):7.1f} ms ({len(health_alone)} probes)")
    print(f"/healthz p95 attacked:    {p95(health_loaded):7.1f} ms ({len(health_loaded)} probes; "
          f"goal < 200 ms)")
    print(f"API RSS:                  {rss_before:.0f} MB -> peak {rss_peak[0]:.0f} MB, growth "
          f"{rss_peak[0] - rss_before:.0f} MB (goal < 150 MB)")
    print(f"API process CPU, attacked: {cpu:.1f} s in {wall:.0f} s ({100 * cpu / wall:.0f}% of a "
          f"core; {1000 * cpu / max(1, answered):.2f} ms per answer counted, {answered} answers)")
    print(f"idle sockets opened:      {opened[0]} (the server closed and they reopened the rest)")
    print(f"5xx other than 503 + Retry-After: {tally.bad()} (goal 0)\n")
    print("answers by attack and status:")
    by_attack: dict[str, Counter] = {}
    for (attack, status, _), n in tally.counts.items():
        by_attack.setdefault(attack, Counter())[status] += n
    for attack, counts in sorted(by_attack.items()):
        print(f"  {attack:16} {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main()
