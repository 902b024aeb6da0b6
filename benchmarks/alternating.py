"""Two checkouts measured in turns, so both see the same machine (shared by the *_vs.py
benchmarks): round 1 before then this branch, round 2 the other way round, and so on."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def alternate(before: Path, rounds: int, measure) -> tuple[dict, list[float]]:
    """{(side, key): [value per round]} and the load averages seen; `measure(checkout)` gives
    {key: value} for one round of a checkout (sides: "before", "this branch")."""
    results: dict = {}
    loads = []
    for round_ in range(rounds):
        order = [("before", before), ("this branch", ROOT)]
        for name, checkout in order if round_ % 2 == 0 else order[::-1]:
            loads.append(os.getloadavg()[0])
            for key, value in measure(checkout).items():
                results.setdefault((name, key), []).append(value)
    return results, loads


def load_line(rounds: int, runs: int, loads: list[float]) -> str:
    return (f"{rounds} rounds × {runs} runs per figure, alternating checkouts; 1-minute load "
            f"average {min(loads):.1f}–{max(loads):.1f} (median {statistics.median(loads):.1f}) "
            f"on {os.cpu_count()} cores.")


def arguments():
    """The *_vs.py benchmarks' command line: the before checkout, rounds and runs."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("before", type=Path)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--runs", type=int, default=15)
    return parser.parse_args()
