import os
import time

import pytest

from helpers import TEMPLATES
from svgrender.settings import Settings
from svgrender.errors import InvalidTemplate, TemplateNotFound
from svgrender.svg.xml import parse_svg
from svgrender.templates.store import TemplateStore


def kinds(template):
    return {name: layer.kind for name, layer in template.layers.items()}


def test_demo_templates_classified():
    store = TemplateStore(TEMPLATES, Settings())
    card = kinds(store.get("social-card"))
    assert card["canvas"] == "canvas" and card["title"] == "text" and card["image"] == "image"
    assert card["badge"] == "shape" and card["card"] == "group"
    figma = store.get("figma-export")
    assert kinds(figma)["photo"] == "image" and kinds(figma)["headline"] == "text"
    assert figma.layers["canvas"].element.tag.endswith("rect")  # first full-size rect, no id
    inkscape = store.get("inkscape-export")
    assert inkscape.layers["canvas"].element.get("id") == "background"
    assert inkscape.layers["description"].kind == "text"
    assert inkscape.layers["sun"].label == "Sun"
    # defs content is not a layer
    assert "rect-textbox" not in inkscape.layers
    cert = store.get("certificate")
    assert (cert.width, cert.height) == (1123, 794)  # 297 × 210 mm at 96 dpi


def test_layer_boxes_are_measured():
    card = TemplateStore(TEMPLATES, Settings()).get("social-card")
    x, y, w, h = card.layers["badge"].box
    assert (round(x), round(y), round(w), round(h)) == (590, 440, 240, 90)
    tx, ty, tw, th = card.layers["title"].box
    assert 585 < tx < 600 and 130 < ty < 170 and 300 < tw < 600 and 30 < th < 70


def test_reload_on_change(tmp_path):
    path = tmp_path / "t.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                    '<rect id="a" width="5" height="5"/></svg>')
    store = TemplateStore(tmp_path, Settings())
    assert "a" in store.get("t").layers
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                    '<rect id="b" width="5" height="5"/><rect id="c" width="1" height="1"/></svg>')
    later = time.time() + 5
    os.utime(path, (later, later))
    assert set(store.get("t").layers) == {"canvas", "b", "c"}


def test_unknown_and_traversal_ids(tmp_path):
    store = TemplateStore(tmp_path, Settings())
    for bad in ["nope", "../etc/passwd", "..", "a/b", ".hidden"]:
        with pytest.raises(TemplateNotFound):
            store.get(bad)


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><unclosed></svg>',
    b'<html/>',
])
def test_hardened_parser_refuses(data):
    with pytest.raises(InvalidTemplate):
        parse_svg(data)


def test_active_content_dropped(tmp_path):
    (tmp_path / "s.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)" '
        'style="width:100%;height:auto"><script>alert(2)</script>'
        '<rect id="r" width="10" height="10" onclick="x()"/></svg>')
    template = TemplateStore(tmp_path, Settings()).get("s")
    from lxml import etree
    text = etree.tostring(template.root).decode()
    assert "script" not in text and "onload" not in text and "onclick" not in text
    assert "width:100%" not in text  # would make CairoSVG draw nothing


def test_sanitiser_limits_come_from_settings(tmp_path):
    deep = "<g>" * 230 + "<rect width='1' height='1'/>" + "</g>" * 230
    (tmp_path / "deep.svg").write_text(
        f"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>{deep}</svg>")
    assert TemplateStore(tmp_path, Settings()).get("deep").error is None  # 256 by default
    shallow = TemplateStore(tmp_path, Settings(max_template_depth=100)).get("deep")
    assert "nested more than 100" in shallow.error


def test_embedded_images_obey_the_image_limits(tmp_path):
    from helpers import png_data_uri
    from PIL import Image

    uri = png_data_uri(Image.new("RGB", (200, 200), (255, 0, 0)))
    (tmp_path / "emb.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>"
        f"<image id='pic' href='{uri}' width='10' height='10'/></svg>")
    assert len(TemplateStore(tmp_path, Settings()).get("emb").images) == 1
    # Up to 4× over the configured limit: decoded reduced to it; further over: dropped.
    reduced = TemplateStore(tmp_path, Settings(max_image_pixels=100 * 100)).get("emb")
    assert [(i.width, i.height) for i in reduced.images.values()] == [(100, 100)]
    small = TemplateStore(tmp_path, Settings(max_image_pixels=50 * 50)).get("emb")
    assert small.images == {} and small.dropped_images


def test_long_reference_chains_need_no_recursion_limit(tmp_path, monkeypatch):
    """5,000 chained <use>s: counted without recursion, so no process-wide limit is touched."""
    import sys

    chain = "".join(f"<use id='u{i}' href='#u{i - 1}'/>" for i in range(1, 5000))
    (tmp_path / "chain.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><defs>"
        f"<rect id='u0' width='1' height='1'/>{chain}</defs></svg>")

    def forbidden(limit):
        raise AssertionError("sys.setrecursionlimit called while loading a template")

    monkeypatch.setattr(sys, "setrecursionlimit", forbidden)
    from svgrender.svg.sanitize import expanded_count

    root = parse_svg((tmp_path / "chain.svg").read_bytes())
    assert expanded_count(root, 10**9) > 5000


def test_versions_follow_the_bytes(tmp_path):
    path = tmp_path / "v.svg"
    path.write_text("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>")
    store = TemplateStore(tmp_path, Settings())
    first = store.get("v").version
    assert store.get("v", first).version == first
    time.sleep(0.01)
    path.write_text("<svg xmlns='http://www.w3.org/2000/svg' width='20' height='10'/>")
    assert store.get("v").version != first
    with pytest.raises(TemplateNotFound, match="version"):
        store.get("v", first)


def test_an_embedded_image_over_the_pixel_limit_is_drawn_reduced_not_dropped(tmp_path):
    """An 8001×8001 PNG in an Inkscape flyer (64 MP, over the 40 MP limit): decoded at half
    size and drawn; a request's imageUrl of that size is still refused."""
    import base64
    import io

    from PIL import Image

    from svgrender import render as pipeline
    from svgrender.params import RenderRequest

    big = Image.new("RGB", (8001, 8001), (200, 30, 30))
    big.paste((30, 30, 200), (4000, 0, 8001, 8001))
    data = io.BytesIO()
    big.save(data, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(data.getvalue()).decode()
    (tmp_path / "flyer.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
        f'<rect width="400" height="300" fill="#fff"/><image id="photo" x="100" y="50" '
        f'width="200" height="200" href="{uri}"/></svg>')
    template = TemplateStore(tmp_path, Settings()).get("flyer")
    assert template.error is None and not template.dropped_images
    (image,) = template.images.values()
    assert image.width * image.height <= Settings().max_image_pixels
    out = pipeline.render(template, RenderRequest(format="png"), Settings()).files[0].data
    drawn = Image.open(io.BytesIO(out)).convert("RGB")
    assert drawn.getpixel((150, 150)) == (200, 30, 30) and drawn.getpixel((250, 150)) == (30, 30, 200)
