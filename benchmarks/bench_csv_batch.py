"""A large CSV batch to its 202: time and the API process's peak memory growth, this tree
against another checkout (the baseline, e.g. main before the streaming parse) in the same run.

    python benchmarks/bench_csv_batch.py --baseline /work/main [--rows 100000] [--smoke]

Each tree runs in its own process (the app with the embedded engine, workers=0, the per-key
cap raised above the row count), posting the same certificate CSV through Starlette's test
client; the batch is cancelled at once after its 202. Writes benchmarks/results/csv_batch.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ONE_RUN = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from starlette.testclient import TestClient
from svgrender.api.app import create_app
from svgrender.draw import seams
from svgrender.settings import Settings
seams.install()
rows = int(sys.argv[2])
tmp = Path(tempfile.mkdtemp())
settings = Settings(templates_dir=Path(sys.argv[1]) / "templates", storage_dir=tmp / "i",
                    cache_dir=tmp / "c", workers=0, batch_concurrency=1,
                    max_queued_rows_per_key=rows + 1)
body = ("recipient.text,canvas.backgroundColor,fileName\n" + "".join(
    f'"Attendee {n}, with a comma",#fffdf6,cert-{n}\n' for n in range(1, rows + 1))).encode()
with TestClient(create_app(settings)) as client:
    client.get("/healthz")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    answer = client.post("/batches/certificate", content=body,
                         headers={"Content-Type": "text/csv"})
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert answer.status_code == 202, answer.text
    client.delete(answer.json()["statusUrl"])
print(json.dumps({"seconds": took, "growth_mb": peak - before, "body_mb": len(body) / 2**20,
                  "total": answer.json()["total"]}))
"""


def measure(tree: Path, rows: int) -> dict:
    out = subprocess.run([sys.executable, "-c", ONE_RUN, str(tree), str(rows)], cwd=tree,
                         capture_output=True, text=True, timeout=900)
    if out.returncode:
        raise SystemExit(f"{tree}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, help="another checkout to compare against")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--smoke", action="store_true", help="2,000 rows, no results file")
    args = parser.parse_args()
    rows = 2_000 if args.smoke else args.rows
    trees = [("this tree", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    results = {name: measure(tree, rows) for name, tree in trees}
    lines = [f"# csv_batch: a {rows:,}-row CSV "
             f"({results['this tree']['body_mb']:.1f} MB) to its 202, embedded engine, 2 cores",
             "", "| tree | seconds to 202 | API peak RSS growth MB |", "|---|---|---|"]
    for name, r in results.items():
        assert r["total"] == rows, r
        lines.append(f"| {name} | {r['seconds']:.1f} | {r['growth_mb']:.0f} |")
    if "baseline" in results:
        base, new = results["baseline"], results["this tree"]
        lines += ["", f"time to 202: {new['seconds'] / base['seconds']:.2f}× the baseline's; "
                  f"memory growth {new['growth_mb'] / max(base['growth_mb'], 1):.2f}×"]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.smoke:
        (ROOT / "benchmarks" / "results" / "csv_batch.md").write_text(text)


if __name__ == "__main__":
    main()
