"""The benchmark harness still runs (a ~10 s smoke run; no timing is asserted here)."""

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers import ROOT

SCRIPTS = ["run.py", "bench_batch.py", "bench_animation.py", "bench_csv_batch.py",
           "bench_attacks.py", "bench_studio.py", "bench_redraw.py", "bench_shadows.py",
           "bench_cli.py"]


def _smoke(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, f"benchmarks/{script}", "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def smoke():
    """Every smoke run started at once, two at a time (the machine's two cores; each is a
    subprocess of its own): `smoke[script]` waits for that one's result."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = {script: pool.submit(_smoke, script) for script in SCRIPTS}
        yield {script: run.result for script, run in runs.items()}


def test_benchmark_smoke_run(smoke):
    result = smoke["run.py"]()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| social-card |" in result.stdout and "answers/s" in result.stdout


def test_batch_benchmark_smoke_run(smoke):
    result = smoke["bench_batch.py"]()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "two workers / one:" in result.stdout and "| 2 | 40 | 0 |" in result.stdout


def test_animation_benchmark_smoke_run(smoke):
    result = smoke["bench_animation.py"]()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| gif |" in result.stdout and "frames/s" in result.stdout


def test_csv_batch_benchmark_smoke_run(smoke):
    result = smoke["bench_csv_batch.py"]()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| this tree |" in result.stdout


def test_attacks_benchmark_smoke_run(smoke):
    """Every attack of bench_attacks.py runs (small numbers) and no answer is a 5xx other than a
    503 with Retry-After (timings are printed, not asserted)."""
    result = smoke["bench_attacks.py"]()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "/healthz p95 attacked:" in result.stdout, result.stdout
    assert "5xx other than 503 + Retry-After: 0 (goal 0)" in result.stdout, result.stdout
    opened = re.search(r"idle sockets opened: +(\d+)", result.stdout)
    assert opened and int(opened.group(1)) >= 100, result.stdout
    for attack in ("healthz", "key spellings", "metrics methods", "normal", "big csv",
                   "slow webhook"):
        assert f"  {attack} " in result.stdout, (attack, result.stdout)


def test_studio_benchmark_smoke_run(smoke):
    result = smoke["bench_studio.py"]()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| page weight (" in result.stdout and "| 20-row variants grid" in result.stdout


def test_redraw_benchmark_smoke_run(smoke):
    result = smoke["bench_redraw.py"]()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| issue-shaped card (photo after texts) | jpeg |" in result.stdout


def test_shadows_benchmark_smoke_run(smoke):
    result = smoke["bench_shadows.py"]()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| 16 |" in result.stdout and "per extra shadow" in result.stdout


def test_cli_benchmark_smoke_run(smoke):
    result = smoke["bench_cli.py"]()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| `svgrender --help` |" in result.stdout
    assert "2 templates in one call / 2 calls (after): wall" in result.stdout
