"""Changed text stays where the designer put it, as a user of the API sees it: the demo
certificate (the README's batch example), an ordinary card with plain `<text x y>` layers, the
template report (anchor, box, growth), the fit report and the overlap warning, in the answer,
the batch status and the OpenAPI document."""

from __future__ import annotations

import io
import shutil
import time

import numpy as np
import pytest
from PIL import Image
from starlette.testclient import TestClient

from helpers import TEMPLATES
from svgrender.api.app import create_app
from svgrender.settings import Settings

# A 1200x630 card as people write by hand or export from Figma: a white card on a blue page,
# title and subtitle at its top-left margin, a price sitting on the card's bottom.
CARD = """<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">
  <rect id="page" width="1200" height="630" fill="#1d4ed8"/>
  <rect id="card" x="80" y="60" width="1040" height="510" rx="24" fill="#ffffff"/>
  <text id="title" x="140" y="170" font-family="Noto Sans" font-size="64" font-weight="bold"
        fill="#111827">Summer sale</text>
  <text id="subtitle" x="140" y="235" font-family="Noto Sans" font-size="32"
        fill="#4b5563">Everything must go</text>
  <text id="price" x="140" y="510" font-family="Noto Sans" font-size="56" font-weight="bold"
        fill="#b91c1c">€ 49</text>
  <text id="note" x="1060" y="510" text-anchor="end" font-family="Noto Sans" font-size="24"
        fill="#6b7280">while stocks last</text>
</svg>"""

# Two stacked texts with little room between them: a long first text reaches the second.
STACK = """<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400" viewBox="0 0 600 400">
  <rect id="bg" width="600" height="400" fill="#ffffff"/>
  <text id="headline" x="40" y="80" font-family="Noto Sans" font-size="40"
        fill="#000000">Short headline</text>
  <text id="byline" x="40" y="130" font-family="Noto Sans" font-size="20"
        fill="#333333">by the editors</text>
</svg>"""


# A sentence with a named span, as Inkscape and Illustrator write them; `tspan12` is an editor's
# id, not a name.
SENTENCE = """<svg xmlns="http://www.w3.org/2000/svg" width="800" height="300" viewBox="0 0 800 300">
  <rect id="bg" width="800" height="300" fill="#ffffff"/>
  <text id="sentence" x="400" y="100" text-anchor="middle" font-family="Noto Sans" font-size="28"
        fill="#222222">has completed <tspan id="course" font-weight="bold"
        fill="#1d4ed8">Analytics 101</tspan> with distinction</text>
  <text id="greeting" x="40" y="200" font-family="Noto Sans" font-size="28" fill="#222222"><tspan
        id="tspan12" x="40" y="200">Hello <tspan id="who" fill="#b91c1c">World</tspan></tspan><tspan
        id="tspan14" x="160" y="200">, welcome</tspan></text>
</svg>"""


# A headline with room to grow down onto a photo (a shape here) and a price inside its badge.
OVER_SHAPES = """<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400" viewBox="0 0 600 400">
  <rect id="bg" width="600" height="400" fill="#ffffff"/>
  <text id="headline" x="40" y="70" font-family="Noto Sans" font-size="36"
        fill="#000000">Short headline</text>
  <rect id="photo" x="40" y="120" width="520" height="160" fill="#88aacc"/>
  <rect id="badge" x="40" y="300" width="200" height="70" rx="35" fill="#ff6b35"/>
  <text id="price" x="140" y="347" text-anchor="middle" font-family="Noto Sans" font-size="30"
        fill="#ffffff">$12</text>
</svg>"""


@pytest.fixture
def app_client(tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    (folder / "card.svg").write_text(CARD)
    (folder / "stack.svg").write_text(STACK)
    (folder / "sentence.svg").write_text(SENTENCE)
    (folder / "over-shapes.svg").write_text(OVER_SHAPES)
    settings = Settings(templates_dir=folder, storage_dir=tmp_path / "images",
                        cache_dir=tmp_path / "cache", workers=0)
    with TestClient(create_app(settings)) as client:
        yield client


def _render(client, template: str, params: list[dict]) -> tuple[np.ndarray, dict]:
    response = client.post(f"/designs/{template}", json={"format": "png", "params": params})
    assert response.status_code == 201, response.text
    answer = response.json()
    image = Image.open(io.BytesIO(client.get(answer["imageUrl"]).content)).convert("RGB")
    return np.asarray(image).astype(np.int16), answer


def _ink(image: np.ndarray, colour: tuple, region=None) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1) of pixels close to `colour` (a text's fill)."""
    near = (np.abs(image - np.array(colour)) < 60).all(axis=2)
    if region:
        x0, y0, x1, y1 = region
        clipped = np.zeros_like(near)
        clipped[y0:y1, x0:x1] = near[y0:y1, x0:x1]
        near = clipped
    ys, xs = np.nonzero(near)
    if not len(xs):
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def test_certificate_name_sent_back_draws_the_same_pixels(app_client):
    base, _ = _render(app_client, "certificate", [])
    same, answer = _render(app_client, "certificate", [{"name": "recipient",
                                                        "text": "Ada Lovelace"}])
    assert (np.abs(base - same) > 40).any(axis=2).sum() == 0
    assert answer["layout"]["recipient"] == {"lines": 1, "fontSize": 64.0, "scale": 1.0,
                                             "cut": False}


def test_product_card_title_stays_clear_of_its_rating_and_barcode(app_client):
    """The demo product card's title has an unpainted `title-box` (x 40-460, y 352-416): a long
    title is shrunk into that box (on two lines where they fit) and never runs under the barcode
    (x ≥ 480) nor over the rating (y ≥ 420); the same title sent back draws the same pixels."""
    base, _ = _render(app_client, "product-card", [])
    same, _ = _render(app_client, "product-card", [{"name": "title", "text": "Trail Runner 2"}])
    assert (np.abs(base - same) > 40).any(axis=2).sum() == 0
    dark = (0x1d, 0x1d, 0x1f)
    own = _ink(base, dark, (20, 340, 480, 420))
    for title in ("Trail Runner 2 Ultra", "Trail Runner 2 Ultralight Waterproof Edition",
                  "Trail Runner 2 Ultralight Waterproof Edition for Long Mountain Races"):
        image, answer = _render(app_client, "product-card", [{"name": "title", "text": title}])
        ink = _ink(image, dark, (20, 330, 800, 440))
        assert ink is not None and ink[0] >= 38 and ink[2] <= 460, (title, ink)
        assert ink[1] >= 350 and ink[3] < 420, (title, ink)  # in its box, above the rating
        assert (np.abs(base[380:540, 480:760] - image[380:540, 480:760]) > 40).sum() == 0
        fit = answer["layout"]["title"]
        assert fit["lines"] <= 2
    assert fit["scale"] < 1.0
    assert any("'title'" in w for w in answer["warnings"])


def test_certificate_lines_stay_where_the_template_has_them(app_client):
    base, _ = _render(app_client, "certificate", [])
    names = ["Grace Hopper", "Li", "Maximilian Alexander von Habsburg-Lothringen"]
    navy, brown = (0x1f, 0x3b, 0x5c), (0x3d, 0x2c, 0x1e)
    own_name = _ink(base, navy, (60, 320, 1060, 420))
    own_course = _ink(base, brown, (60, 440, 1060, 530))
    for name in names:
        image, answer = _render(app_client, "certificate", [
            {"name": "recipient", "text": name},
            {"name": "course", "text": "has completed the course Distributed Systems 201"}])
        ink = _ink(image, navy, (60, 300, 1060, 440))
        # Above the rule (y 415, descenders included), capitals as high as the template's
        # (lower when shrunk), centred on the page's middle (x 561).
        assert ink is not None and ink[3] < 414 and ink[1] >= own_name[1] - 3, (name, ink)
        if answer["layout"]["recipient"]["scale"] == 1.0:
            assert abs(ink[1] - own_name[1]) <= 3, (name, ink)
        assert abs((ink[0] + ink[2]) / 2 - 561) <= 3, (name, ink)
        # Within the template's unpainted `recipient-box` (x 261-861): on its rule, not across
        # the page.
        assert ink[0] >= 261 and ink[2] <= 861, (name, ink)
        course = _ink(image, brown, (60, 440, 1060, 530))
        assert abs(course[3] - own_course[3]) <= 2 and abs((course[0] + course[2]) / 2 - 561) <= 3
        # The date and signature are untouched.
        assert (np.abs(base[600:700] - image[600:700]) > 40).sum() == 0
        fit = answer["layout"]["recipient"]
        assert fit["lines"] == 1 and not fit["cut"]
    assert fit["scale"] < 1.0  # the long name was shrunk onto its line (data-auto-fit) ...
    assert any("'recipient'" in w and "shrunk" in w for w in answer["warnings"])  # ... and said


def test_card_subtitle_and_price_keep_their_place(app_client):
    base, _ = _render(app_client, "card", [])
    grey, red = (0x4b, 0x55, 0x63), (0xb9, 0x1c, 0x1c)
    own_sub = _ink(base, grey, (100, 190, 1100, 260))
    own_price = _ink(base, red, (100, 420, 1100, 540))
    image, answer = _render(app_client, "card", [{"name": "subtitle", "text": "Half price"},
                                                 {"name": "price", "text": "€ 1299"}])
    sub = _ink(image, grey, (100, 190, 1100, 260))
    price = _ink(image, red, (100, 420, 1100, 540))
    assert abs(sub[0] - own_sub[0]) <= 2 and abs(sub[3] - own_sub[3]) <= 2  # same start, line
    assert abs(price[0] - own_price[0]) <= 2 and abs(price[3] - own_price[3]) <= 2
    assert set(answer["layout"]) == {"subtitle", "price"}


def test_a_long_price_grows_up_from_the_cards_bottom(app_client):
    base, _ = _render(app_client, "card", [])
    red = (0xb9, 0x1c, 0x1c)
    own = _ink(base, red, (100, 420, 1100, 560))
    words = "NOW ONLY € 49 FOR THE FIRST HUNDRED CUSTOMERS WHO ORDER BEFORE THE END OF MAY"
    image, answer = _render(app_client, "card", [{"name": "price", "text": words}])
    ink = _ink(image, red)
    assert answer["layout"]["price"]["lines"] >= 2
    assert abs(ink[3] - own[3]) <= 2  # the last line sits where the price sat
    assert ink[1] < own[1] - 40  # the first lines went up
    assert ink[2] <= 1120 and ink[0] >= 80 and ink[1] >= 60  # inside the white card


def test_template_report_names_anchor_box_and_growth(app_client):
    layers = {l["name"]: l for l in app_client.get("/templates/card").json()["layers"]}
    assert layers["title"]["anchor"] == "start" and layers["title"]["grows"] == "down"
    assert layers["price"]["grows"] == "up"
    assert layers["note"]["anchor"] == "end"
    assert layers["subtitle"]["boxSource"] == "shape"
    box = layers["subtitle"]["box"]
    # The white card, a little inside its rounded edges.
    assert 80 <= box["x"] <= 100 and box["y"] == 60 and box["x"] + box["width"] <= 1120
    assert layers["subtitle"]["text"] == "Everything must go"
    certificate = {l["name"]: l for l in app_client.get("/templates/certificate").json()[
        "layers"]}
    assert certificate["recipient"]["anchor"] == "middle"


def test_text_report_round_trips_lines_without_indentation(app_client):
    layers = {l["name"]: l for l in app_client.get("/templates/instagram-post").json()[
        "layers"]}
    multi = [l for l in layers.values() if l["type"] == "text" and "\n" in l.get("text", "")]
    for layer in multi:
        assert all(line == line.strip() and line for line in layer["text"].split("\n")), layer
    for name, layer in layers.items():
        if layer["type"] != "text":
            continue
        base, _ = _render(app_client, "instagram-post", [])
        same, _ = _render(app_client, "instagram-post", [{"name": name, "text": layer["text"]}])
        assert (np.abs(base - same) > 40).any(axis=2).mean() < 0.001, name


def test_cut_text_is_reported_and_warned(app_client):
    _, answer = _render(app_client, "card", [{"name": "subtitle", "maxLines": 1,
                                              "text": "Everything must go " * 12}])
    assert answer["layout"]["subtitle"]["cut"] is True
    assert any("'subtitle'" in w and "cut" in w for w in answer["warnings"])


def test_overlap_with_another_text_is_warned(app_client):
    _, quiet = _render(app_client, "stack", [{"name": "headline", "text": "Long headline"}])
    assert not any("overlaps" in w for w in quiet.get("warnings", []))
    _, answer = _render(app_client, "stack", [
        {"name": "headline", "text": "A much longer headline that has to wrap onto a second line"}])
    assert answer["layout"]["headline"]["lines"] >= 2
    assert answer["layout"]["headline"]["overlaps"] == ["byline"]
    assert any("'headline'" in w and "byline" in w for w in answer["warnings"])


def test_overlap_with_a_shape_it_did_not_meet_is_warned_not_its_own_badge(app_client):
    """A text growing onto a layer it did not meet in the template (a photo, a shape) is said;
    a text inside the badge it always sat on, and the page under everything, are not news."""
    _, answer = _render(app_client, "over-shapes", [
        {"name": "headline", "text": "A much longer headline that wraps onto the photo below it "
                                     "and on and on"},
        {"name": "price", "text": "$1,299"}])
    assert answer["layout"]["headline"]["lines"] >= 2
    assert answer["layout"]["headline"]["overlaps"] == ["photo"]
    assert any("'headline'" in w and "'photo'" in w for w in answer["warnings"])
    assert "overlaps" not in answer["layout"]["price"]  # still inside its badge
    assert not any("'price'" in w and "overlaps" in w for w in answer["warnings"])


def test_batch_rows_carry_their_fit_report(app_client):
    rows = "recipient.text,course.text\nAda Lovelace,has completed the course\n" \
           "Maximilian Alexander von Habsburg-Lothringen,has completed it\n"
    response = app_client.post("/batches/certificate?format=png", content=rows,
                               headers={"content-type": "text/csv"})
    assert response.status_code == 202, response.text
    batch = response.json()["id"]
    for _ in range(300):
        status = app_client.get(f"/batches/{batch}").json()
        if status["state"] != "running":
            break
        time.sleep(0.1)
    assert status["done"] == 2
    notes = {note["row"]: note for note in status["notes"]}
    assert set(notes) == {2}  # only the row whose text was shrunk
    assert notes[2]["layout"]["recipient"]["scale"] < 1.0
    assert any("shrunk" in w for w in notes[2]["warnings"])


def test_openapi_documents_the_fit_report_and_placement(app_client):
    schemas = app_client.get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["Fit"]["properties"]) >= {"lines", "fontSize", "scale", "cut", "overlaps"}
    assert "layout" in schemas["Answer"]["properties"]
    assert set(schemas["Layer"]["properties"]) >= {"anchor", "grows", "boxSource", "box"}


def test_a_named_span_is_a_layer_and_sending_its_words_back_changes_nothing(app_client):
    layers = {l["name"]: l for l in app_client.get("/templates/sentence").json()["layers"]}
    assert layers["course"]["type"] == "text" and layers["course"]["text"] == "Analytics 101"
    assert "who" in layers and "tspan12" not in layers and "tspan14" not in layers
    base, _ = _render(app_client, "sentence", [])
    same, answer = _render(app_client, "sentence", [{"name": "course", "text": "Analytics 101"},
                                                    {"name": "who", "text": "World"}])
    assert (np.abs(base - same) > 40).any(axis=2).sum() == 0
    assert answer["layout"]["course"]["scale"] == 1.0


def test_a_changed_span_reflows_its_line_about_the_lines_anchor(app_client):
    blue, dark = (0x1d, 0x4e, 0xd8), (0x22, 0x22, 0x22)
    base, _ = _render(app_client, "sentence", [])
    image, answer = _render(app_client, "sentence", [
        {"name": "course", "text": "Distributed Systems"}])
    own_line, line = _ink(base, dark, (0, 60, 800, 120)), _ink(image, dark, (0, 60, 800, 120))
    own_span, span = _ink(base, blue, (0, 60, 800, 120)), _ink(image, blue, (0, 60, 800, 120))
    assert span[2] - span[0] > own_span[2] - own_span[0] + 50  # the new words are longer
    assert line[0] < own_line[0] - 25 and line[2] > own_line[2] + 25  # both sides moved out
    assert abs((line[0] + line[2]) / 2 - 400) <= 3  # still centred on x 400
    assert abs(line[3] - own_line[3]) <= 1  # on its baseline
    assert answer["layout"]["course"] == {"lines": 1, "fontSize": 28.0, "scale": 1.0,
                                          "cut": False}


def test_words_after_a_changed_span_move_with_it_and_a_long_sentence_shrinks(app_client):
    red, dark = (0xb9, 0x1c, 0x1c), (0x22, 0x22, 0x22)
    image, _ = _render(app_client, "sentence", [{"name": "who", "text": "everyone out there"}])
    who = _ink(image, red, (0, 160, 800, 230))
    rest = _ink(image, dark, (who[2] - 2, 160, 800, 230))
    assert rest is not None and rest[0] >= who[2]  # ", welcome" follows, not under the words
    image, answer = _render(app_client, "sentence", [
        {"name": "course", "text": "Advanced Distributed Systems Engineering and Operations 201"}])
    line = _ink(image, dark, (0, 40, 800, 140))
    assert line[0] >= 0 and line[2] <= 799 and abs((line[0] + line[2]) / 2 - 400) <= 3
    assert answer["layout"]["course"]["scale"] < 1.0
    assert any("'course'" in w and "shrunk" in w for w in answer["warnings"])


# A box marked as editors do: an unpainted rect named `<layer>-box`, here in a moved group.
UNPAINTED_BOX = """<svg xmlns="http://www.w3.org/2000/svg" width="800" height="300" viewBox="0 0 800 300">
  <rect id="bg" width="800" height="300" fill="#ffffff"/>
  <g transform="translate(200 0)"><rect id="label-box" x="0" y="60" width="400" height="80"
     fill="none"/></g>
  <text id="label" x="400" y="120" text-anchor="middle" font-family="Noto Sans" font-size="48"
        fill="#111111">Short</text>
</svg>"""


def test_an_unpainted_box_rect_bounds_a_changed_text(app_client, tmp_path):
    (tmp_path / "templates" / "unpainted.svg").write_text(UNPAINTED_BOX)
    layers = {l["name"]: l for l in app_client.get("/templates/unpainted").json()["layers"]}
    assert layers["label"]["boxSource"] == "explicit"
    assert layers["label"]["box"] == {"x": 200.0, "y": 60.0, "width": 400.0, "height": 80.0}
    image, answer = _render(app_client, "unpainted", [
        {"name": "label", "text": "A much longer label than the box can hold"}])
    ink = _ink(image, (0x11, 0x11, 0x11))
    assert ink is not None and ink[0] >= 200 and ink[2] <= 600, ink
