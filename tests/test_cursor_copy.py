"""The text-cursor copy CairoSVG makes per element is the one copy.deepcopy makes."""

import copy

import pytest
from cairosvg import surface

from svgrender.draw import cursor_copy, seams
from svgrender.draw.cursor_copy import deepcopy


@pytest.mark.parametrize("cursor", [([0, 0], [0, 0], 0), ([1.5, -2.0], [0.25, 3], 12.75),
                                    ([10**20, 1e-300], [], 0.0), ([], [1], 7)])
def test_same_copy_as_deepcopy(cursor):
    made, reference = deepcopy(cursor), copy.deepcopy(cursor)
    assert made == reference and type(made) is tuple
    assert [type(v) for v in made[0] + made[1]] == [type(v) for v in reference[0] + reference[1]]
    # New lists: moving the cursor after the copy must not move the saved one.
    assert made[0] is not cursor[0] and made[1] is not cursor[1]
    cursor[0].append(99)
    assert made[0] == reference[0]


def test_one_list_twice_stays_one_list():
    shared = [1.0, 2.0]
    made, reference = deepcopy((shared, shared, 0)), copy.deepcopy((shared, shared, 0))
    assert made[0] is made[1] and reference[0] is reference[1]
    assert made[0] is not shared and made == reference


@pytest.mark.parametrize("value", [([[1], [2]], [0, 0], 0), (["a", 1], [0, 0], 0),
                                   ([0, 0], [0, 0], None), ([0, 0], [0, 0]), [[0, 0], [0, 0], 0],
                                   {"a": [1]}, ([True, 1], [0, 0], 0)])
def test_anything_else_goes_to_deepcopy(monkeypatch, value):
    calls, real = [], copy.deepcopy
    monkeypatch.setattr(cursor_copy._copy, "deepcopy",
                        lambda v, memo=None, nil=None: calls.append(v) or real(v, memo))
    assert deepcopy(value) == real(value)
    assert calls == [value]


def test_cairosvg_draws_with_it_once_installed():
    seams.install()
    assert surface.copy is cursor_copy.module
    assert surface.copy.deepcopy is deepcopy and surface.copy.copy is copy.copy
