"""CSRF on the keyless default server: a page on another origin cannot change anything through
a simple request (a text/plain or urlencoded form POST, a no-cors fetch), while the studio (same
origin), curl and programs (no Origin, a real Content-Type) keep working. Plain HTTP requests,
then the real thing in Debian's Chromium."""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from starlette.testclient import TestClient

from helpers import TEMPLATES
from svgrender.api.app import create_app

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
       b'<rect id="bg" width="20" height="20" fill="#f00"/></svg>')
EVIL = "http://evil.example"


@pytest.fixture
def writable(settings, tmp_path):
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return replace(settings, templates_dir=tmp_path / "templates")


def template_names(client) -> set[str]:
    return {t["name"] for t in client.get("/templates").json()}


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain;charset=UTF-8",
                                          "application/x-www-form-urlencoded"])
def test_a_cross_site_form_post_stores_no_template(writable, content_type):
    with TestClient(create_app(writable)) as client:
        answer = client.post("/templates?name=Forged", content=SVG,
                             headers={"Content-Type": content_type, "Origin": EVIL})
        assert 400 <= answer.status_code < 500, answer.text
        assert answer.json()["code"] == "csrf_refused"
        assert "Forged" not in template_names(client)


def test_a_no_cors_fetch_renders_nothing(writable):
    with TestClient(create_app(writable)) as client:
        for origin in (EVIL, "null"):
            answer = client.post("/designs/social-card", content=b'{"format": "png"}',
                                 headers={"Content-Type": "text/plain;charset=UTF-8",
                                          "Origin": origin})
            assert answer.status_code == 403, answer.text
        # JSON from another origin is refused too (a browser would have preflighted it).
        answer = client.post("/designs/social-card", json={}, headers={"Origin": EVIL})
        assert answer.status_code == 403
        assert client.delete("/templates/social-card", headers={"Origin": EVIL}).status_code == 403
        assert client.delete("/batches/x", headers={"Origin": EVIL}).status_code == 403


def test_forms_without_an_origin_and_cross_site_fetch_metadata_are_refused(writable):
    with TestClient(create_app(writable)) as client:
        for content_type in ("text/plain", "application/x-www-form-urlencoded"):
            answer = client.post("/designs/social-card", content=b'{"format": "png"}',
                                 headers={"Content-Type": content_type})
            assert answer.status_code == 403 and "application/json" in answer.json()["message"]
        answer = client.post("/designs/social-card", json={},
                             headers={"Sec-Fetch-Site": "cross-site"})
        assert answer.status_code == 403


def test_curl_multipart_upload_without_origin_still_works(writable):
    """`curl -F file=@card.svg` sends no Origin: not a browser, so not a forgery."""
    with TestClient(create_app(writable)) as client:
        files = {"file": ("card.svg", SVG, "image/svg+xml")}
        answer = client.post("/templates", files=files, data={"name": "From curl"})
        assert answer.status_code == 201, answer.text
        assert "From curl" in template_names(client)


def test_same_origin_programs_and_configured_origins_still_work(writable):
    with TestClient(create_app(writable)) as client:
        # The studio: same origin, JSON, an SVG upload, a multipart upload.
        same = {"Origin": "http://testserver"}
        assert client.post("/designs/social-card", json={}, headers=same).status_code == 201
        assert client.post("/templates?name=Mine", content=SVG,
                           headers={**same, "Content-Type": "image/svg+xml"}).status_code == 201
        files = {"file": ("card.svg", SVG, "image/svg+xml")}
        assert client.post("/templates", files=files, data={"name": "Form"},
                           headers=same).status_code == 201
        # curl and programs: no Origin, a real Content-Type or none.
        assert client.post("/designs/social-card", json={}).status_code == 201
        assert client.post("/templates?name=Raw", content=SVG).status_code == 201
        assert client.post("/batches/certificate", content="recipient.text\nAda\n",
                           headers={"Content-Type": "text/csv"}).status_code == 202
        # Reading is never refused.
        assert client.get("/templates", headers={"Origin": EVIL}).status_code == 200
    with TestClient(create_app(replace(writable, cors_origins=("https://app.example",)))) as c:
        assert c.post("/designs/social-card", json={},
                      headers={"Origin": "https://app.example"}).status_code == 201


def test_servers_with_keys_are_not_affected(writable):
    keyed = replace(writable, api_keys=("k1",))
    with TestClient(create_app(keyed)) as client:
        answer = client.post("/designs/social-card", content=b"{}",
                             headers={"Content-Type": "text/plain", "Origin": EVIL,
                                      "Authorization": "Bearer k1"})
        assert answer.status_code == 201


ATTACK_PAGE = """<!doctype html><html><body>
<form id="f" method="POST" enctype="text/plain" action="{api}/templates?name=Forged">
<input name='{svg}<!--' value='-->'></form>
<script>
fetch("{api}/designs/social-card", {{method: "POST", mode: "no-cors",
      body: JSON.stringify({{format: "png", metadata: "forged"}})}})
  .finally(() => document.getElementById("f").submit());
</script></body></html>"""


def test_a_cross_origin_page_in_chromium_changes_nothing(tmp_path):
    pytest.importorskip("playwright")
    from live import browser, served

    shutil.copytree(TEMPLATES, tmp_path / "templates")
    with served({"SVGRENDER_TEMPLATES_DIR": str(tmp_path / "templates"),
                 "SVGRENDER_STORAGE_DIR": str(tmp_path / "images")}) as api:
        page_html = ATTACK_PAGE.format(api=api, svg=SVG.decode()).encode()

        class Attacker(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page_html)))
                self.end_headers()
                self.wfile.write(page_html)

            def log_message(self, *args):
                pass

        attacker = ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
        threading.Thread(target=attacker.serve_forever, daemon=True).start()
        try:
            with browser() as chromium:
                page = chromium.new_page()
                # Another origin: "localhost" and another port.
                with page.expect_navigation(timeout=20000):
                    page.goto(f"http://localhost:{attacker.server_address[1]}/")
                time.sleep(0.5)
                landed = page.content()
        finally:
            attacker.shutdown()
        assert "csrf_refused" in landed  # the form's POST reached the server and was refused
        names = {t["name"] for t in httpx.get(f"{api}/templates").json()}
        assert "Forged" not in names
        rendered = list((tmp_path / "images").rglob("*.png"))
        assert rendered == [], "the no-cors fetch rendered an image"
