"""A real browser loads signed render links: Debian's Chromium, driven by Playwright, opens a
local HTML page whose <img> and og:image point at a running `svgrender serve`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest

from helpers import ROOT
from svgrender.links import signed_url

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a browser Playwright downloads
KEY = "browser-test-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {**os.environ, "SVGRENDER_WORKERS": "0", "SVGRENDER_LINK_KEYS": KEY,
           "SVGRENDER_STORAGE_DIR": str(tmp_path / "images"),
           "SVGRENDER_TEMPLATES_DIR": str(ROOT / "templates")}
    process = subprocess.Popen([sys.executable, "-m", "svgrender", "serve", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("svgrender serve did not start")
        yield url
    finally:
        process.kill()
        process.wait()


def test_signed_links_load_in_chromium_and_unsigned_ones_break(server, tmp_path):
    assert shutil.which("chromium"), ".ci/run installs Debian's chromium"
    from playwright.sync_api import sync_playwright

    params = [("title.text", "Seen by a browser"), ("canvas.backgroundColor", "#0a84ff")]
    card = signed_url(server, KEY, "/links/social-card.png", params)
    thumb = signed_url(server, KEY, "/links/social-card.png", params + [("size", "thumb")])
    og = signed_url(server, KEY, "/links/certificate.jpeg", [("recipient.text", "Ada Lovelace")])
    unsigned = f"{server}/links/social-card.png?title.text=Forged"
    page_file = tmp_path / "page.html"
    page_file.write_text(f"""<!doctype html>
<html><head><meta property="og:image" content="{og}">
<meta property="og:image:width" content="1123"></head>
<body><img id="card" src="{card}"><img id="thumb" src="{thumb}">
<img id="forged" src="{unsigned}"></body></html>""")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri(), wait_until="load")
            sizes = page.evaluate("""() => Object.fromEntries([...document.images].map(
                img => [img.id, [img.complete, img.naturalWidth, img.naturalHeight]]))""")
            # What a crawler does with og:image: fetch it (cross-origin, so CORS must allow it).
            og_answer = page.evaluate("""async () => {
                const url = document.querySelector('meta[property="og:image"]').content;
                const answer = await fetch(url);
                const bitmap = await createImageBitmap(await answer.blob());
                return [answer.status, answer.headers.get('content-type'),
                        bitmap.width, bitmap.height];
            }""")
        finally:
            browser.close()
    assert sizes["card"] == [True, 1200, 630]
    assert sizes["thumb"] == [True, 400, 210]
    assert sizes["forged"][1:] == [0, 0]  # a broken image: the server answered 403
    assert og_answer == [200, "image/jpeg", 1123, 794]  # A4 at 96 dpi, as the template says
