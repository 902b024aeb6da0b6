"""The effect budget: pixel work of masks, filters and patterns, multiplied through nesting."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))

from cases import mask_fanout  # noqa: E402
from svgrender.budgets import check_effects, effect_work  # noqa: E402
from svgrender.errors import RenderLimitExceeded  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.svg.prepare import svg_size  # noqa: E402
from svgrender.svg.xml import parse_svg  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_nested_masks_multiply_and_the_layer_is_named():
    works = [effect_work(parse_svg(mask_fanout(depth, 100).encode()), 1.0)
             for depth in (1, 2, 3)]
    assert works[1][0] > 9 * works[0][0] and works[2][0] > 9 * works[1][0]
    assert works[2][1] == "victim"
    with pytest.raises(RenderLimitExceeded) as refused:
        check_effects(parse_svg(mask_fanout(3, 500).encode()), 500 * 500, Settings())
    assert refused.value.code == "effects_too_costly" and refused.value.layer == "victim"


def test_use_copies_of_a_filtered_element_add_up():
    one = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs><filter '
           'id="f"><feGaussianBlur stdDeviation="2"/></filter><rect id="r" width="9" '
           'height="9" filter="url(#f)"/></defs>{}</svg>')
    single = effect_work(parse_svg(one.format('<use href="#r"/>').encode()), 1.0)[0]
    many = effect_work(parse_svg(one.format('<use href="#r"/>' * 50).encode()), 1.0)[0]
    assert single > 0 and many == pytest.approx(50 * single)


@pytest.mark.parametrize("name", ["social-card", "figma-export", "certificate"])
def test_demo_templates_use_a_small_part_of_the_budget_even_at_scale_4(name):
    root = parse_svg((TEMPLATES / f"{name}.svg").read_bytes())
    width, height = svg_size(root)
    check_effects(root, width * height * 16, Settings())  # does not raise
    assert effect_work(root, width * height * 16)[0] < Settings().max_effect_work / 5
