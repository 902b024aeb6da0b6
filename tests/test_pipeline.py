"""Pixels of whole renders: params change what they should, where they should."""

import asyncio
import io

import pytest
from PIL import Image

from helpers import TEMPLATES, png_data_uri
from pixels import close, decode, diff_box, mean_abs_diff
from svgrender.settings import Settings
from svgrender import render as pipeline
from svgrender.io.loaders import ImageFetcher
from svgrender.params import LayerParam, RenderRequest
from svgrender.templates.store import TemplateStore


@pytest.fixture(scope="module")
def store():
    return TemplateStore(TEMPLATES, Settings())


def render(store, settings, template_id, params=(), fmt="png", scale=1.0):
    request = RenderRequest(params=[LayerParam(**p) for p in params], format=fmt, scale=scale)
    images = asyncio.run(ImageFetcher(settings).load_request(request.params, settings))
    return pipeline.render(store.get(template_id), request, settings, images)


def main_image(*args, **kwargs) -> Image.Image:
    return decode(render(*args, **kwargs).files[0].data)


@pytest.mark.parametrize("template_id", ["social-card", "instagram-post", "certificate",
                                         "figma-export", "inkscape-export"])
def test_three_sizes_from_the_vector(store, settings, template_id):
    template = store.get(template_id)
    result = render(store, settings, template_id, scale=2)
    sizes = [Image.open(io.BytesIO(f.data)).size for f in result.files]
    thumb_h = round(400 * template.height / template.width)
    assert sizes == [(template.width * 2, template.height * 2), (400, thumb_h), (800, 2 * thumb_h)]
    # The retina thumbnail is drawn, not upscaled: it has detail the 1x thumb cannot hold.
    thumb, retina = (decode(f.data) for f in result.files[1:])
    upscaled = thumb.resize(retina.size, Image.Resampling.BICUBIC)
    assert mean_abs_diff(upscaled, retina) > 0.3


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
@pytest.mark.parametrize("template_id,sky,box", [
    ("social-card", (150, 100), (60, 60, 540, 570)),     # an <image> layer
    ("figma-export", (150, 100), (64, 64, 384, 386)),    # a Figma pattern image fill
])
def test_thumbnails_show_the_photo(store, settings, fmt, template_id, sky, box):
    """Every size shows the photo: reduced once per size, pattern fills redrawn per size."""
    result = render(store, settings, template_id, fmt=fmt)
    main, thumb, retina = (decode(f.data) for f in result.files)
    for image in (main, thumb, retina):
        factor = image.width / main.width
        pixel = image.getpixel((round(sky[0] * factor), round(sky[1] * factor)))
        assert pixel[2] > 150 and pixel[0] > 50, (image.size, pixel)  # light blue sky
    upscaled = thumb.resize(main.size)
    assert mean_abs_diff(upscaled.crop(box), main.crop(box)) < 12


def test_canvas_background_colour(store, settings):
    image = main_image(store, settings, "social-card",
                       [{"name": "canvas", "background_color": "rgb(103,176,197)"}])
    assert close(image.getpixel((10, 10)), (103, 176, 197, 255), 1)
    assert close(image.getpixel((1190, 620)), (103, 176, 197, 255), 1)
    # The card on top of the canvas is untouched.
    assert close(image.getpixel((700, 400)), (255, 255, 255, 255), 1)


def test_canvas_on_a_root_without_background_rect(store, settings, tmp_path):
    svg = tmp_path / "bare.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'
                   '<circle id="dot" cx="25" cy="25" r="10" fill="red"/></svg>')
    bare = TemplateStore(tmp_path, Settings())
    assert bare.get("bare").layers["canvas"].element.tag.endswith("svg")
    request = RenderRequest(params=[LayerParam(name="canvas", background_color="#00ff0080")],
                            format="png")
    image = decode(pipeline.render(bare.get("bare"), request, settings).files[0].data)
    assert close(image.getpixel((80, 40)), (0, 255, 0, 128), 2)
    assert close(image.getpixel((25, 25)), (255, 0, 0, 255), 2)


def test_title_text_changes_ink_and_stays_inside(store, settings):
    hidden = main_image(store, settings, "social-card", [{"name": "title", "hidden": True}])
    before = main_image(store, settings, "social-card")
    after = main_image(store, settings, "social-card", [{"name": "title", "text": "Hi"}])
    box_before, box_after = diff_box(hidden, before), diff_box(hidden, after)
    assert box_before and box_after and box_before != box_after
    # Short text: narrower ink, same start, inside the template.
    assert box_after[2] - box_after[0] < (box_before[2] - box_before[0]) / 3
    assert abs(box_after[0] - box_before[0]) <= 3
    assert 0 <= box_after[0] and box_after[2] <= 1200 and 0 <= box_after[1] and box_after[3] <= 630


def test_multiline_text_in_figma_tspans(store, settings):
    one = main_image(store, settings, "figma-export", [{"name": "headline", "text": "Osaka"}])
    two = main_image(store, settings, "figma-export",
                     [{"name": "headline", "text": "Osaka\nby night\nand day"}])
    hidden = main_image(store, settings, "figma-export", [{"name": "headline", "hidden": True}])
    box_one, box_two = diff_box(hidden, one), diff_box(hidden, two)
    assert box_two[3] - box_two[1] > 2.5 * (box_one[3] - box_one[1])
    assert abs(box_two[0] - box_one[0]) <= 3  # lines start at the template's x


def test_hidden_removes_ink(store, settings):
    base = main_image(store, settings, "social-card")
    hidden = main_image(store, settings, "social-card", [{"name": "badge", "hidden": True}])
    # Centre-left of the orange badge becomes the white card.
    assert close(base.getpixel((610, 485)), (255, 107, 53, 255), 3)
    assert close(hidden.getpixel((610, 485)), (255, 255, 255, 255), 3)


def test_color_and_opacity(store, settings):
    image = main_image(store, settings, "social-card",
                       [{"name": "badge", "color": "hsl(120, 100%, 25%)"},
                        {"name": "card-panel", "opacity": 0.5}])
    assert close(image.getpixel((610, 485)), (0, 128, 0, 255), 3)
    # Half-transparent white panel over the gradient: lighter than the canvas, not white.
    r, g, b, _ = image.getpixel((1150, 320))
    assert 120 < r < 230 and b < 250


def test_text_color(store, settings):
    hidden = main_image(store, settings, "social-card", [{"name": "price", "hidden": True}])
    red = main_image(store, settings, "social-card", [{"name": "price", "color": "#ff0000"}])
    box = diff_box(hidden, red)
    pixels = [red.getpixel((x, y)) for x in range(box[0], box[2]) for y in range(box[1], box[3])]
    assert sum(close(p, (255, 0, 0, 255), 10) for p in pixels) > 200


def test_border_and_radius_on_shape(store, settings):
    image = main_image(store, settings, "figma-export",
                       [{"name": "cta", "border_color": "#0000ff", "border_width": "6px",
                         "border_radius": 0}])
    # Square corner now filled (was transparent/white before), and a blue border on the edge.
    assert close(image.getpixel((418, 318)), (0, 0, 255, 255), 20)
    assert close(image.getpixel((506, 316)), (0, 0, 255, 255), 20)


def test_border_radius_makes_a_circle(store, settings):
    image = main_image(store, settings, "social-card",
                       [{"name": "badge", "border_radius": 45, "color": "#000000"}])
    # rx = half the height: the left end is a true semicircle (not a squircle).
    # A point just inside the circle is black, just outside (at 45° on the corner) is white.
    cx, cy, r = 635, 485, 45
    inside = (round(cx - 0.7071 * (r - 3)), round(cy - 0.7071 * (r - 3)))
    outside = (round(cx - 0.7071 * (r + 3)), round(cy - 0.7071 * (r + 3)))
    assert close(image.getpixel(inside), (0, 0, 0, 255), 10)
    assert close(image.getpixel(outside), (255, 255, 255, 255), 10)


def _quadrants() -> Image.Image:
    """200×100: left half red, right half blue (so cover/contain/fill crops are visible)."""
    image = Image.new("RGB", (200, 100), (255, 0, 0))
    image.paste((0, 0, 255), (100, 0, 200, 100))
    return image


@pytest.mark.parametrize("scale", [1, 2])
def test_image_positions_on_image_layer(store, settings, scale):
    url = png_data_uri(_quadrants())
    # the social card's photo box: (60, 60) 480×510

    def img(position, **align):
        params = [{"name": "image", "image_url": url, "image_position": position, **align}]
        return main_image(store, settings, "social-card", params, scale=scale)

    def at(image, x, y):
        return image.getpixel((round(x * scale), round(y * scale)))

    cover = img("cover")  # 2:1 image in a 480×510 box: height fills, sides cropped
    assert close(at(cover, 80, 300), (255, 0, 0, 255), 8) and close(at(cover, 520, 300), (0, 0, 255, 255), 8)
    contain = img("contain")  # width fills: 480×240 centred vertically, letterbox shows the card
    assert close(at(contain, 300, 100), (255, 255, 255, 255), 8)
    assert close(at(contain, 100, 315), (255, 0, 0, 255), 8)
    stretched = img("fill")
    assert close(at(stretched, 300, 80), (255, 0, 0, 255), 8) or close(at(stretched, 290, 80), (255, 0, 0, 255), 8)
    assert close(at(stretched, 310, 550), (0, 0, 255, 255), 8)
    top_left = img("align", image_align_h="left", image_align_v="top")  # natural 200×100 size
    assert close(at(top_left, 70, 70), (255, 0, 0, 255), 8)
    assert close(at(top_left, 250, 150), (0, 0, 255, 255), 8)
    assert close(at(top_left, 300, 200), (255, 255, 255, 255), 8)
    right = img("cover", image_align_h="right")
    assert close(at(right, 80, 300), (0, 0, 255, 255), 8)


@pytest.mark.parametrize("scale", [1, 2])
def test_figma_pattern_fill_replaced(store, settings, scale):
    url = png_data_uri(_quadrants())
    params = [{"name": "photo", "image_url": url, "image_position": "contain"}]
    image = main_image(store, settings, "figma-export", params, scale=scale)
    # photo box: 64,64 320×322 rx 12. contain: 320×160 centred vertically (y 145..305).
    s = scale
    assert close(image.getpixel((100 * s, 225 * s)), (255, 0, 0, 255), 8)
    assert close(image.getpixel((350 * s, 225 * s)), (0, 0, 255, 255), 8)
    assert image.getpixel((200 * s, 100 * s))[3] == 255
    assert close(image.getpixel((200 * s, 100 * s)), (255, 255, 255, 255), 8)  # card through the letterbox
    assert close(image.getpixel((65 * s, 65 * s)), (255, 255, 255, 255), 8)  # rounded corner kept


def test_border_radius_on_image_layer(store, settings):
    url = png_data_uri(Image.new("RGB", (100, 100), (0, 200, 0)))
    image = main_image(store, settings, "social-card",
                       [{"name": "image", "image_url": url, "border_radius": 100}])
    assert close(image.getpixel((300, 315)), (0, 200, 0, 255), 6)
    assert close(image.getpixel((64, 64)), (255, 255, 255, 255), 6)  # corner cut off


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_lossy_formats_keep_colours(store, settings, fmt):
    params = [{"name": "canvas", "background_color": "#3366cc"}]
    reference = main_image(store, settings, "social-card", params)
    lossy = main_image(store, settings, "social-card", params, fmt=fmt)
    assert mean_abs_diff(reference, lossy) < 3.0
    for point in [(10, 10), (300, 300), (700, 485), (1000, 400)]:
        assert close(reference.getpixel(point), lossy.getpixel(point), 12)


def test_pdf_and_svg_outputs_are_vector(store, settings):
    pdf = render(store, settings, "certificate", fmt="pdf")
    assert pdf.files[0].data.startswith(b"%PDF")
    media_box = pdf.files[0].data.split(b"/MediaBox [", 1)[1].split(b"]", 1)[0].split()
    # A4 landscape in points: 297 × 210 mm = 841.9 × 595.3 pt (the page follows the 1x pixels).
    assert abs(float(media_box[2]) - 841.9) < 1 and abs(float(media_box[3]) - 595.3) < 1
    assert pdf.files[1].name("x") == "x-thumb.png" and pdf.files[2].name("x") == "x-thumb-2x.png"
    svg = render(store, settings, "social-card", [{"name": "title", "text": "Vector"}], fmt="svg")
    assert svg.files[0].data.startswith(b"<svg") and b">Vector<" in svg.files[0].data
    # Self-contained: the photo is a data: URI again, not an internal token.
    assert b"svgrender-image:" not in svg.files[0].data
    assert b'href="data:image/jpeg;base64,' in svg.files[0].data


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_a_mm_page_has_no_translucent_edge(store, settings, fmt):
    """297 × 210 mm is 1122.5 × 793.7 px, drawn at 1123 × 794: every edge pixel is opaque."""
    result = render(store, settings, "certificate", fmt=fmt)
    for data in (f.data for f in result.files):
        image = decode(data)
        w, h = image.size
        edge = [image.getpixel((x, y)) for x in (0, w - 1) for y in range(0, h, 7)] + \
               [image.getpixel((x, y)) for y in (0, h - 1) for x in range(0, w, 7)]
        assert min(p[3] for p in edge) == 255, image.size


@pytest.mark.parametrize("extra", [{}, {"borderRadius": 40}])
def test_image_border_is_full_width_inside_the_clip(store, settings, extra):
    """The social card's photo is clipped to a rounded rect (60, 60) 480×510: a 12 px border is
    12 px of red inside it, on straight edges and around the rounded corners."""
    param = {"name": "image", "border_color": "#ff0000", "border_width": 12}
    if extra:
        param["border_radius"] = extra["borderRadius"]
    image = main_image(store, settings, "social-card", [param])
    red = [x for x in range(50, 90) if close(image.getpixel((x, 300))[:3], (255, 0, 0), 30)]
    assert red and min(red) >= 60 and max(red) - min(red) >= 10, red
    assert not close(image.getpixel((75, 300))[:3], (255, 0, 0), 60)  # the photo again
    radius = extra.get("borderRadius", 24)
    diagonal = [(60 + d, 60 + d) for d in range(0, radius)]
    corner_red = [p for p in diagonal if close(image.getpixel(p)[:3], (255, 0, 0), 30)]
    assert len(corner_red) >= 5  # the stroke follows the rounded corner
    assert not close(image.getpixel((61, 61))[:3], (255, 0, 0), 30)  # outside the rounding


def test_thumbnails_of_extreme_strips_are_capped(settings, tmp_path):
    """A 1×40 template: the main image is 1×40, the thumbnails at most 4× taller than wide."""
    from svgrender.templates.model import load_template

    strip = load_template("strip", b'<svg xmlns="http://www.w3.org/2000/svg" width="1" '
                                   b'height="40"><rect id="canvas" width="1" height="40" '
                                   b'fill="#f00"/></svg>', settings)
    rendered = pipeline.render(strip, RenderRequest(format="png"), settings)
    sizes = [Image.open(io.BytesIO(f.data)).size for f in rendered.files]
    assert sizes == [(1, 40), (40, 1600), (80, 3200)]
    thumb = Image.open(io.BytesIO(rendered.files[1].data)).convert("RGB")
    assert close(thumb.getpixel((20, 800)), (255, 0, 0))


def test_a_retina_thumbnail_the_size_of_the_image_is_the_image(store, settings, monkeypatch):
    """An 800 px template's retina thumbnail (2 × 400) is its image drawn again at the same
    size: the same file is answered (drawn and encoded once), and it is really 800 px."""
    sizes = []
    draw = pipeline.draw_raster
    monkeypatch.setattr(pipeline, "draw_raster",
                        lambda tree, size, *a, **k: sizes.append(size) or draw(tree, size, *a, **k))
    result = render(store, settings, "figma-export", fmt="jpeg")
    assert len(sizes) == 2
    image, thumb, retina = (Image.open(io.BytesIO(f.data)) for f in result.files)
    assert image.size == retina.size == (800, 450) and thumb.size == (400, 225)
    assert result.files[2].data == result.files[0].data
    other = render(store, settings, "social-card", fmt="jpeg")  # 1200 wide: drawn apart
    assert len(sizes) == 2 + 3
    assert Image.open(io.BytesIO(other.files[2].data)).size == (800, 420)
    assert other.files[2].data != other.files[0].data
