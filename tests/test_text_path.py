"""Text on a path: letters follow the path by arc length; none past its ends; a request's new
words stay on the path. (Chromium comparisons: tests/text, cases text-on-arc, text-path-*.)"""

import io
import math

import cairocffi as cairo
from PIL import Image

from svgrender import render as pipeline
from svgrender.draw.text_path import PathWalk
from svgrender.params import LayerParam, RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

# A path running straight down at x=100 from y=20 to y=220: letters stand sideways on it.
DOWN = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300" viewBox="0 0 200 300">'
        '<rect width="200" height="300" fill="#fff"/><path id="down" d="M 100 20 V 220" '
        'fill="none"/><text id="label" font-family="DejaVu Sans" font-size="20" fill="#000">'
        '<textPath href="#down">{text}</textPath></text></svg>')


def draw(svg: str, params=(), warnings=None) -> Image.Image:
    template = load_template("t", svg.encode(), Settings())
    request = RenderRequest(format="png", params=[LayerParam(**p) for p in params])
    result = pipeline.render(template, request, Settings())
    if warnings is not None:
        warnings.extend(result.warnings)
    return Image.open(io.BytesIO(result.files[0].data)).convert("L")


def ink(image: Image.Image):
    return image.point(lambda v: 255 if v < 128 else 0).getbbox()


def test_a_walk_measures_by_arc_length_and_turns_with_the_path():
    walk = PathWalk([(cairo.PATH_MOVE_TO, (0, 0)), (cairo.PATH_LINE_TO, (30, 0)),
                     (cairo.PATH_LINE_TO, (30, 40)), (cairo.PATH_MOVE_TO, (100, 100)),
                     (cairo.PATH_LINE_TO, (100, 110))])
    assert walk.length == 80  # 30 + 40 + 10: the move adds nothing
    x, y, angle = walk.at(15)
    assert (x, y, angle) == (15, 0, 0)
    x, y, angle = walk.at(50)
    assert (x, y) == (30, 20) and math.isclose(angle, math.pi / 2)
    assert walk.at(75)[:2] == (100, 105)
    assert walk.at(-1) is None and walk.at(80.5) is None


def test_a_closed_path_counts_its_closing_side():
    walk = PathWalk([(cairo.PATH_MOVE_TO, (0, 0)), (cairo.PATH_LINE_TO, (10, 0)),
                     (cairo.PATH_LINE_TO, (10, 10)), (cairo.PATH_CLOSE_PATH, ())])
    assert math.isclose(walk.length, 20 + math.hypot(10, 10))


def test_letters_run_down_a_vertical_path():
    left, top, right, bottom = ink(draw(DOWN.format(text="DOWNWARD")))
    # Turned a quarter clockwise, as on a book's spine: the letters stand on the path (x=100)
    # with their tops to its right, from the path's start downward.
    assert 97 <= left and right <= 120, (left, right)
    assert 18 <= top <= 26 and 110 <= bottom <= 220, (top, bottom)


def test_letters_past_the_end_of_the_path_are_not_drawn():
    long = "A very long line that the short path cannot hold at all"
    _, top, _, bottom = ink(draw(DOWN.format(text=long)))
    # ~550 px of text on a 200 px path: it stops at the path's end (y=220), the last letter
    # centred on the path at most half a letter past it.
    assert 205 <= bottom <= 228, bottom


def test_new_text_from_a_request_stays_on_the_path():
    image = draw(DOWN.format(text="OLD"), [{"name": "label", "text": "REPLACED TEXT"}])
    left, top, right, bottom = ink(image)
    assert 97 <= left and right <= 120 and bottom > 150, (left, top, right, bottom)


def test_new_text_too_long_for_its_path_is_reported():
    warnings = []
    draw(DOWN.format(text="OLD"), [{"name": "label", "text": "A much longer text that the "
                                    "path cannot hold"}], warnings)
    assert any("'label'" in w and "past the end of the text's path" in w for w in warnings), \
        warnings
    warnings.clear()
    draw(DOWN.format(text="OLD"), [{"name": "label", "text": "SHORT"}], warnings)
    assert warnings == []


def test_text_anchor_middle_centres_on_the_start_offset():
    svg = DOWN.replace('<textPath href="#down">',
                       '<textPath href="#down" startOffset="50%" text-anchor="middle">')
    _, top, _, bottom = ink(draw(svg.format(text="MIDDLE")))
    assert abs((top + bottom) / 2 - 120) <= 4, (top, bottom)
