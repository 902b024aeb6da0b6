"""Render links: signatures, caching headers, single flight, versions, docs/links.md's signers."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from dataclasses import replace
from urllib.parse import parse_qsl, quote_plus, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from helpers import ROOT, TEMPLATES, GatedExecutor
from pixels import close, decode
from svgrender.api.app import build_service, create_app
from svgrender.links import SIGNATURE_CHARS, canonical, signature, signed_url

LINKS_PAGE = (ROOT / "docs" / "links.md").read_text()  # its test vector and signers
KEY = "first-key"
AUTH = {"Authorization": "Bearer api-key"}
RED = {"name": "canvas", "backgroundColor": "#ff0000"}


@pytest.fixture
def link_settings(settings, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(TEMPLATES / "social-card.svg", templates)
    # The operator's own copy, made writable so the version test may replace it.
    return replace(settings, templates_dir=templates, link_keys=(KEY, "old-key"),
                   api_keys=("api-key",), templates_writable=True)


@pytest.fixture
def client(link_settings):
    with TestClient(create_app(link_settings)) as test_client:
        yield test_client


def make_link(client, params, fmt="png", **query) -> dict:
    answer = client.post("/links/social-card", json={"format": fmt, "params": params},
                         params=query, headers=AUTH)
    assert answer.status_code == 200, answer.text
    return answer.json()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_a_made_link_renders_the_params_with_cache_headers(client):
    links = make_link(client, [RED, {"name": "title", "text": "Links work"}])
    answer = client.get(path_of(links["url"]))  # no API key: the signature is the permission
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["access-control-allow-origin"] == "*"
    assert re.fullmatch(r'"[^"]+"', answer.headers["etag"])  # strong
    image = decode(answer.content)
    assert image.size == (1200, 630)
    assert close(image.getpixel((5, 5)), (255, 0, 0))  # the canvas param, not the gradient
    thumb = decode(client.get(path_of(links["thumbnailUrl"])).content)
    retina = decode(client.get(path_of(links["retinaThumbnailUrl"])).content)
    assert thumb.size == (400, 210) and retina.size == (800, 420)


def test_not_modified_and_head(client):
    url = path_of(make_link(client, [RED])["url"])
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    listed = client.get(url, headers={"If-None-Match": f'"other", W/{first.headers["etag"]}'})
    assert listed.status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(first.content)


def test_signature_checks(client):
    url = path_of(make_link(client, [RED, {"name": "title", "text": "Signed"}])["url"])
    assert client.get(url).status_code == 200
    path, query = url.split("?")
    pairs = parse_qsl(query)
    # Reordered (and spelled with + for spaces): the same canonical link, still valid.
    reordered = "&".join(f"{k}={quote_plus(v)}" for k, v in reversed(pairs))
    assert client.get(f"{path}?{reordered}").status_code == 200
    # A changed value.
    tampered = client.get(url.replace("Signed", "Forged"))
    assert tampered.status_code == 403
    assert tampered.json() == {"message": tampered.json()["message"],
                               "code": "invalid_signature", "field": "s"}
    # No signature at all.
    unsigned = client.get(url.split("&s=")[0])
    assert unsigned.status_code == 403 and unsigned.json()["code"] == "missing_signature"
    # Signed by the old key, still listed: valid (rotation). By an unknown key: 403.
    params = [(k, v) for k, v in pairs if k != "s"]
    assert client.get(path_of(signed_url("", "old-key", path, params))).status_code == 200
    assert client.get(path_of(signed_url("", "gone-key", path, params))).status_code == 403
    # The signature covers the path: the same query on another format is refused.
    assert client.get(url.replace(".png?", ".jpeg?")).status_code == 403


def test_unsigned_links_only_when_the_operator_allows_them(link_settings):
    open_settings = replace(link_settings, link_keys=(), unsigned_links=True)
    with TestClient(create_app(open_settings)) as client:
        answer = client.get("/links/social-card.jpeg?canvas.backgroundColor=%2300ff00")
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
        assert close(decode(answer.content).getpixel((5, 5)), (0, 255, 0), 8)
        assert "s=" not in make_link(client, [RED])["url"]
    closed = replace(link_settings, link_keys=())
    with TestClient(create_app(closed)) as client:
        refused = client.get("/links/social-card.png?canvas.backgroundColor=red&s=abc")
        assert refused.status_code == 403 and refused.json()["code"] == "links_disabled"
        made = client.post("/links/social-card", json={"params": [RED]}, headers=AUTH)
        assert made.status_code == 409 and made.json()["code"] == "links_disabled"


@pytest.mark.parametrize("query, status, code, field", [
    ("title.text=a&title.text=b", 422, "repeated_param", "title.text"),
    ("colour=red", 422, "unknown_param", "colour"),
    ("nope.text=x", 422, "unknown_layer", None),
    ("title.bogus=x", 422, "unknown_property", "title.bogus"),
    ("title.maxLines=many", 422, "invalid_param", "title.maxLines"),
    ("canvas.backgroundColor=notacolour", 422, "invalid_color", None),
    ("scale=9", 422, "invalid_scale", "scale"),
    ("size=huge", 422, "invalid_size", "size"),
])
def test_link_params_are_validated_like_post_bodies(client, query, status, code, field):
    path = "/links/social-card.png"
    answer = client.get(path_of(signed_url("", KEY, path, parse_qsl(query))))
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    if field:
        assert answer.json()["field"] == field


def test_link_errors_for_bad_paths_and_sizes(client):
    def get(path, query):
        return client.get(path_of(signed_url("", KEY, path, parse_qsl(query))))

    assert get("/links/no-such-template.png", "").status_code == 404
    assert get("/links/social-card.bmp", "").json()["code"] == "invalid_format"
    long = get("/links/social-card.png", "title.text=" + "x" * 9000)
    assert long.status_code == 414 and long.json()["code"] == "link_too_long"
    made = client.post("/links/social-card", headers=AUTH,
                       json={"params": [{"name": "title", "text": "y" * 9000}]})
    assert made.status_code == 414
    assert client.get("/links/social-card.png?title.text=%ff&s=x").status_code == 400


def test_making_links_needs_a_key_and_valid_params(client):
    body = {"params": [RED]}
    assert client.post("/links/social-card", json=body).status_code == 401
    bad = client.post("/links/social-card", json={"params": [{"name": "nope", "text": "x"}]},
                      headers=AUTH)
    assert bad.status_code == 422 and bad.json()["layer"] == "nope"
    meta = client.post("/links/social-card", json={**body, "metadata": "x"}, headers=AUTH)
    assert meta.status_code == 422 and meta.json()["field"] == "metadata"


def test_twenty_concurrent_first_hits_render_once(link_settings):
    executor = GatedExecutor(link_settings)
    app = create_app(link_settings, build_service(link_settings, executor=executor))
    with TestClient(app) as client:
        url = path_of(make_link(client, [RED, {"name": "title", "text": "Fan-out"}])["url"])

    async def burst():
        await executor.start()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            hits = [asyncio.create_task(http.get(url)) for _ in range(20)]
            for _ in range(500):  # until the first hit reaches the renderer
                if executor.started:
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)
            executor.gate.set()
            answers = await asyncio.gather(*hits)
            later = [await http.get(url) for _ in range(5)]
        await executor.stop()
        return answers, later

    answers, later = asyncio.run(burst())
    assert [a.status_code for a in answers + later] == [200] * 25
    assert len({a.content for a in answers + later}) == 1
    assert executor.started == 1


def test_template_versions_change_the_etag_and_pins_hold(client, link_settings):
    current = make_link(client, [RED])
    pinned = make_link(client, [RED], pin="1")
    assert pinned["pinned"] and f"v={pinned['templateVersion']}" in pinned["url"]
    before = client.get(path_of(current["url"]))
    before_pinned = client.get(path_of(pinned["url"]))
    # The designer adds a blue band on top: a new template version.
    svg = (link_settings.templates_dir / "social-card.svg").read_text()
    changed = svg.replace("</svg>", '<rect width="1200" height="40" fill="#0000ff"/></svg>')
    assert changed != svg
    put = client.put("/templates/social-card", content=changed.encode(), headers=AUTH)
    assert put.status_code in (200, 201), put.text
    after = client.get(path_of(current["url"]))
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert close(decode(after.content).getpixel((600, 20)), (0, 0, 255))
    # The pinned link keeps its stored image; an old version never rendered is gone.
    again = client.get(path_of(pinned["url"]))
    assert again.status_code == 200 and again.content == before_pinned.content
    unrendered = path_of(signed_url("", KEY, "/links/social-card.png",
                                    [("v", pinned["templateVersion"]), ("scale", "2")]))
    gone = client.get(unrendered)
    assert gone.status_code == 404 and gone.json()["code"] == "template_not_found"


def test_a_deleted_image_is_rendered_again(client):
    url = path_of(make_link(client, [RED])["url"])
    first = client.get(url)
    image_id = first.headers["etag"].strip('"').split(".")[0]
    assert client.delete(f"/images/{image_id}", headers=AUTH).status_code == 204
    again = client.get(url)
    assert again.status_code == 200 and again.headers["etag"] != first.headers["etag"]


def test_docs_test_vector():
    block = LINKS_PAGE.split("<!-- link-vector:start -->")[1].split("<!-- link-vector:end -->")[0]
    cell = dict(re.findall(r"^\| (\w+) \| (.+) \|$", block, re.M))
    key, path = cell["key"].strip("`"), cell["path"].strip("`")
    pairs = re.findall(r"`([^`]+)` = `([^`]+)`", cell["params"])
    assert canonical(path, pairs) == cell["message"].strip("`")
    assert signature(key, path, pairs) == cell["signature"].strip("`")
    assert len(signature(key, path, pairs)) == SIGNATURE_CHARS


def docs_block(language: str) -> str:
    return LINKS_PAGE.split(f"<!-- signer:{language} -->")[1].split("```")[1].split("\n", 1)[1]


PARAMS = {"title.text": "Grüße, 100% (ok)!*'~", "canvas.backgroundColor": "#ff0000",
          "subtitle.text": "a+b & c=d"}


def test_docs_python_signer_against_the_server(client):
    namespace: dict = {}
    exec(docs_block("python"), namespace)
    url = namespace["render_link"]("http://testserver", KEY, "social-card", "png", PARAMS)
    answer = client.get(path_of(url))
    assert answer.status_code == 200, answer.text
    assert close(decode(answer.content).getpixel((5, 5)), (255, 0, 0))


def test_docs_javascript_signer_against_the_server(client):
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "Node.js is installed by .ci/run (apt nodejs) to check the signer in docs/links.md"
    import json
    script = docs_block("javascript") + (
        f"\nconsole.log(renderLink('http://testserver', {json.dumps(KEY)}, 'social-card', "
        f"'png', {json.dumps(PARAMS)}));\n")
    url = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True,
                         timeout=30).stdout.strip()
    answer = client.get(path_of(url))
    assert answer.status_code == 200, (url, answer.text)
    assert close(decode(answer.content).getpixel((5, 5)), (255, 0, 0))


def test_cli_link_is_accepted_by_the_server(client, link_settings, capsys, monkeypatch):
    from svgrender import cli

    monkeypatch.setenv("SVGRENDER_LINK_KEYS", ",".join(link_settings.link_keys))
    monkeypatch.setenv("SVGRENDER_TEMPLATES_DIR", str(link_settings.templates_dir))
    assert cli.main(["link", "social-card", "-p", "canvas.backgroundColor=#ff0000",
                     "-p", "title.text=From the CLI", "--size", "thumb", "--pin",
                     "--base", "http://testserver"]) == 0
    url = capsys.readouterr().out.strip()
    answer = client.get(path_of(url))
    assert answer.status_code == 200 and decode(answer.content).size == (400, 210)
    assert cli.main(["link", "social-card", "-p", "nope.text=x"]) == 1


def test_an_auto_link_answers_what_the_client_accepts(client):
    urls = make_link(client, [RED], fmt="png", format="auto")
    assert ".auto?" in urls["url"]
    kinds = {}
    for accept, expected in (("image/avif,image/webp,*/*;q=0.8", "image/avif"),
                             ("image/webp,*/*", "image/webp"), ("*/*", "image/jpeg")):
        answer = client.get(path_of(urls["url"]), headers={"Accept": accept})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == expected
        assert "Accept" in answer.headers["vary"]
        kinds[expected] = decode(answer.content)
    for image in kinds.values():
        assert image.size == (1200, 630)
        assert close(image.convert("RGB").getpixel((5, 5)), (255, 0, 0), 8)
    thumb = client.get(path_of(urls["thumbnailUrl"]), headers={"Accept": "image/avif"})
    assert thumb.headers["content-type"] == "image/avif" and decode(thumb.content).size == (400, 210)
