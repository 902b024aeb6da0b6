"""Answers' URLs (images, render links, batches) come from SVGRENDER_PUBLIC_URL, or from the
Host header only when it is in SVGRENDER_PUBLIC_HOSTS; never from whatever Host a caller sends
(a poisoned cache or a phishing link in a signed URL)."""

from __future__ import annotations

import json
from dataclasses import fields, replace

from starlette.testclient import TestClient

from svgrender.api.app import create_app

EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def replace_known(settings, **options):
    known = {f.name for f in fields(settings)}
    return replace(settings, **{k: v for k, v in options.items() if k in known})


def urls_in(answer) -> str:
    return json.dumps(answer.json())


def test_a_foreign_host_header_never_makes_urls(settings):
    settings = replace(settings, link_keys=("link-key",))
    with TestClient(create_app(settings)) as client:
        link = client.post("/links/social-card", json={"params": [
            {"name": "title", "text": "Hi"}]}, headers=EVIL)
        assert link.status_code == 200, link.text
        render = client.post("/designs/social-card", json={}, headers=EVIL)
        assert render.status_code == 201, render.text
        batch = client.post("/batches/certificate", content="recipient.text\nAda\n",
                            headers={**EVIL, "Content-Type": "text/csv"})
        assert batch.status_code == 202, batch.text
        for answer in (link, render, batch):
            assert "evil.example" not in urls_in(answer), answer.json()
        # The file URL is one this server answers.
        assert client.get(render.json()["imageUrl"]).status_code == 200


def test_public_url_and_the_host_allow_list(settings):
    fixed = replace(settings, link_keys=("link-key",), public_url="https://img.example.com/x")
    with TestClient(create_app(fixed)) as client:
        answer = client.post("/links/social-card", json={}, headers=EVIL)
        assert "https://img.example.com/x/links/social-card" in urls_in(answer)
    listed = replace_known(settings, link_keys=("link-key",),
                           public_hosts=("cards.example.com", "*.cdn.example"))
    with TestClient(create_app(listed), base_url="http://cards.example.com") as client:
        answer = client.post("/links/social-card", json={})
        assert "http://cards.example.com/links/social-card" in urls_in(answer)
        answer = client.post("/links/social-card", json={}, headers={"Host": "a.cdn.example"})
        assert "http://a.cdn.example/links/" in urls_in(answer)
        answer = client.post("/links/social-card", json={}, headers=EVIL)
        assert answer.status_code == 200 and "evil.example" not in urls_in(answer)
