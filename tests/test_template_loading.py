"""Template loading in worker processes: the API process builds its copy from the facts a worker
sends back (never parsing untrusted CSS, decoding images or drawing), and that copy is the same
template — layers, kinds, boxes, text boxes — as a load in one process."""

import io
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from svgrender.api.app import create_app
from svgrender.settings import Settings
from svgrender.templates import model
from svgrender.templates.loading import TemplateSource, facts_for_api, template_from_facts
from svgrender.templates.model import load_template

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def _summary(template):
    return {name: (layer.kind, tuple(round(v, 3) for v in layer.box), layer.label,
                   layer.element.get("data-box"), layer.element.get("data-text-align"))
            for name, layer in template.layers.items()}


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.svg")) + sorted(
    CORPUS.glob("*/*.svg"))[:12], ids=lambda p: p.name)
def test_facts_rebuild_the_same_template(path):
    data = path.read_bytes()
    settings = Settings()
    here = load_template(path.stem, data, settings)
    facts = facts_for_api(TemplateSource(path.stem, data), settings)
    rebuilt = template_from_facts(path.stem, facts)
    assert rebuilt.version == here.version
    assert (rebuilt.width, rebuilt.height, rebuilt.viewbox) == (here.width, here.height,
                                                               here.viewbox)
    assert _summary(rebuilt) == _summary(here)
    assert rebuilt.images == {}  # the API's copy holds no decoded pixels


def test_an_upload_is_sanitised_titled_and_named_in_the_worker():
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'
           b'<script>alert(1)</script><rect width="100" height="50" fill="#f00"/>'
           b'<text x="5" y="30">hi</text></svg>')
    facts = facts_for_api(TemplateSource("up", svg, upload=True, title="Card",
                                         rename=("/*/*[3]", "label")), Settings())
    assert b"<script" not in facts.clean and b"<title>Card</title>" in facts.clean
    assert b'id="label"' in facts.clean
    assert any("script" in r for r in facts.removed)
    rebuilt = template_from_facts("up", facts)
    assert rebuilt.layers["label"].kind == "text"


def _png_1bit(width, height) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


def test_a_server_with_workers_never_loads_templates_in_its_own_process(settings, tmp_path,
                                                                       monkeypatch):
    """Loading in this (the API) process is made to fail: uploads, listings and renders still
    work, because every parse, sanitise and measure happens in a worker process."""
    def refuse(*args, **kwargs):
        raise AssertionError("a template was loaded in the API process")

    monkeypatch.setattr(model, "load_prepared", refuse)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "social-card.svg").write_bytes((TEMPLATES / "social-card.svg").read_bytes())
    with TestClient(create_app(replace(settings, templates_dir=templates, workers=1))) as client:
        listed = client.get("/templates/social-card")
        assert listed.status_code == 200, listed.text
        title = next(l for l in listed.json()["layers"] if l["name"] == "title")
        assert title["type"] == "text" and title["width"] > 100
        svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60">'
               '<rect id="bg" width="120" height="60" fill="#00f"/></svg>')
        up = client.post("/templates", content=svg.encode())
        assert up.status_code == 201, up.text
        done = client.post(f"/designs/{up.json()['id']}", json={
            "format": "png", "params": [{"name": "bg", "color": "#00ff00"}]})
        assert done.status_code == 201, done.text
        image = Image.open(io.BytesIO(client.get(done.json()["imageUrl"]).content))
        assert image.convert("RGB").getpixel((60, 30)) == (0, 255, 0)


def test_embedded_image_bombs_are_refused_at_upload_naming_the_limit(settings, tmp_path):
    """Twenty 1-bit 6000×6600 PNGs (a few KB each, 40 MP each decoded): refused once the total
    passes SVGRENDER_MAX_TEMPLATE_IMAGE_PIXELS, in a worker, with the API process unmoved."""
    import base64

    bombs = [base64.b64encode(_png_1bit(6000, 6600 - i)).decode() for i in range(20)]
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">' + "".join(
        f'<image id="i{i}" width="10" height="10" href="data:image/png;base64,{bomb}"/>'
        for i, bomb in enumerate(bombs)) + "</svg>")
    templates = tmp_path / "templates"
    templates.mkdir()
    with TestClient(create_app(replace(settings, templates_dir=templates, workers=1))) as client:
        started = time.monotonic()
        answer = client.post("/templates", content=svg.encode())
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "template_images_too_large"
        assert "SVGRENDER_MAX_TEMPLATE_IMAGE_PIXELS" in answer.json()["message"]
        assert time.monotonic() - started < 20
