"""svgrender against Chromium on the fidelity cases, at 1x and 2x (thresholds in compare.py).

Regenerate references with make_references.py (needs Debian's chromium); print the whole table
with `python tests/fidelity/compare.py`.
"""

import pytest

from compare import MAX_MEAN, MAX_OFF_FRACTION, case_names, measure, passes

# Cases that do not yet match, each with the reason (none at the moment).
XFAIL: dict[str, str] = {}
RESULTS: list[tuple[str, int, float, float]] = []


@pytest.mark.parametrize("scale", [1, 2])
@pytest.mark.parametrize("name", case_names())
def test_matches_chromium(name, scale):
    if name in XFAIL:
        pytest.xfail(XFAIL[name])
    mean, off = measure(name, scale)
    RESULTS.append((name, scale, mean, off))
    assert passes(mean, off), (f"{name} @{scale}x: mean abs diff {mean:.2f} (limit {MAX_MEAN}), "
                               f"{off:.2%} of pixels off (limit {MAX_OFF_FRACTION:.0%})")


def test_there_are_enough_cases():
    assert len(case_names()) >= 30
