"""A real browser loads signed render links: Debian's Chromium, driven by Playwright, opens a
local HTML page whose <img> and og:image point at a running `svgrender serve`."""

from __future__ import annotations

import pytest

from helpers import ROOT
from live import browser, served
from svgrender.links import signed_url

KEY = "browser-test-key"


@pytest.fixture
def server(tmp_path):
    with served({"SVGRENDER_LINK_KEYS": KEY, "SVGRENDER_STORAGE_DIR": str(tmp_path / "images"),
                 "SVGRENDER_TEMPLATES_DIR": str(ROOT / "templates")}) as url:
        yield url


def test_signed_links_load_in_chromium_and_unsigned_ones_break(server, tmp_path):
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
    with browser() as chromium:
        page = chromium.new_page()
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
    assert sizes["card"] == [True, 1200, 630]
    assert sizes["thumb"] == [True, 400, 210]
    assert sizes["forged"][1:] == [0, 0]  # a broken image: the server answered 403
    assert og_answer == [200, "image/jpeg", 1123, 794]  # A4 at 96 dpi, as the template says
