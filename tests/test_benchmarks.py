"""The benchmark harness still runs (a ~10 s smoke run; no timing is asserted here)."""

import re
import subprocess
import sys

from helpers import ROOT


def test_benchmark_smoke_run():
    result = subprocess.run([sys.executable, "benchmarks/run.py", "--smoke"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| social-card |" in result.stdout and "answers/s" in result.stdout


def test_batch_benchmark_smoke_run():
    result = subprocess.run([sys.executable, "benchmarks/bench_batch.py", "--smoke"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "two workers / one:" in result.stdout and "| 2 | 40 | 0 |" in result.stdout


def test_animation_benchmark_smoke_run():
    result = subprocess.run([sys.executable, "benchmarks/bench_animation.py", "--smoke"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| gif |" in result.stdout and "frames/s" in result.stdout


def test_csv_batch_benchmark_smoke_run():
    result = subprocess.run([sys.executable, "benchmarks/bench_csv_batch.py", "--smoke"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| this tree |" in result.stdout


def test_attacks_benchmark_smoke_run():
    """Every attack of bench_attacks.py runs (small numbers) and no answer is a 5xx other than a
    503 with Retry-After (timings are printed, not asserted)."""
    result = subprocess.run([sys.executable, "benchmarks/bench_attacks.py", "--smoke"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "/healthz p95 attacked:" in result.stdout, result.stdout
    assert "5xx other than 503 + Retry-After: 0 (goal 0)" in result.stdout, result.stdout
    opened = re.search(r"idle sockets opened: +(\d+)", result.stdout)
    assert opened and int(opened.group(1)) >= 100, result.stdout
    for attack in ("healthz", "key spellings", "metrics methods", "normal", "big csv",
                   "slow webhook"):
        assert f"  {attack} " in result.stdout, (attack, result.stdout)


def test_studio_benchmark_smoke_run():
    result = subprocess.run([sys.executable, "benchmarks/bench_studio.py", "--smoke"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| page weight (" in result.stdout and "| 20-row variants grid" in result.stdout


def test_redraw_benchmark_smoke_run():
    result = subprocess.run([sys.executable, "benchmarks/bench_redraw.py", "--smoke"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| issue-shaped card (photo after texts) | jpeg |" in result.stdout


def test_shadows_benchmark_smoke_run():
    result = subprocess.run([sys.executable, "benchmarks/bench_shadows.py", "--smoke"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| 16 |" in result.stdout and "per extra shadow" in result.stdout


def test_cli_benchmark_smoke_run():
    result = subprocess.run([sys.executable, "benchmarks/bench_cli.py", "--smoke"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| `svgrender --help` |" in result.stdout
    assert "2 templates in one call / 2 calls (after): wall" in result.stdout
