"""Text layers: layout params on the demo templates, every script, no tofu, fonts."""

import asyncio
import io

import cairocffi as cairo
import pytest
from PIL import Image, ImageChops

from helpers import TEMPLATES
from svgrender.settings import Settings
from svgrender import render as pipeline
from svgrender.draw import text
from svgrender.io.loaders import ImageFetcher
from svgrender.params import LayerParam, RenderRequest
from svgrender.templates.store import TemplateStore

SAMPLES = {
    "latin": "The quick brown fox jumps over the lazy dog. ",
    "arabic": "مرحبا بكم في نيوزيلندا حيث الجبال والبحيرات ",
    "devanagari": "नमस्ते दुनिया, यह एक परीक्षण वाक्य है। ",
    "cjk": "你好世界，这是一个测试句子。日本語のテキスト。",
    "emoji": "🏔️🌊🥾😀👩‍👩‍👧‍👦🇳🇿 ",
}
TITLE_BOX = (590, 140, 540, 130)  # the social card title's data-box


@pytest.fixture(scope="module")
def store():
    return TemplateStore(TEMPLATES, Settings())


def render(store, settings, params, scale=1, template="social-card"):
    request = RenderRequest(params=[LayerParam(**p) for p in params], format="png", scale=scale)
    images = asyncio.run(ImageFetcher(settings).load_request(request.params, settings))
    result = pipeline.render(store.get(template), request, settings, images)
    return Image.open(io.BytesIO(result.files[0].data)).convert("RGB"), result


def ink_box(store, settings, params, scale=1, layer="title"):
    hidden, _ = render(store, settings, [{"name": layer, "hidden": True}], scale)
    drawn, result = render(store, settings, params, scale)
    delta = ImageChops.difference(hidden, drawn).convert("L").point(lambda v: 255 if v > 24 else 0)
    return delta.getbbox(), result


def _string(script: str, length: int) -> str:
    sample = SAMPLES[script]
    return (sample * (length // len(sample) + 1))[:length]


@pytest.mark.parametrize("scale", [1, 2])
@pytest.mark.parametrize("script", list(SAMPLES))
@pytest.mark.parametrize("length", [1, 10, 100, 1000, 5000])
def test_ink_stays_in_the_box(store, settings, script, length, scale):
    params = [{"name": "title", "text": _string(script, length), "auto_fit": True}]
    box, _ = ink_box(store, settings, params, scale)
    if box is None:  # e.g. a lone space
        assert not _string(script, length).strip()
        return
    x, y, w, h = (v * scale for v in TITLE_BOX)
    left, top, right, bottom = box
    assert left >= x - 1 and top >= y - 1 and right <= x + w + 1 and bottom <= y + h + 1, box


def _context():
    return cairo.Context(cairo.ImageSurface(cairo.FORMAT_ARGB32, 10, 10))


class Node(dict):
    tag = "text"


def test_auto_fit_picks_the_largest_size_that_fits():
    style = text.Style("Inter", 52, 700, False, 0.0)
    node = Node({"data-auto-fit": "true", "data-min-font-size": "8"})
    words = "Explore the fjords and glaciers of New Zealand this winter"
    layout, size = text.fit_layout(_context(), words, style, TITLE_BOX, node)
    assert 8 < size < 52
    fits = text.layout_in_box(_context(), words, style, TITLE_BOX, node, size)[1]
    bigger = text.layout_in_box(_context(), words, style, TITLE_BOX, node, size + 1)[1]
    assert not fits and bigger  # size fits, one px more overflows
    # Short text keeps the template's size: autoFit never grows.
    assert text.fit_layout(_context(), "Hi", style, TITLE_BOX, node)[1] == 52


def test_max_lines_ellipsizes():
    style = text.Style("Inter", 20, 400, False, 0.0)
    node = Node({"data-max-lines": "2"})
    layout, _ = text.fit_layout(_context(), "word " * 200, style, (0, 0, 300, 1000), node)
    assert layout.get_line_count() == 2
    assert text.pango.pango_layout_is_ellipsized(layout._pointer)


def test_max_lines_through_the_api(store, settings):
    box, _ = ink_box(store, settings, [{"name": "title", "text": "many words " * 50,
                                        "max_lines": 1, "font_size": 30}])
    assert box[3] - box[1] < 45  # one 30 px line


def test_rtl_starts_at_the_right_edge(store, settings):
    box, _ = ink_box(store, settings, [{"name": "title", "text": "مرحبا"}])
    right_edge = TITLE_BOX[0] + TITLE_BOX[2]
    assert right_edge - 6 <= box[2] <= right_edge + 1 and box[0] > TITLE_BOX[0] + 200


@pytest.mark.parametrize("align,edge", [("left", "left"), ("center", "center"), ("right", "right")])
def test_text_align(store, settings, align, edge):
    box, _ = ink_box(store, settings, [{"name": "title", "text": "Hi", "text_align": align}])
    middle = (box[0] + box[2]) / 2
    x, _, w, _ = TITLE_BOX
    expected = {"left": x + 15, "center": x + w / 2, "right": x + w - 15}[edge]
    assert abs(middle - expected) < 25


def test_vertical_align_and_newlines(store, settings):
    top, _ = ink_box(store, settings, [{"name": "title", "text": "A", "vertical_align": "top"}])
    bottom, _ = ink_box(store, settings, [{"name": "title", "text": "A",
                                           "vertical_align": "bottom"}])
    assert bottom[1] - top[1] > 40
    two, _ = ink_box(store, settings, [{"name": "title", "text": "A\nB", "font_size": 30}])
    assert two[3] - two[1] > 55  # two lines


def test_text_transform(store, settings):
    upper, _ = ink_box(store, settings, [{"name": "title", "text": "abc",
                                          "text_transform": "uppercase"}])
    same, _ = ink_box(store, settings, [{"name": "title", "text": "ABC"}])
    assert upper == same


def test_figma_headline_wraps_in_its_width(store, settings):
    image, _ = render(store, settings, [{"name": "headline",
                                         "text": "A much longer headline that must wrap"}],
                      template="figma-export")
    hidden, _ = render(store, settings, [{"name": "headline", "hidden": True}],
                       template="figma-export")
    box = ImageChops.difference(hidden, image).convert("L").point(
        lambda v: 255 if v > 24 else 0).getbbox()
    assert box[0] >= 414 and box[2] <= 416 + 320 + 1  # data-width="320"


@pytest.mark.parametrize("script", list(SAMPLES))
def test_no_tofu_with_default_fonts(script):
    style = text.Style("Inter", 20, 400, False, 0.0)
    layout = text._layout_for(_context(), SAMPLES[script], style)
    assert text.pango.pango_layout_get_unknown_glyphs_count(layout._pointer) == 0


def test_missing_glyphs_are_reported(store, settings):
    _, result = render(store, settings, [{"name": "title", "text": "unassigned \u0378 here"}])
    assert any("U+0378" in w for w in result.warnings)


def test_fonts_endpoint(client):
    families = client.get("/v1/fonts").json()["families"]
    assert "Inter" in families and any("CJK" in f for f in families)
    assert "Noto Color Emoji" in families


def draw_icon(settings, family: str, code: str):
    from svgrender.templates.model import load_template

    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80">'
           f'<rect width="120" height="80" fill="#fff"/><text x="20" y="60" '
           f'font-family="{family}" font-size="48">&#x{code};</text></svg>').encode()
    result = pipeline.render(load_template("icon", svg, Settings()),
                             RenderRequest(format="png"), settings)
    image = Image.open(io.BytesIO(result.files[0].data)).convert("L")
    return sum(255 - v for v in image.getdata()), result.warnings


def test_private_use_characters_come_only_from_the_named_font(settings):
    """U+F000 is FontAwesome's glass, and DejaVu Sans happens to claim that code point too: an
    icon whose font is missing must not become DejaVu's glyph. Drawn from FontAwesome when
    named; otherwise nothing is drawn and the warning says why."""
    drawn, warnings = draw_icon(settings, "FontAwesome", "f000")
    assert drawn > 50_000 and not warnings
    missing, warnings = draw_icon(settings, "Brand Icons", "f000")
    assert missing == 0
    assert any("U+F000" in w and "not drawn" in w for w in warnings), warnings
    other, warnings = draw_icon(settings, "DejaVu Sans", "f101")  # FontAwesome's only
    assert other == 0 and any("U+F101" in w for w in warnings)


def test_flowed_paragraphs_keep_their_own_line_height(settings):
    """Inkscape writes line-height per flowPara: a paragraph at 200 % has its lines twice as
    far apart as the one at 100 % before it (one layout, so the wrap stays shared)."""
    from lines import line_bands
    from svgrender.templates.model import load_template

    words = "Flowed words wrap inside the region " * 3
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400"><rect width="300" '
           'height="400" fill="#fff"/><flowRoot style="font-family:DejaVu Sans;font-size:16px;'
           'line-height:100%"><flowRegion><rect x="10" y="10" width="280" height="380"/>'
           '</flowRegion><flowPara style="line-height:100%">' + words + '</flowPara>'
           '<flowPara style="line-height:200%">' + words + '</flowPara></flowRoot></svg>')
    result = pipeline.render(load_template("flow", svg.encode(), Settings()),
                             RenderRequest(format="png"), settings)
    image = Image.open(io.BytesIO(result.files[0].data)).convert("RGB")
    tops = [top * 380 for top, _ in line_bands(image, (10, 10, 280, 380), 300)]
    assert len(tops) >= 6, tops
    gaps = [b - a for a, b in zip(tops, tops[1:])]
    first, second = gaps[0], gaps[-1]
    assert 1.7 <= second / first <= 2.3, gaps


def _ref_count(pointer) -> int:
    """A GObject's reference count (GObject: a GTypeInstance pointer, then guint ref_count)."""
    from pangocffi import ffi

    return ffi.cast("unsigned int *", ffi.cast("char *", pointer) + ffi.sizeof("void *"))[0]


def test_layouts_and_line_iterators_free_what_they_hold():
    """pangocffi frees neither a PangoContext nor a PangoLayoutIter: each render leaked its
    contexts and, through the iterators, whole layouts (~25 KB a render, unbounded)."""
    import gc

    from pangocffi import pango
    from svgrender.draw.text import line_iterator, new_layout

    layout = new_layout()
    layout.text = "Explore New Zealand"
    context = pango.pango_layout_get_context(layout._pointer)
    assert _ref_count(context) == 1  # the layout's reference only: ours was given back
    assert _ref_count(layout._pointer) == 1
    iterator = line_iterator(layout)
    assert _ref_count(layout._pointer) == 2  # an iterator holds its layout…
    del iterator
    gc.collect()
    assert _ref_count(layout._pointer) == 1  # …and lets it go
