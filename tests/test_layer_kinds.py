"""Layer kinds (svgrender/kinds/): QR codes and barcodes decoded back, image effects checked on
pixels and against Chromium, ratings filled to the right fraction, vector in PDFs, and each kind
reachable as a registry property (OpenAPI, template report, CSV columns, render links)."""

import io
import re
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageDraw
from starlette.testclient import TestClient

from helpers import chromium_screenshot, png_data_uri
from svgrender.api.app import create_app
from svgrender.kinds.barcode import QUIET
from svgrender.kinds.rating import GAP
from svgrender.params import params_from_pairs, query_value

zxingcpp = pytest.importorskip("zxingcpp")

PHOTO_W, PHOTO_H = 240, 160


def _photo() -> Image.Image:
    """A test photo: a colour gradient with a black and a white patch and some detail."""
    x = np.linspace(0, 1, PHOTO_W)[None, :, None]
    y = np.linspace(0, 1, PHOTO_H)[:, None, None]
    rgb = np.concatenate([0.2 + 0.7 * x + 0 * y, 0.3 + 0.5 * y + 0 * x, 0.8 - 0.5 * x + 0 * y],
                         axis=2)
    image = Image.fromarray((rgb * 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 60, 60), fill=(0, 0, 0))
    draw.rectangle((180, 100, 230, 150), fill=(255, 255, 255))
    for i in range(0, PHOTO_W, 8):  # stripes: detail for blur to smooth
        draw.line((i, 70, i, 95), fill=(30, 30, 30), width=3)
    return image


KINDS_SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="700"
    viewBox="0 0 1000 700">
  <rect id="canvas" width="1000" height="700" fill="#ffffff"/>
  <rect id="code" x="20" y="20" width="960" height="220" fill="#eeeeee"/>
  <rect id="small" x="20" y="260" width="60" height="60" fill="#eeeeee"/>
  <g id="moved" transform="translate(600 250) scale(2)">
    <rect x="0" y="0" width="100" height="100" fill="#eeeeee"/>
  </g>
  <rect id="stars" x="50" y="480" width="500" height="100" fill="none"/>
  <image id="photo" x="0" y="0" width="{PHOTO_W}" height="{PHOTO_H}"
    transform="translate(100 280)" href="{png_data_uri(_photo())}"/>
</svg>"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from helpers import TEMPLATES
    root = tmp_path_factory.mktemp("kinds")
    (root / "templates").mkdir()
    (root / "templates" / "kinds.svg").write_text(KINDS_SVG)
    (root / "templates" / "product-card.svg").write_text(
        (TEMPLATES / "product-card.svg").read_text())
    return root


@pytest.fixture(scope="module")
def kinds_settings(folder):
    from svgrender.settings import Settings
    return Settings(templates_dir=folder / "templates", storage_dir=folder / "images",
                    cache_dir=folder / "cache", workers=0, unsigned_links=True)


@pytest.fixture(scope="module")
def api(kinds_settings):
    with TestClient(create_app(kinds_settings)) as client:
        yield client


def _render(api, template: str, params: list, fmt: str = "png", **extra):
    response = api.post(f"/designs/{template}", json={"format": fmt, "params": params, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def _file(api, url: str) -> bytes:
    response = api.get("/files/" + url.rsplit("/", 1)[1])
    assert response.status_code == 200
    return response.content


def _png(api, template: str, params: list, which: str = "imageUrl") -> Image.Image:
    answer = _render(api, template, params)
    return Image.open(io.BytesIO(_file(api, answer[which]))).convert("RGB")


def _decoded(image: Image.Image, only: str | None = None) -> list[tuple[str, str]]:
    """(format, text) of each code zxing-cpp finds (`only`: that format, e.g. UPCA, which it
    otherwise reads as the EAN-13 with a leading 0 that it also is)."""
    options = {"formats": getattr(zxingcpp.BarcodeFormat, only)} if only else {}
    found = [(r.format.name, r.text) for r in zxingcpp.read_barcodes(image, **options)]
    # zxing-cpp 3 gives a UPC-A as its 13-digit GTIN (a leading 0): the 12 digits are the rest
    return [(f, t[1:] if f == "UPCA" and len(t) == 13 and t[0] == "0" else t) for f, t in found]


# --- QR codes -------------------------------------------------------------------------------

URL = "https://shop.example.com/p/trail-runner-2?ref=card&utm_source=svgrender"


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_qr_code_decodes_back_at_1x_and_in_both_thumbnails(api, level):
    params = [{"name": "qr", "qrCode": URL, "qrErrorCorrection": level}]
    answer = _render(api, "product-card", params)
    for which in ("imageUrl", "thumbnailUrl", "retinaThumbnailUrl"):
        image = Image.open(io.BytesIO(_file(api, answer[which]))).convert("RGB")
        assert ("QRCode", URL) in _decoded(image), which


def test_qr_colours_quiet_zone_and_a_transformed_group(api):
    image = _png(api, "kinds", [{"name": "moved", "qrCode": "svgrender", "qrColor": "#1a237e",
                                 "qrBackground": "#fff8e1", "qrQuietZone": False}])
    assert ("QRCode", "svgrender") in _decoded(image)
    pixels = np.asarray(image, dtype=np.int16)
    # Drawn inside the group's box (600..800 × 250..450 after its transform), no quiet zone:
    # the finder pattern's dark corner is at the box's corner.
    ys, xs = np.nonzero(np.abs(pixels - (0x1a, 0x23, 0x7e)).sum(axis=2) < 30)
    assert xs.min() >= 600 and xs.max() < 800 and ys.min() >= 250 and ys.max() < 450
    assert xs.min() <= 612 and ys.min() <= 262  # centred: (200 - 21 × 9) / 2
    assert (np.abs(pixels - (0xff, 0xf8, 0xe1)).sum(axis=2) < 12).sum() > 5000


def test_qr_too_large_for_its_box_is_a_422_naming_the_layer(api):
    response = api.post("/designs/product-card", json={"params": [
        {"name": "qr", "qrCode": URL * 12, "qrErrorCorrection": "H"}]})
    assert response.status_code == 422
    body = response.json()
    assert body["layer"] == "qr" and body["field"] == "qrCode"
    assert "too small to scan" in body["message"] and "'qr'" in body["message"]
    overflow = api.post("/designs/kinds", json={"params": [{"name": "code", "qrCode": "x" * 4000}]})
    assert overflow.status_code == 422 and overflow.json()["layer"] == "code"
    assert "more than a QR code holds" in overflow.json()["message"]


def test_qr_options_need_qr_code_and_fit_only_drawn_layers(api):
    alone = api.post("/designs/kinds", json={"params": [{"name": "code", "qrColor": "#000"}]})
    assert alone.status_code == 422 and "goes with qrCode" in alone.json()["message"]
    text = api.post("/designs/product-card", json={"params": [{"name": "title", "qrCode": "x"}]})
    assert text.status_code == 422 and text.json()["field"].endswith("qrCode")


# --- barcodes -------------------------------------------------------------------------------

BARCODES = [  # (type, value sent, zxing's format, value read back)
    ("ean13", "5901234123457", "EAN13", "5901234123457"),
    ("ean13", "590123412345", "EAN13", "5901234123457"),  # check digit added
    ("upca", "036000291452", "UPCA", "036000291452"),
    ("isbn13", "978-3-16-148410-0", "EAN13", "9783161484100"),
    ("itf", "12345678", "ITF", "12345678"),
    ("code39", "SVG-RENDER 42", "Code39", "SVG-RENDER 42"),
    ("code128", "Hello, svgrender #128!", "Code128", "Hello, svgrender #128!"),
]


@pytest.mark.parametrize("kind,value,fmt,expected", BARCODES)
def test_each_barcode_type_decodes_back_at_1x_and_in_both_thumbnails(api, kind, value, fmt,
                                                                      expected):
    answer = _render(api, "kinds", [{"name": "code", "barcode": {"type": kind, "value": value}}])
    modules = len(_modules(kind, value)) + 2 * QUIET.get(kind, 10)
    module_1x = 960 // modules  # the layer's box is 960 px wide
    checked = 0
    for which in ("imageUrl", "thumbnailUrl", "retinaThumbnailUrl"):
        image = Image.open(io.BytesIO(_file(api, answer[which]))).convert("RGB")
        if module_1x * image.width / 1000 < 2:
            continue  # a thumbnail too small for this code's modules: not scannable by design
        decoded = _decoded(image, only=fmt if fmt == "UPCA" else None)
        assert (fmt, expected) in decoded, (which, decoded)
        checked += 1
    assert checked >= 2  # 1x and the retina thumbnail at least


def _modules(kind: str, value: str) -> str:
    import barcode
    options = {"add_checksum": False} if kind == "code39" else {}
    return barcode.get_barcode_class(kind)(value.replace("-", "") if kind == "isbn13" else value,
                                           **options).build()[0]


def test_barcode_without_text_and_in_the_demo_box(api):
    bare = _png(api, "kinds", [{"name": "code", "barcode": {
        "type": "code128", "value": "ABC-123", "text": False, "color": "#003300"}}])
    assert ("Code128", "ABC-123") in _decoded(bare)
    card = _png(api, "product-card", [{"name": "barcode", "barcode": {
        "type": "ean13", "value": "4006381333931"}}])
    assert ("EAN13", "4006381333931") in _decoded(card)
    # the digits under the bars: dark ink below the bars' bottom within the layer's box
    pixels = np.asarray(card.crop((480, 380, 760, 530)).convert("L"))
    rows_with_ink = np.nonzero((pixels < 100).sum(axis=1))[0]
    gaps = np.diff(rows_with_ink)
    assert gaps.max() > 1  # bars, then a gap, then the text


@pytest.mark.parametrize("spec,reason", [
    ({"type": "ean13", "value": "5901234123458"}, "check digit"),
    ({"type": "upca", "value": "036000291453"}, "check digit"),
    ({"type": "ean13", "value": "59012341234"}, "12 digits"),
    ({"type": "itf", "value": "123"}, "even number"),
    ({"type": "code39", "value": "lower"}, "A-Z"),
])
def test_bad_barcode_values_are_422_naming_the_layer(api, spec, reason):
    response = api.post("/designs/kinds", json={"params": [{"name": "code", "barcode": spec}]})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["layer"] == "code" and body["field"] == "barcode" and reason in body["message"]


def test_barcode_too_wide_for_the_box_is_refused(api):
    response = api.post("/designs/kinds", json={"params": [{"name": "small", "barcode": {
        "type": "ean13", "value": "5901234123457"}}]})
    assert response.status_code == 422
    assert response.json()["layer"] == "small" and "too small to scan" in response.json()["message"]


# --- batch columns, render links, schema, report ---------------------------------------------

def test_kinds_as_csv_columns_and_render_links(api):
    from svgrender.jobs.rows import rows_from_csv
    import msgspec
    csv = ("qr.qrCode,qr.qrErrorCorrection,barcode.barcode,rating.rating,photo.imageEffect\n"
           "https://a.example/1,H,ean13:5901234123457,4.5,grayscale|blur:2\n"
           'https://a.example/2,L,"{""type"":""code128"",""value"":""X-1""}",2,sepia\n').encode()
    rows = rows_from_csv(csv, "png", 10)
    first, second = (msgspec.json.decode(r.body) for r in rows)
    assert first["params"][1] == {"name": "barcode", "barcode": {
        "type": "ean13", "value": "5901234123457", "text": True}} or \
        first["params"][1]["barcode"]["value"] == "5901234123457"
    assert second["params"][1]["barcode"]["type"] == "code128"
    assert all(r.error is None for r in rows)
    params = params_from_pairs([("barcode.barcode", "code39:AB:12"), ("qr.qrQuietZone", "false")])
    assert params[0].barcode.value == "AB:12" and params[1].qr_quiet_zone is False
    # A link carries a barcode as JSON and renders like the POST.
    value = query_value(params[0].barcode)
    link = api.get("/links/product-card.png", params={
        "qr.qrCode": "https://a.example/link", "barcode.barcode": "ean13:5901234123457",
        "rating.rating": "3.5"})
    assert link.status_code == 200, link.text
    decoded = _decoded(Image.open(io.BytesIO(link.content)).convert("RGB"))
    assert ("QRCode", "https://a.example/link") in decoded
    assert ("EAN13", "5901234123457") in decoded
    assert params_from_pairs([("b.barcode", value)])[0].barcode == params[0].barcode
    bad = api.get("/links/product-card.png", params={"barcode.barcode": "ean13"})
    assert bad.status_code in (400, 422) and bad.json()["field"] == "barcode.barcode"


def test_kinds_in_openapi_and_the_template_report(api):
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    layer = schemas["LayerParam"]["properties"]
    for name in ("qrCode", "qrErrorCorrection", "qrColor", "qrBackground", "qrQuietZone",
                 "barcode", "rating", "ratingMax", "ratingColor", "ratingEmptyColor",
                 "ratingShape", "imageEffect"):
        assert name in layer, name
    assert set(schemas["Barcode"]["properties"]["type"]["enum"]) == {
        "ean13", "upca", "code128", "code39", "itf", "isbn13"}
    report = {l["name"]: l for l in api.get("/templates/product-card").json()["layers"]}
    assert {"qrCode", "barcode", "rating"} <= set(report["qr"]["properties"])
    assert "imageEffect" in report["photo"]["properties"]
    assert "qrCode" not in report["photo"]["properties"]


def test_pdf_keeps_the_qr_code_as_vector(api):
    from pypdf import PdfReader
    answer = _render(api, "kinds", [{"name": "code", "qrCode": URL},
                                    {"name": "stars", "rating": 3.5}], fmt="pdf")
    page = PdfReader(io.BytesIO(_file(api, answer["imageUrl"]))).pages[0]
    xobjects = page["/Resources"].get("/XObject") or {}
    images = [name for name, ref in xobjects.items() if ref.get_object()["/Subtype"] == "/Image"]
    # the template's photo is the only picture; the QR code is paths (many filled rects)
    assert len(images) <= 1
    content = page.get_contents().get_data().decode("latin-1")
    assert len(re.findall(r"\b(?:l|re)\b", content)) > 100
    svg = _file(api, _render(api, "kinds", [{"name": "code", "qrCode": URL}], fmt="svg")
                ["imageUrl"]).decode()
    assert 'data-kind="qrCode"' in svg or "<path" in svg


# --- image effects --------------------------------------------------------------------------

PHOTO_BOX = (100, 280, 100 + PHOTO_W, 280 + PHOTO_H)
INNER = (slice(12, PHOTO_H - 12), slice(12, PHOTO_W - 12))  # away from the blurred edges


def _photo_pixels(api, effect: str | None) -> np.ndarray:
    params = [{"name": "photo", "imageEffect": effect}] if effect else []
    image = _png(api, "kinds", params).crop(PHOTO_BOX)
    return np.asarray(image, dtype=np.float64)


@pytest.fixture(scope="module")
def original(api):
    return _photo_pixels(api, None)


def _matrix(pixels: np.ndarray, rows) -> np.ndarray:
    m = np.array(rows, dtype=np.float64)
    out = pixels / 255 @ m[:, :3].T + m[:, 3]
    return np.clip(out, 0, 1) * 255


def test_grayscale_has_equal_channels(api, original):
    ours = _photo_pixels(api, "grayscale")
    assert np.abs(ours[..., 0] - ours[..., 1]).max() <= 2
    assert np.abs(ours[..., 1] - ours[..., 2]).max() <= 2
    expected = _matrix(original, [[0.2126, 0.7152, 0.0722, 0]] * 3)
    assert np.abs(ours - expected)[INNER].mean() < 2.0


def test_sepia_tones(api, original):
    ours = _photo_pixels(api, "sepia")
    expected = _matrix(original, [[0.393, 0.769, 0.189, 0], [0.349, 0.686, 0.168, 0],
                                  [0.272, 0.534, 0.131, 0]])
    assert np.abs(ours - expected)[INNER].mean() < 2.0
    lit = ours[INNER][ours[INNER].sum(axis=-1) > 60]
    assert (lit[:, 0] >= lit[:, 1]).mean() > 0.99 and (lit[:, 1] >= lit[:, 2]).mean() > 0.99


def test_blur_lowers_local_variance(api, original):
    ours = _photo_pixels(api, "blur:4")

    def roughness(a):
        g = a.mean(axis=-1)
        return np.abs(np.diff(g, axis=1))[INNER[0], INNER[1]].mean()
    assert roughness(ours) < roughness(original) * 0.5
    assert abs(ours[INNER].mean() - original[INNER].mean()) < 4  # same light, just softer


def test_duotone_maps_dark_and_light_to_the_two_colours(api):
    ours = _photo_pixels(api, "duotone:#123,#fc3")
    assert np.abs(ours[25:45, 25:45] - (0x11, 0x22, 0x33)).max() <= 3  # the black patch
    assert np.abs(ours[115:135, 195:215] - (0xff, 0xcc, 0x33)).max() <= 3  # the white patch
    # every pixel lies between the two colours (B stays 0x33)
    assert np.abs(ours[INNER][..., 2] - 0x33).max() <= 3


@pytest.mark.parametrize("effect,rows", [
    ("tint:#ff0066:0.4", [[0.6, 0, 0, 0.4], [0, 0.6, 0, 0], [0, 0, 0.6, 0.4 * 0.4]]),
    ("brightness:1.2", [[1.2, 0, 0, 0], [0, 1.2, 0, 0], [0, 0, 1.2, 0]]),
    ("contrast:1.5", [[1.5, 0, 0, -0.25], [0, 1.5, 0, -0.25], [0, 0, 1.5, -0.25]]),
])
def test_linear_effects_match_their_formula(api, original, effect, rows):
    ours = _photo_pixels(api, effect)
    assert np.abs(ours - _matrix(original, rows))[INNER].mean() < 2.0


def test_saturate_and_combined_effects(api, original):
    grey = _photo_pixels(api, "saturate:0")
    assert np.abs(grey[..., 0] - grey[..., 2]).max() <= 2
    vivid = _photo_pixels(api, "saturate:1.5")
    spread = lambda a: (a.max(axis=-1) - a.min(axis=-1))[INNER].mean()  # noqa: E731
    assert spread(vivid) > spread(original) * 1.2
    combined = _photo_pixels(api, "grayscale | brightness:0.5")
    expected = _matrix(original, [[0.2126 / 2, 0.7152 / 2, 0.0722 / 2, 0]] * 3)
    assert np.abs(combined - expected)[INNER].mean() < 2.0


@pytest.mark.parametrize("effect,reason", [
    ("sparkle", "is not one of"), ("blur:x", "takes a number"), ("duotone:#000", "two colours"),
    ("tint:nocolour:0.3", "CSS colour"), ("brightness", "takes a number")])
def test_bad_effects_are_422(api, effect, reason):
    response = api.post("/designs/kinds", json={"params": [{"name": "photo",
                                                             "imageEffect": effect}]})
    assert response.status_code == 422 and response.json()["layer"] == "photo"
    assert reason in response.json()["message"]


EFFECTS = ["grayscale", "sepia", "blur:6", "duotone:#123,#fc3", "tint:#ff0066:0.4",
           "brightness:1.2", "contrast:1.1", "saturate:0.5"]


@pytest.mark.parametrize("effect", EFFECTS)
def test_effects_match_chromium(api, effect):
    """Our drawing of the SVG output against Debian's Chromium drawing the same SVG."""
    params = [{"name": "photo", "imageEffect": effect}]
    answer = _render(api, "kinds", params, fmt="svg")
    svg = _file(api, answer["imageUrl"]).decode()
    ours = _png(api, "kinds", params).crop(PHOTO_BOX)
    chromium = chromium_screenshot(svg, 1000, 700).crop(PHOTO_BOX)
    diff = np.abs(np.asarray(ours, dtype=np.int16) - np.asarray(chromium, dtype=np.int16))
    assert diff.mean() <= 3.0, (effect, diff.mean())


# --- ratings --------------------------------------------------------------------------------

RED, BLUE = "#ff0000", "#0000ff"


def _rating(api, value: float, shape: str = "star") -> tuple[np.ndarray, np.ndarray]:
    """(filled coverage, empty coverage) of each pixel in the rating box."""
    image = _png(api, "kinds", [{"name": "stars", "rating": value, "ratingColor": RED,
                                 "ratingEmptyColor": BLUE, "ratingShape": shape}])
    a = np.asarray(image.crop((50, 480, 550, 580)), dtype=np.float64) / 255
    return 1 - a[..., 2], 1 - a[..., 0]  # red has no blue, blue no red, white both


@pytest.mark.parametrize("shape", ["star", "heart", "circle"])
def test_ratings_fill_the_right_fractions(api, shape):
    full, _ = _rating(api, 5, shape)
    size = min(100, 500 / (5 + GAP * 4))
    step = size * (1 + GAP)
    x0 = (500 - (step * 4 + size)) / 2
    columns = np.arange(500) + 0.5
    for value in (0, 2.5, 3.7, 5):
        filled, empty = _rating(api, value, shape)
        assert np.abs(filled + empty - full).mean() < 0.01  # the same shapes, every time
        for i in range(5):
            fraction = min(max(value - i, 0), 1)
            left = x0 + i * step
            inside = (columns >= left - 1) & (columns < left + size + 1)
            cut = np.clip(left + fraction * size - (columns - 0.5), 0, 1)  # coverage per column
            expected = (full * cut)[:, inside].sum()
            got = filled[:, inside].sum()
            total = full[:, inside].sum()
            assert abs(got - expected) <= 0.01 * total + 2, (shape, value, i, got, expected)
    # 3.7 of 5 stars: the fourth is filled 70 % of its width, exactly at its cut
    filled, _ = _rating(api, 3.7, shape)
    fourth = x0 + 3 * step
    reds = np.nonzero(filled[:, int(fourth):int(fourth + size)].max(axis=0) > 0.5)[0]
    assert abs(int(fourth) + reds.max() + 1 - (fourth + 0.7 * size)) <= 1.0


def test_rating_out_of_range_is_422(api):
    response = api.post("/designs/kinds", json={"params": [{"name": "stars", "rating": 6}]})
    assert response.status_code == 422 and response.json()["layer"] == "stars"
    maximum = api.post("/designs/kinds", json={"params": [{"name": "stars", "rating": 6,
                                                           "ratingMax": 10}]})
    assert maximum.status_code == 201
