"""The command line's start-up: `svgrender --help`, one `svgrender render`, and N templates in
one call against N calls — this checkout against a `before` install, in one run.

    python benchmarks/bench_cli.py                      # writes benchmarks/results/cli.md
    python benchmarks/bench_cli.py --before /work/main/.venv/bin/svgrender --runs 10
    python benchmarks/bench_cli.py --smoke              # a few seconds: the harness still runs

Wall-clock medians of whole processes (what a user waits for), before and after interleaved so
a busy machine slows both alike; the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"help": 0.3, "render": 0.8}  # seconds, issue 32
TEMPLATES = ["social-card", "certificate", "instagram-post", "product-card", "social-square",
             "social-story", "figma-export", "inkscape-export"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one process: CPU is what the wall time would be on an idle
    machine, near enough (these commands use one core)."""
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return elapsed, _children_cpu() - cpu


def scenarios(exe: str, out: Path, files: list[str], many: bool) -> dict[str, list[list[str]]]:
    """Each scenario: the commands one measurement runs, in order."""
    paths = [str(ROOT / "templates" / f"{name}.svg") for name in files]
    runs = {
        "help": [[exe, "--help"]],
        "render": [[exe, "render", paths[0], "-o", str(out / "one.png")]],
        "separate": [[exe, "render", path, "-o", str(out / f"{Path(path).stem}.png")]
                     for path in paths],
    }
    if many:  # `render a.svg b.svg … -o DIR/` (this checkout; not in older installs)
        runs["one call"] = [[exe, "render", *paths, "-o", f"{out}/many/"]]
    return runs


def measure(installs: dict[str, str], files: list[str], runs: int) -> dict:
    """{(install, scenario, "wall" or "cpu"): [seconds per run]}; installs interleaved run by
    run."""
    results: dict[tuple[str, str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        plans = {name: scenarios(exe, out / name, files, name == "after")
                 for name, exe in installs.items()}
        for name, plan in plans.items():  # warm: page cache, pyc files, cffi cache
            (out / name).mkdir()
            for commands in plan.values():
                for command in commands:
                    timed(command, ROOT)
        for _ in range(runs):
            for name, plan in plans.items():
                for scenario, commands in plan.items():
                    times = [timed(command, ROOT) for command in commands]
                    results.setdefault((name, scenario, "wall"), []).append(
                        sum(wall for wall, _ in times))
                    results.setdefault((name, scenario, "cpu"), []).append(
                        sum(cpu for _, cpu in times))
    return results


def table(results: dict, installs: dict[str, str], files: list[str], runs: int) -> str:
    m = {key: statistics.median(values) for key, values in results.items()}
    n = len(files)

    def cell(value: float | None) -> str:
        return f"{value:.3f}" if value is not None else "-"

    def ratio(a: float | None, b: float | None) -> str:
        return f"{a / b:.2f}" if a is not None and b else "-"

    lines = [
        f"# CLI start-up (benchmarks/bench_cli.py, {platform.node()}, "
        f"{os.cpu_count()} cores, {datetime.date.today()})",
        "",
        f"Medians of {runs} runs, before and after interleaved; wall clock and the process's "
        f"CPU (user + system: the wall time of an idle machine, near enough). Load average "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} at the end. "
        f"before = `{installs.get('before', '-')}`, after = this checkout.",
        "",
        "| what | before wall s | after wall s | after / before | before CPU s | after CPU s "
        "| after / before CPU | target wall s | after wall / target | after CPU / target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = (("help", "`svgrender --help`"),
            ("render", "`svgrender render templates/social-card.svg -o x.png`"),
            ("separate", f"{n} templates, {n} calls"),
            ("one call", f"{n} templates, one call (`render a.svg b.svg … -o DIR/`)"))
    for scenario, label in rows:
        bw, aw = m.get(("before", scenario, "wall")), m[("after", scenario, "wall")]
        bc, ac = m.get(("before", scenario, "cpu")), m[("after", scenario, "cpu")]
        target = TARGETS.get(scenario)
        lines.append(f"| {label} | {cell(bw)} | {cell(aw)} | {ratio(aw, bw)} | {cell(bc)} | "
                     f"{cell(ac)} | {ratio(ac, bc)} | {f'≤ {target:g}' if target else '-'} | "
                     f"{ratio(aw, target)} | {ratio(ac, target)} |")
    one, apart = m[("after", "one call", "wall")], m[("after", "separate", "wall")]
    one_cpu, apart_cpu = m[("after", "one call", "cpu")], m[("after", "separate", "cpu")]
    lines += ["", f"{n} templates in one call / {n} calls (after): wall {one / apart:.2f}, "
              f"CPU {one_cpu / apart_cpu:.2f}; each template after the first adds "
              f"{(one_cpu - m[('after', 'render', 'cpu')]) / max(1, n - 1):.3f} s CPU"]
    if ("before", "separate", "wall") in m:
        lines.append(f"{n} templates in one call (after) / {n} calls (before): wall "
                     f"{one / m[('before', 'separate', 'wall')]:.2f}, CPU "
                     f"{one_cpu / m[('before', 'separate', 'cpu')]:.2f}")
    for scenario, target in TARGETS.items():
        wall, cpu = m[("after", scenario, "wall")], m[("after", scenario, "cpu")]
        lines.append(f"{scenario}: wall {wall:.3f} s, CPU {cpu:.3f} s, target ≤ {target:g} s: "
                     f"{'met' if wall <= target else 'not met'} by wall, "
                     f"{'met' if cpu <= target else 'not met'} by CPU")
    lines += ["", f"templates: {', '.join(files)}"]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="/work/main/.venv/bin/svgrender",
                        help="the svgrender to compare with (skipped if missing)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--files", type=int, default=4, help="templates in the many-file rows")
    parser.add_argument("--smoke", action="store_true", help="2 runs, 2 files, no before")
    parser.add_argument("--write", default=str(ROOT / "benchmarks" / "results" / "cli.md"))
    args = parser.parse_args()
    after = str(Path(sys.executable).parent / "svgrender")
    installs = {"after": after}
    if not args.smoke and Path(args.before).exists():
        installs = {"before": args.before, "after": after}
    runs, files = (2, 2) if args.smoke else (args.runs, args.files)
    results = measure(installs, TEMPLATES[:files], runs)
    text = table(results, installs, TEMPLATES[:files], runs)
    print(text)
    if not args.smoke:
        written = Path(args.write)
        old = written.read_text() if written.exists() else ""
        notes = old[old.index("\n## Notes"):] if "\n## Notes" in old else ""
        written.write_text(text + notes)  # hand-written notes kept below the new table
    return 0


if __name__ == "__main__":
    sys.exit(main())
