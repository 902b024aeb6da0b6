"""Real exports become working templates, and changed text never silently breaks."""

import io
import shutil
from dataclasses import replace

import pytest
from PIL import Image
from starlette.testclient import TestClient

from helpers import CORPUS, TEMPLATES
from lines import line_bands
from svgrender.api.app import create_app

ILLUSTRATOR_STYLE = b"""<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 27.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg version="1.1" id="Layer_1" xmlns="http://www.w3.org/2000/svg"
  xmlns:xlink="http://www.w3.org/1999/xlink" x="0px" y="0px" width="400px" height="200px"
  viewBox="0 0 400 200" style="enable-background:new 0 0 400 200;" xml:space="preserve">
<style type="text/css">
  .st0{fill:#F4F4F4;}
  .st1{fill:#1E2A38;}
  .st2{font-family:'DejaVu Sans';}
  .st3{font-size:28px;}
</style>
<g data-name="Background"><rect class="st0" width="400" height="200"/></g>
<g data-name="Badge"><rect x="20" y="120" class="st1" width="120" height="50"/></g>
<text data-name="Headline" transform="matrix(1 0 0 1 20 60)" class="st1 st2 st3">Hello</text>
</svg>
"""


@pytest.fixture
def app(settings, tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    with TestClient(create_app(replace(settings, templates_dir=folder))) as client:
        yield client


def image_of(client, url) -> Image.Image:
    return Image.open(io.BytesIO(client.get(url).content)).convert("RGB")


def test_illustrator_doctype_and_data_name_layers(app):
    assert app.put("/templates/ai", content=ILLUSTRATOR_STYLE).status_code == 200
    layers = {l["name"]: l["type"] for l in app.get("/templates/ai").json()["layers"]}
    assert layers["Headline"] == "text" and layers["Badge"] == "group"
    answer = app.post("/designs/ai", json={"format": "png", "params": [
        {"name": "Badge", "opacity": 0}, {"name": "Headline", "text": "Changed"}]})
    assert answer.status_code == 201, answer.text
    image = image_of(app, answer.json()["imageUrl"])
    assert image.getpixel((80, 145)) == (244, 244, 244)  # the badge is gone
    before = image_of(app, app.post("/designs/ai", json={"format": "png"}).json()["imageUrl"])
    assert image.crop((0, 20, 400, 80)).tobytes() != before.crop((0, 20, 400, 80)).tobytes()


FIGMA = sorted((CORPUS / "figma-qvinciy").glob("*.svg")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not FIGMA, reason="../shared/corpus is absent (a user's clone)")
@pytest.mark.parametrize("path", FIGMA, ids=lambda p: p.name)
def test_outlined_figma_exports_say_so(app, path):
    """Figma's default export outlines text and names nothing: the report says how to fix it."""
    answer = app.put("/templates/figma", content=path.read_bytes())
    assert answer.status_code == 200, answer.text[:300]
    body = answer.json()
    codes = {f["code"] for f in body["findings"]}
    assert "no_layers" in codes or len(body["layers"]) > 1
    if not any(l["type"] == "text" for l in body["layers"]):
        assert "outlined_text" in codes
        outlined = next(f for f in body["findings"] if f["code"] == "outlined_text")
        assert "Outline text" in outlined["fix"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_inkscape_spans_are_parts_of_their_text(app):
    data = (CORPUS / "inkscape-osgeo" / "osgeo_a4_de.svg").read_bytes()
    assert app.put("/templates/osgeo", content=data).status_code == 200
    body = app.get("/templates/osgeo").json()
    texts = [l for l in body["layers"] if l["type"] == "text"]
    assert texts and not [l for l in texts if l["name"].startswith(("tspan", "flowPara",
                                                                       "flowSpan"))]
    codes = {f["code"]: f["message"] for f in body["findings"]}
    assert "Sintony" in codes.get("missing_font", "") or any(
        "Sintony" in f["message"] for f in body["findings"])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_naming_an_element_makes_it_a_layer(app):
    data = (CORPUS / "figma-qvinciy" / "HD-2.svg").read_bytes()
    app.put("/templates/hd2", content=data)
    unnamed = app.get("/templates/hd2").json()["unnamed"]
    biggest = max((e for e in unnamed if e["type"] == "shape"),
                  key=lambda e: e["width"] * e["height"])
    answer = app.post("/templates/hd2/layers", json={"path": biggest["path"], "name": "hero"})
    assert answer.status_code == 201, answer.text
    layers = {l["name"]: l for l in app.get("/templates/hd2").json()["layers"]}
    assert layers["hero"]["type"] == "shape"
    render = app.post("/designs/hd2", json={"format": "png", "params": [
        {"name": "hero", "color": "#ff00ff"}]})
    assert render.status_code == 201
    image = image_of(app, render.json()["imageUrl"])
    magenta = sum(1 for p in image.get_flattened_data() if p[0] > 200 and p[1] < 60 and p[2] > 200)
    assert magenta > 100
    # Names are checked: taken, malformed, and paths that lead nowhere are 422s.
    again = app.post("/templates/hd2/layers", json={"path": biggest["path"], "name": "hero"})
    assert again.status_code == 422 and again.json()["code"] == "layer_name_taken"
    bad = app.post("/templates/hd2/layers", json={"path": "/nowhere", "name": "x"})
    assert bad.status_code == 422 and bad.json()["code"] == "element_not_found"
    worse = app.post("/templates/hd2/layers", json={"path": biggest["path"], "name": "a b"})
    assert worse.status_code == 422 and worse.json()["field"] == "name"


LONG_TITLE = "A long title that has to wrap onto two lines"
TITLE_BOX = (590, 140, 540, 130)


@pytest.mark.parametrize("params", [
    {},
    {"autoFit": True},
    {"maxLines": 1},
    {"fontSize": 70},
], ids=["plain", "autofit", "maxlines", "large"])
def test_image_and_thumbnails_break_the_same_lines(app, params):
    answer = app.post("/designs/social-card", json={"format": "png", "params": [
        {"name": "title", "text": LONG_TITLE, **params}]}).json()
    bands = [line_bands(image_of(app, answer[key]), TITLE_BOX, 1200)
             for key in ("imageUrl", "thumbnailUrl", "retinaThumbnailUrl")]
    assert len(bands[0]) >= 1
    assert len({len(b) for b in bands}) == 1, bands
    for main, other in ((bands[0], bands[1]), (bands[0], bands[2])):
        for (top_a, end_a), (top_b, end_b) in zip(main, other):
            assert abs(end_a - end_b) < 0.04 and abs(top_a - top_b) < 0.06, (main, other)


def test_cut_text_is_reported(app):
    answer = app.post("/designs/social-card", json={"params": [
        {"name": "title", "text": LONG_TITLE * 3, "maxLines": 1}]})
    assert answer.status_code == 201
    warnings = answer.json()["warnings"]
    assert any("'title'" in w and "cut" in w for w in warnings)
    assert "title" in answer.headers["x-svgrender-warnings"]
    fits = app.post("/designs/social-card", json={"params": [{"name": "title", "text": "Hi"}]})
    assert "warnings" not in fits.json()


def test_svg_output_writes_the_lines_the_raster_drew(app, tmp_path):
    text = LONG_TITLE + ", and more and more words until it is cut"
    answer = app.post("/designs/social-card", json={"format": "svg", "params": [
        {"name": "title", "text": text}]}).json()
    svg = app.get(answer["imageUrl"]).content
    from lxml import etree

    title = next(e for e in etree.fromstring(svg).iter() if e.get("id") == "title")
    lines = [span.text for span in title]
    assert len(lines) >= 2 and all(lines) and lines[-1].endswith("…")
    assert " ".join(lines).replace("…", "").split()[:5] == text.split()[:5]
    # Drawn by a plain renderer (no box layout left in the file), the lines are where the
    # thumbnails have them.
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "drawn.svg").write_bytes(svg)
    from svgrender.settings import Settings
    from svgrender.templates.store import TemplateStore
    from svgrender import render as pipeline
    from svgrender.params import RenderRequest

    drawn = pipeline.render(TemplateStore(tmp_path / "out", Settings()).get("drawn"),
                            RenderRequest(format="png"), Settings())
    again = Image.open(io.BytesIO(drawn.files[0].data)).convert("RGB")
    thumb = image_of(app, answer["retinaThumbnailUrl"])
    assert len(line_bands(again, TITLE_BOX, 1200)) == len(line_bands(thumb, TITLE_BOX, 1200)) \
        == len(lines)


def test_svg_output_writes_every_changed_text(app):
    answer = app.post("/designs/figma-export", json={"format": "svg", "params": [
        {"name": "headline", "text": "A much longer headline for the weekend in Kyoto"},
        {"name": "cta-label", "text": "Reserve a seat today"}]}).json()
    from lxml import etree

    root = etree.fromstring(app.get(answer["imageUrl"]).content)
    label = next(e for e in root.iter() if e.get("id") == "cta-label")
    assert [span.text.strip() for span in label] == ["Reserve a seat", "today"]
    xs = [float(span.get("x")) for span in label]
    assert xs[1] > xs[0]  # centred lines: the shorter one starts further right


def test_layers_answer_to_their_inkscape_label(app):
    by_label = app.post("/designs/inkscape-export", json={"format": "png", "params": [
        {"name": "Sun", "hidden": True}]})
    by_id = app.post("/designs/inkscape-export", json={"format": "png", "params": [
        {"name": "sun", "hidden": True}]})
    assert by_label.status_code == by_id.status_code == 201
    a, b = (image_of(app, r.json()["imageUrl"]) for r in (by_label, by_id))
    assert a.tobytes() == b.tobytes()


BOXED = b"""<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200">
<rect width="600" height="200" fill="#ffffff"/>
<rect id="quote-box" x="300" y="20" width="200" height="160" fill="#eeeeee"/>
<text id="quote" x="310" y="60" font-family="DejaVu Sans" font-size="20">Short</text>
<text id="loose" x="20" y="120" font-family="DejaVu Sans" font-size="24">Free text</text>
</svg>"""


def test_a_layer_box_rect_and_the_canvas_bound_changed_text(app):
    app.put("/templates/boxed", content=BOXED)
    words = "many words that will never fit on one single line of this card " * 3
    answer = app.post("/designs/boxed", json={"format": "png", "params": [
        {"name": "quote", "text": words}, {"name": "loose", "text": words}]}).json()
    image = image_of(app, answer["imageUrl"])
    # quote: wrapped inside its `quote-box` rect (x 300..500), several lines.
    bands = line_bands(image, (300, 20, 200, 160), 600)
    assert len(bands) >= 3 and max(end for _, end in bands) <= 1.0
    quote_ink = [x for x in range(600) for y in range(22, 90, 2)
                 if image.getpixel((x, y))[0] < 100]
    assert quote_ink and min(quote_ink) >= 300 and max(quote_ink) <= 500
    # loose: no box anywhere, so the canvas edges with its own margin (20 px): never off canvas.
    loose_ink = [x for x in range(600) for y in range(100, 200, 2)
                 if image.getpixel((x, y))[0] < 100]
    assert loose_ink and min(loose_ink) >= 18 and max(loose_ink) <= 580
    assert len(answer.get("warnings", [])) >= 1  # the loose text was cut, and we were told


def test_missing_fonts_are_named_in_the_report_and_the_render(app):
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80">'
           b'<text id="t" x="10" y="50" font-family="Sintony, sans-serif" font-size="30">Hi'
           b'</text></svg>')
    report = app.put("/templates/fonts", content=svg).json()
    finding = next(f for f in report["findings"] if f["code"] == "missing_font")
    assert "Sintony" in finding["message"] and "fonts/" in finding["fix"]
    answer = app.post("/designs/fonts", json={}).json()
    assert any("Sintony" in w and "not installed" in w for w in answer["warnings"])


FLOW_INTO_USE = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="400" height="200"><rect width="400" height="200" fill="#fff"/>
 <defs><rect id="area" x="200" y="100" width="180" height="80"/></defs>
 <flowRoot id="flow" style="font-size:16px;fill:#000;font-family:Inter"><flowRegion>
 <use xlink:href="#area" x="0" y="0"/></flowRegion>
 <flowPara>Flowed into a use of a rect, as Inkscape writes it</flowPara></flowRoot></svg>"""


def dark(image: Image.Image, box) -> int:
    flat = Image.new("RGBA", image.size, "white")
    flat.alpha_composite(image.convert("RGBA"))
    import numpy as np

    return int((np.asarray(flat.convert("L").crop(box)) < 120).sum())


def test_flowed_text_into_a_use_lands_in_the_referenced_rect(app):
    assert app.put("/templates/flowuse", content=FLOW_INTO_USE).status_code == 200
    image = image_of(app, app.post("/designs/flowuse", json={"format": "png"}).json()["imageUrl"])
    assert dark(image, (200, 100, 380, 180)) > 100  # wrapped inside the region
    assert dark(image, (0, 0, 200, 200)) == 0  # not at the origin


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_pgrouting_flyer_lists_its_algorithms_in_their_column(app):
    """The osgeo pgRouting flyer (Inkscape) flows every text block into `<use>`d rects: the
    algorithm list belongs beside its bullets, not piled at the page's top-left corner."""
    data = (CORPUS / "inkscape-osgeo" / "pgRouting_a4.svg").read_bytes()
    assert app.put("/templates/pgrouting", content=data).status_code == 200
    image = image_of(app, app.post("/designs/pgrouting", json={"format": "jpeg"})
                     .json()["imageUrl"])  # white where the page is transparent
    assert dark(image, (70, 378, 230, 548)) > 1000
    assert dark(image, (0, 20, 50, 190)) == 0


def test_an_undeclared_editor_prefix_is_declared_for_the_file(app):
    """A poster hand-merged from Illustrator and Inkscape uses `inkscape:` attributes without
    declaring the namespace (Code4SA's sassa_paypoint.svg): not well-formed XML, which a browser
    stops drawing at. The editors' own namespaces are declared for it, so it loads, its
    Inkscape labels are layers and it renders; any other undeclared prefix is still a 422."""
    svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="200" '
           b'height="100"><rect width="200" height="100" fill="#fff"/>'
           b'<rect x="10" y="10" width="80" height="80" fill="#e63946" '
           b'inkscape:label="Badge" inkscape:connector-curvature="0"/></svg>')
    assert app.put("/templates/merged", content=svg).status_code == 200
    layers = {l["name"] for l in app.get("/templates/merged").json()["layers"]}
    assert "Badge" in layers
    answer = app.post("/designs/merged", json={"format": "png", "params": [
        {"name": "Badge", "backgroundColor": "#2a9d8f"}]})
    assert answer.status_code == 201, answer.text
    assert image_of(app, answer.json()["imageUrl"]).getpixel((50, 50)) == (42, 157, 143)
    unknown = svg.replace(b"inkscape:connector-curvature", b"mystery:thing")
    refused = app.put("/templates/mystery", content=unknown)
    assert refused.status_code == 422 and "mystery" in refused.text
