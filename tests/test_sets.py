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
    hooked = set_client.post("/sets/launch/images", json={"webhookUrl": "https://e.com/h"})
    assert hooked.status_code == 422 and hooked.json()["field"] == "webhookUrl"
    typo = set_client.post("/sets/launch/images", json={"variants": [
        {"key": "en"}, {"key": "de", "params": [{"name": "title", "color": "nope"}]}]})
    assert typo.status_code == 422 and typo.json()["message"].startswith(
        "template 'social-card': variant 'de':")
    assert typo.json()["field"].startswith("variants[1]")
    many = set_client.post("/sets/launch/images", json={"variants": [
        {"key": str(n)} for n in range(21)]})
    assert many.status_code == 422 and many.json()["code"] == "too_many_variants"


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


# The demo campaign set (templates/sets.json): og image, square post, story — one design, three
# sizes, the same layer names. Per member: where its title box and badge are (1x px).
CAMPAIGN = {"social-card": {"size": (1200, 630), "title": (590, 140, 1130, 270),
                            "badge": (605, 485)},
            "social-square": {"size": (1080, 1080), "title": (100, 590, 980, 740),
                              "badge": (115, 948)},
            "social-story": {"size": (1080, 1920), "title": (100, 1120, 980, 1340),
                             "badge": (118, 1700)}}
RED, GREEN = (208, 0, 0), (0, 160, 80)


def _red_box(picture: Image.Image):
    import numpy as np

    pixels = np.asarray(picture).astype(np.int16)
    red = (np.abs(pixels - np.array(RED)) < 50).all(axis=2)
    ys, xs = np.nonzero(red)
    return int(red.sum()), (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max()))


def test_the_campaign_set_gives_og_square_and_story_in_one_request(client):
    answer = client.post("/sets/campaign/images", json={"format": "png", "params": [
        {"name": "canvas", "backgroundColor": "#0a84ff"},
        {"name": "title", "text": "Spring sale", "color": "#d00000"},
        {"name": "badge", "backgroundColor": "#00a050"}]})
    assert answer.status_code == 201, answer.text
    members = {m["templateId"]: m for m in answer.json()["images"]}
    assert list(members) == list(CAMPAIGN)
    for template_id, where in CAMPAIGN.items():
        member = members[template_id]
        assert member["skipped"] == [], template_id
        picture = image(client, member["imageUrl"])
        assert picture.size == where["size"] == (member["width"], member["height"])
        assert picture.getpixel((5, 5)) == BLUE, template_id  # the shared canvas colour
        badge = picture.getpixel(where["badge"])
        assert max(abs(a - b) for a, b in zip(badge, GREEN)) <= 3, (template_id, badge)
        # The red title is drawn inside this member's own title box, and only there.
        count, (left, top, right, bottom) = _red_box(picture)
        x0, y0, x1, y1 = where["title"]
        assert count > 1500, template_id
        assert x0 - 4 <= left and right <= x1 and y0 <= top and bottom <= y1, (
            template_id, (left, top, right, bottom))
        assert abs(left - x0) <= 8  # left-aligned at the title's x


def test_put_makes_a_set_stored_beside_uploaded_templates(settings, tmp_path):
    from dataclasses import replace

    from starlette.testclient import TestClient

    from svgrender.api.app import create_app

    shutil.copytree(TEMPLATES, tmp_path / "tpl")
    roles = replace(settings, templates_dir=tmp_path / "tpl", api_keys=("render-key",),
                    admin_keys=("admin-key",))
    admin = {"Authorization": "Bearer admin-key"}
    with TestClient(create_app(roles)) as client:
        body = {"templates": ["social-card", "social-story"]}
        refused = client.put("/sets/duo", json=body,
                             headers={"Authorization": "Bearer render-key"})
        assert refused.status_code == 403 and refused.json()["code"] == "admin_key_required"
        typo = client.put("/sets/duo", json={"templates": ["social-card", "social-stroy"]},
                          headers=admin)
        assert typo.status_code == 422 and typo.json()["field"] == "templates[1]"
        assert "social-stroy" in typo.json()["message"]
        for bad, field in (({"templates": []}, "templates"), ({"members": ["x"]}, "templates")):
            answer = client.put("/sets/duo", json=bad, headers=admin)
            assert answer.status_code == 422 and answer.json()["field"] == field, answer.text
        assert client.put("/sets/bad%20id", json=body, headers=admin).json()["field"] == "setId"
        shipped = client.put("/sets/campaign", json=body, headers=admin)
        assert shipped.status_code == 403 and shipped.json()["code"] == "set_read_only"
        made = client.put("/sets/duo", json=body, headers=admin)
        assert made.status_code == 200 and made.json() == {"id": "duo", **body}
        # stored where uploads go (the storage's uploads, beside the uploaded templates), never
        # in the operator's templates folder
        assert json.loads((roles.storage_dir / "_templates" / ".sets.json").read_text()) == {
            "duo": body["templates"]}
        assert not (tmp_path / "tpl" / ".sets.json").exists()
        assert {"id": "duo", **body} in client.get("/sets", headers=admin).json()
        rendered = client.post("/sets/duo/images", json={"format": "png"}, headers=admin)
        assert [m["templateId"] for m in rendered.json()["images"]] == body["templates"]
        again = client.put("/sets/duo", json={"templates": ["social-square"]}, headers=admin)
        assert again.json()["templates"] == ["social-square"]


def test_a_set_with_language_variants_gives_every_member_in_every_language(client):
    import numpy as np

    titles = {"en": "Explore New Zealand", "ar": "اكتشف نيوزيلندا"}
    answer = client.post("/sets/campaign/images", json={
        "format": "png", "params": [{"name": "title", "color": "#d00000"}],
        "variants": [{"key": k, "params": [{"name": "title", "text": t}]}
                     for k, t in titles.items()]})
    assert answer.status_code == 201, answer.text
    members = answer.json()["members"]
    assert [m["templateId"] for m in members] == list(CAMPAIGN)
    for member in members:
        where = CAMPAIGN[member["templateId"]]
        assert [v["key"] for v in member["variants"]] == ["en", "ar"]
        inks = {}
        for variant in member["variants"]:
            assert variant["layout"]["title"]["lines"] >= 1
            picture = image(client, variant["imageUrl"])
            assert picture.size == where["size"]
            inks[variant["key"]] = _red_box(picture)[1]
        x0, _, x1, _ = where["title"]
        # English starts at the title's x; Arabic is right to left, from the box's far edge.
        assert abs(inks["en"][0] - x0) <= 8, (member["templateId"], inks)
        assert inks["ar"][2] > x1 - 40 and inks["ar"][0] > x0 + 40, (member["templateId"], inks)
