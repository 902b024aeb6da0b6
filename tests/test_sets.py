"""Template sets: one request renders every member of a set (templates/sets.json); a layer a
member lacks is skipped there and reported, not an error."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from PIL import Image

from helpers import TEMPLATES

BLUE = (10, 132, 255)


@pytest.fixture
def set_client(tmp_path):
    from starlette.testclient import TestClient

    from svgrender.api.app import create_app
    from svgrender.settings import Settings

    shutil.copytree(TEMPLATES, tmp_path / "templates")
    (tmp_path / "templates" / "sets.json").write_text(json.dumps({
        "launch": ["social-card", "instagram-post", "product-card"], "empty": []}))
    settings = Settings(templates_dir=tmp_path / "templates", storage_dir=tmp_path / "images",
                        cache_dir=tmp_path / "cache", workers=0)
    with TestClient(create_app(settings)) as client:
        yield client


def image(client, url: str) -> Image.Image:
    return Image.open(io.BytesIO(client.get(url).content)).convert("RGB")


def test_one_request_renders_every_member(set_client):
    answer = set_client.post("/sets/launch/images", json={
        "format": "png", "metadata": "spring",
        "params": [{"name": "canvas", "backgroundColor": "#0a84ff"},
                   {"name": "title", "text": "Spring sale"},
                   {"name": "price", "text": "$49"}]})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["setId"] == "launch"
    members = {member["templateId"]: member for member in body["images"]}
    assert list(members) == ["social-card", "instagram-post", "product-card"]
    sizes = {"social-card": (1200, 630), "instagram-post": (1080, 1080),
             "product-card": (800, 600)}
    for template_id, member in members.items():
        assert {"id", "imageUrl", "thumbnailUrl", "retinaThumbnailUrl", "fileName", "metadata",
                "width", "height", "templateId"} <= set(member)
        assert member["metadata"] == "spring"
        assert (member["width"], member["height"]) == sizes[template_id]
        picture = image(set_client, member["imageUrl"])
        assert picture.size == sizes[template_id]
        assert picture.getpixel((5, 5)) == BLUE  # the shared canvas colour in every member
    assert members["instagram-post"]["skipped"] == ["title", "price"]
    assert members["social-card"]["skipped"] == [] == members["product-card"]["skipped"]
    assert "title" in members["social-card"]["layout"] and "price" in members["product-card"][
        "layout"]
    # The member's picture is the one a single render of its own params gives.
    alone = set_client.post("/designs/product-card", json={"format": "png", "params": [
        {"name": "canvas", "backgroundColor": "#0a84ff"}, {"name": "title", "text": "Spring sale"},
        {"name": "price", "text": "$49"}]}).json()
    assert image(set_client, alone["imageUrl"]).tobytes() == image(
        set_client, members["product-card"]["imageUrl"]).tobytes()


def test_sets_are_listed_and_errors_name_the_set_or_member(set_client):
    listed = set_client.get("/sets").json()
    assert {"id": "launch", "templates": ["social-card", "instagram-post", "product-card"]} \
        in listed
    missing = set_client.post("/sets/nope/images", json={})
    assert missing.status_code == 404 and "launch" in missing.json()["message"]
    empty = set_client.post("/sets/empty/images", json={})
    assert empty.status_code == 422
    # A property that does not fit a member's layer is still an error, naming the member.
    wrong = set_client.post("/sets/launch/images", json={"params": [
        {"name": "canvas", "text": "x"}]})
    assert wrong.status_code == 422 and wrong.json()["message"].startswith(
        "template 'social-card':")
    variants = set_client.post("/sets/launch/images", json={"variants": [{"key": "de"}]})
    assert variants.status_code == 422 and variants.json()["field"] == "variants"


def test_a_set_animates_too(set_client):
    answer = set_client.post("/sets/launch/images", json={
        "format": "gif", "frames": [{"params": [{"name": "price", "text": f"${n}"}]}
                                    for n in range(3)]})
    assert answer.status_code == 201, answer.text
    for member in answer.json()["images"]:
        picture = Image.open(io.BytesIO(set_client.get(member["imageUrl"]).content))
        # instagram-post has no price: its three frames are the same, which GIF merges into one
        assert picture.n_frames == (1 if member["templateId"] == "instagram-post" else 3)
    skipped = {m["templateId"]: m["skipped"] for m in answer.json()["images"]}
    assert skipped["instagram-post"] == ["price"]


def test_the_openapi_document_has_sets(client):
    doc = client.get("/openapi.json").json()
    assert doc["paths"]["/sets/{setId}/images"]["post"]["operationId"] == "renderSet"
    assert "skipped" in doc["components"]["schemas"]["SetMemberAnswer"]["properties"]
