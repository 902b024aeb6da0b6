"""The benchmark harness still runs (a ~10 s smoke run; no timing is asserted here)."""

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
