"""Render links to a template set: one URL is one image, so a set link names its member
(`member=`); POST /links/sets/{id} signs one link per member."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from PIL import Image
from starlette.testclient import TestClient

from helpers import TEMPLATES
from svgrender.api.app import create_app

KEY = "set-link-key"
AUTH = {"Authorization": "Bearer api-key"}


@pytest.fixture
def client(settings, tmp_path):
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    with TestClient(create_app(replace(settings, templates_dir=tmp_path / "templates",
                                       link_keys=(KEY,), api_keys=("api-key",)))) as client:
        yield client


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_set_links_name_their_member_and_draw_its_size(client):
    made = client.post("/links/sets/campaign", headers=AUTH, json={"format": "png", "params": [
        {"name": "canvas", "backgroundColor": "#ff0000"}, {"name": "title", "text": "Linked"}]})
    assert made.status_code == 200, made.text
    members = made.json()["members"]
    assert [m["templateId"] for m in members] == ["social-card", "social-square", "social-story"]
    sizes = [(1200, 630), (1080, 1080), (1080, 1920)]
    for member, size in zip(members, sizes):
        assert f"member={member['templateId']}" in member["url"]
        assert "/links/sets/campaign.png?" in member["url"]
        answer = client.get(path_of(member["url"]))  # no API key: signed
        assert answer.status_code == 200, answer.text
        picture = Image.open(io.BytesIO(answer.content)).convert("RGB")
        assert picture.size == size and picture.getpixel((5, 5)) == (255, 0, 0)
        thumb = Image.open(io.BytesIO(client.get(path_of(member["thumbnailUrl"])).content))
        assert thumb.width < size[0]


def test_set_links_are_signed_over_the_member_and_refuse_strangers(client):
    member = client.post("/links/sets/campaign", headers=AUTH,
                         json={"format": "png"}).json()["members"][2]
    swapped = path_of(member["url"]).replace("member=social-story", "member=social-card")
    assert client.get(swapped).status_code == 403  # the member is part of what is signed
    # A launch-set link is not a campaign-set one, even for a shared member.
    moved = path_of(member["url"]).replace("/sets/campaign.", "/sets/launch.")
    assert client.get(moved).status_code == 403


def test_a_member_outside_the_set_or_none_is_a_422(settings, tmp_path):
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    open_links = replace(settings, templates_dir=tmp_path / "templates", unsigned_links=True)
    with TestClient(create_app(open_links)) as client:
        none = client.get("/links/sets/campaign.png?title.text=x")
        assert none.status_code == 422 and none.json()["field"] == "member"
        stranger = client.get("/links/sets/campaign.png?member=certificate")
        assert stranger.status_code == 422 and "social-story" in stranger.json()["message"]
        unknown = client.get("/links/sets/nope.png?member=social-card")
        assert unknown.status_code == 404
        # A layer the member lacks is left out for it, as in a set render.
        fine = client.get("/links/sets/launch.png?member=instagram-post&price.text=%2449")
        assert fine.status_code == 200, fine.text
