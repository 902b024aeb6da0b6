"""Object-storage clients against moto's standalone S3 server on loopback: boto3 (what svgrender
uses) and obstore, put and get latency of a 150 KB image-sized object, same run.

    python benchmarks/bench_s3.py [--runs 200]   (needs moto[server]; obstore optional)
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(fn, runs: int) -> float:
    times = []
    for n in range(runs):
        start = time.perf_counter()
        fn(n)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H",
                               "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                      AWS_REGION="us-east-1")
    data = os.urandom(150 * 1024)
    try:
        time.sleep(1.5)
        import boto3

        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket="bench")
        rows = {"boto3": (
            timed(lambda n: client.put_object(Bucket="bench", Key=f"b/{n}", Body=data), args.runs),
            timed(lambda n: client.get_object(Bucket="bench", Key=f"b/{n}")["Body"].read(),
                  args.runs))}
        try:
            import obstore
            from obstore.store import S3Store

            store = S3Store("bench", endpoint=endpoint, region="us-east-1",
                            access_key_id="test", secret_access_key="test",
                            client_options={"allow_http": True})
            rows["obstore"] = (
                timed(lambda n: obstore.put(store, f"o/{n}", data), args.runs),
                timed(lambda n: obstore.get(store, f"o/{n}").bytes(), args.runs))
        except ImportError:
            print("obstore not installed: pip install obstore to compare")
    finally:
        server.terminate()
        server.wait()
    print(f"150 KB objects, moto server on loopback, p50 of {args.runs}:")
    base_put, base_get = rows["boto3"]
    for name, (put, get) in rows.items():
        print(f"  {name:<8} put {put:6.2f} ms ({put / base_put:.2f}× boto3)   "
              f"get {get:6.2f} ms ({get / base_get:.2f}× boto3)")


if __name__ == "__main__":
    main()
