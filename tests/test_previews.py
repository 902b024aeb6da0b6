"""POST /designs/{id}/preview (an unstored render with its fit report) and
PUT /templates/{id}/layers/{name}/box (a text layer's box saved into the template)."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil

import pytest
from PIL import Image

from helpers import TEMPLATES

LONG = "A much longer title that has to wrap onto several lines in its box to fit"
SHORT = "Visit Auckland"  # one line in the card's title box, two in half its width


@pytest.fixture
def settings(settings, tmp_path):
    """A copy of the demo templates: uploads here must not land in the checkout's folder."""
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return dataclasses.replace(settings, templates_dir=tmp_path / "templates")


def files_in(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) \
        if folder.exists() else []


def test_preview_answers_the_image_and_fit_report_and_stores_nothing(client, settings):
    before = files_in(settings.storage_dir)
    answer = client.post("/designs/social-card/preview",
                         json={"format": "png", "params": [{"name": "title", "text": LONG}]})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(answer.content))
    assert image.size == (settings.thumb_width, round(settings.thumb_width * 630 / 1200))
    layout = json.loads(answer.headers["x-svgrender-layout"])
    assert layout["title"]["lines"] >= 2 and "cut" in layout["title"]
    assert answer.headers["x-svgrender-cache"] == "miss"
    again = client.post("/designs/social-card/preview",
                        json={"format": "png", "params": [{"name": "title", "text": LONG}]})
    assert again.headers["x-svgrender-cache"] == "hit" and again.content == answer.content
    assert files_in(settings.storage_dir) == before  # nothing stored


@pytest.mark.parametrize("width, expected", [(100, 400), (400, 400), (401, 800), (800, 800),
                                             (900, 1200), (5000, 1200)])
def test_preview_width_picks_the_smallest_drawn_size_at_least_that_wide(client, width,
                                                                        expected):
    answer = client.post(f"/designs/social-card/preview?width={width}", json={})
    assert answer.status_code == 200
    assert Image.open(io.BytesIO(answer.content)).width == expected
    assert answer.headers["x-svgrender-width"] == str(expected)


def test_preview_errors(client):
    assert client.post("/designs/nope/preview", json={}).status_code == 404
    bad = client.post("/designs/social-card/preview?width=0", json={})
    assert bad.status_code == 422 and bad.json()["field"] == "width"
    unknown = client.post("/designs/social-card/preview",
                          json={"params": [{"name": "nope", "text": "x"}]})
    assert unknown.status_code == 422


def test_preview_warns_when_text_is_cut(client):
    answer = client.post("/designs/social-card/preview", json={"params": [
        {"name": "title", "text": " ".join(["Overflowing"] * 60), "maxLines": 1}]})
    layout = json.loads(answer.headers["x-svgrender-layout"])
    assert layout["title"]["cut"] is True
    assert "x-svgrender-warnings" in answer.headers


@pytest.fixture
def own_card(client):
    """A copy of the demo card uploaded (the operator's own templates are read-only)."""
    data = (TEMPLATES / "social-card.svg").read_bytes()
    answer = client.put("/templates/own-card", content=data,
                        headers={"Content-Type": "image/svg+xml"})
    assert answer.status_code in (200, 201), answer.text
    return "own-card"


def title_of(client, template_id):
    detail = client.get(f"/templates/{template_id}").json()
    return next(layer for layer in detail["layers"] if layer["name"] == "title"), detail


def test_saving_a_box_writes_data_box_and_the_next_render_wraps_in_it(client, own_card):
    title, detail = title_of(client, own_card)
    box = title["box"]
    wide = client.post(f"/designs/{own_card}/preview",
                       json={"params": [{"name": "title", "text": SHORT}]})
    lines_before = json.loads(wide.headers["x-svgrender-layout"])["title"]["lines"]
    assert lines_before == 1
    narrower = {**box, "width": round(box["width"] / 2, 2)}
    saved = client.put(f"/templates/{own_card}/layers/title/box", json=narrower)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] != detail["version"]
    title, _ = title_of(client, own_card)
    assert title["boxSource"] == "explicit"
    assert title["box"]["width"] == pytest.approx(narrower["width"], abs=0.5)
    assert title["box"]["x"] == pytest.approx(box["x"], abs=0.5)
    narrow = client.post(f"/designs/{own_card}/preview",
                         json={"params": [{"name": "title", "text": SHORT}]})
    assert json.loads(narrow.headers["x-svgrender-layout"])["title"]["lines"] > lines_before


def test_box_errors(client, own_card):
    put = lambda layer, body: client.put(f"/templates/{own_card}/layers/{layer}/box", json=body)
    assert put("title", {"x": 0, "y": 0, "width": -1, "height": 10}).status_code == 422
    assert put("nope", {"x": 0, "y": 0, "width": 10, "height": 10}).json()["code"] == \
        "unknown_layer"
    assert put("image", {"x": 0, "y": 0, "width": 10, "height": 10}).json()["code"] == \
        "not_a_text_box"
    assert put("title", {"x": 0}).status_code == 422
    # The operator's own templates stay read-only.
    assert client.put("/templates/social-card/layers/title/box",
                      json={"x": 0, "y": 0, "width": 10, "height": 10}).status_code == 403
