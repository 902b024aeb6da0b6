import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_terminal_summary(terminalreporter):
    from test_fidelity import RESULTS

    if not RESULTS:
        return
    rows = sorted(RESULTS)
    ok = sum(1 for _, _, mean, off in rows if mean <= 2.0 and off <= 0.01)
    terminalreporter.section("fidelity against Chromium")
    terminalreporter.write_line(f"{'case':<34} {'scale':>5} {'mean':>6} {'off %':>6}")
    for name, scale, mean, off in rows:
        terminalreporter.write_line(f"{name:<34} {scale:>4}x {mean:>6.2f} {off * 100:>6.2f}")
    terminalreporter.write_line(f"{ok} of {len(rows)} case renders within thresholds")
