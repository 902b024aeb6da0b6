"""The studio's editing in a real browser: picking any drawn element on the preview (named or not)
and naming it, undo/redo of the session's edits, links that carry the params, the batch CSV tab."""

from __future__ import annotations

import json
import time
import urllib.parse

import httpx
import pytest

from helpers import ROOT
from svgrender.apply import PROPERTIES
from test_studio import (chromium, open_template, page, server, studio_dir,  # noqa: F401
                         wait_for_new_preview, wait_loaded)

GOLD = ROOT / "tests" / "corpus" / "files" / "osgeo-sponsor-gold.svg"  # a real sponsor badge


def until(condition, seconds: float = 10.0) -> None:
    """Poll (the page's CSP forbids Playwright's eval'd waits)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the page never got there")
        time.sleep(0.05)


def snippet_has(page, text: str) -> bool:
    return text in page.text_content("#snippet")


def detail(server, template_id) -> dict:
    return httpx.get(f"{server}/templates/{template_id}").json()


def click_template_point(page, template: dict, x: float, y: float) -> None:
    """Click the preview where the template's point (x, y) is drawn."""
    box = page.locator("#preview").bounding_box()
    page.mouse.click(box["x"] + x / template["width"] * box["width"],
                     box["y"] + y / template["height"] * box["height"])


def test_clicking_the_preview_picks_an_unnamed_element_of_a_corpus_file_and_names_it(page, server):
    answer = httpx.put(f"{server}/templates/gold-sponsor", content=GOLD.read_bytes(),
                       headers={"Content-Type": "image/svg+xml"})
    assert answer.status_code in (200, 201), answer.text
    before = answer.json()
    # The "G" of "OSGeo": drawn, but no layer (no id).
    letter = next(u for u in before["unnamed"] if u["x"] == 352 and u["width"] == 66)
    assert letter["path"] not in {layer.get("path") for layer in before["layers"]}
    page.goto(f"{server}/studio/t/gold-sponsor")
    wait_loaded(page)
    # The list says what each unnamed element is in words; the path is only a tooltip.
    labels = page.locator("#unnamed [data-path] span:first-child").evaluate_all(
        "els => els.map(e => e.textContent)")
    assert len(labels) == len(before["unnamed"])
    assert not any("/" in label or "*" in label for label in labels)
    assert "Shape, 66 × 93 px at 352, 51" in labels
    # Hovering an item outlines the element on the preview.
    page.hover(f"#unnamed [data-path='{letter['path']}']")
    assert page.locator(f"#boxes [data-box='{letter['path']}'].hover").count() == 1
    # Click the letter on the preview: it is picked, outlined and offered a name.
    click_template_point(page, before, letter["x"] + letter["width"] / 2,
                         letter["y"] + letter["height"] / 2)
    page.wait_for_selector("#picked:not([hidden])")
    assert page.text_content("#pickedTitle") == "Unnamed Shape, 66 × 93 px at 352, 51"
    assert "selected" in page.get_attribute(f"#boxes [data-box='{letter['path']}']", "class")
    page.fill("#pickedName", "letter_g")
    page.click("#pickedForm button")
    page.wait_for_selector("[data-layer=letter_g][aria-pressed=true]")
    after = detail(server, "gold-sponsor")
    named = next(layer for layer in after["layers"] if layer["name"] == "letter_g")
    assert (named["x"], named["y"], named["width"], named["height"]) == (352, 51, 66, 93)
    assert letter["path"] not in [u["path"] for u in after["unnamed"]]
    assert page.evaluate("location.pathname + location.search") == \
        "/studio/t/gold-sponsor?layer=letter_g"
    # And it is a layer now: a colour sent to it changes its pixels.
    page.fill("#fields [name=color]", "#00ff00")
    wait_for_new_preview(page, page.get_attribute("#preview", "src"), seconds=5)
    wait_loaded(page)
    assert '"name":"letter_g"' in page.text_content("#snippet").replace(" ", "")


def test_clicking_a_named_layer_on_the_preview_selects_it(page, server):
    open_template(page, "social-card")
    card = detail(server, "social-card")
    title = next(layer for layer in card["layers"] if layer["name"] == "title")
    click_template_point(page, card, title["x"] + 10, title["y"] + title["height"] / 2)
    page.wait_for_selector("[data-layer=title][aria-pressed=true]")
    assert page.locator("#picked").is_hidden()


def test_undo_and_redo_with_buttons_and_keys(page):
    open_template(page, "social-card")
    page.click("[data-layer=title]")
    assert page.is_disabled("#undo") and page.is_disabled("#redo")
    page.fill("textarea[name=text]", "First edit")
    until(lambda: snippet_has(page, "First edit"))
    page.click("[data-layer=price]")
    page.fill("textarea[name=text]", "$5")
    until(lambda: snippet_has(page, "$5"))
    snippet = lambda: page.text_content("#snippet")  # noqa: E731
    page.click("#undo")  # the price edit goes
    until(lambda: not snippet_has(page, "$5"))
    assert "First edit" in snippet()
    assert page.input_value("textarea[name=text]") != "$5"  # the form follows
    page.keyboard.press("Control+z")  # the title edit goes too
    until(lambda: not snippet_has(page, "First"))
    assert page.is_disabled("#undo") and not page.is_disabled("#redo")
    page.keyboard.press("Control+Shift+z")  # back again
    until(lambda: snippet_has(page, "First"))
    page.click("#redo")
    until(lambda: snippet_has(page, "$5"))
    assert page.input_value("textarea[name=text]") == "$5"  # the form shows the redone value
    assert page.is_disabled("#redo")
    # Typing in one field is one step, not one per key.
    page.click("[data-layer=subtitle]")
    page.locator("textarea[name=text]").press_sequentially("abc", delay=30)
    until(lambda: snippet_has(page, "abc"))
    page.click("#undo")
    until(lambda: not snippet_has(page, "abc"))
    assert "$5" in snippet()


def test_the_url_carries_the_params_and_a_shared_link_restores_them(page, chromium, server):
    open_template(page, "social-card")
    page.click("[data-layer=title]")
    old = page.get_attribute("#preview", "src")
    page.fill("textarea[name=text]", "Shared & sent, 100%")
    wait_for_new_preview(page, old, seconds=5)
    until(lambda: "params=" in page.evaluate("location.search"))
    shared = page.evaluate("location.href")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(shared).query)
    assert query["layer"] == ["title"]
    assert json.loads(query["params"][0]) == [{"name": "title", "text": "Shared & sent, 100%"}]
    # Someone else opens the link: the same template, layer and params, the same preview.
    other = chromium.new_context(viewport={"width": 1280, "height": 900})
    errors = []
    tab = other.new_page()
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto(shared)
    wait_loaded(tab)
    assert tab.input_value("textarea[name=text]") == "Shared & sent, 100%"
    assert '"text": "Shared & sent, 100%"' in tab.text_content("#snippet") or \
        '"text":"Shared & sent, 100%"' in tab.text_content("#snippet")
    assert tab.get_attribute("[data-layer=title]", "aria-pressed") == "true"
    # A mangled link opens the template without params and says so.
    tab.goto(f"{server}/studio/t/social-card?params=%5B%7Bnope")
    wait_loaded(tab)
    assert '"params": []' in tab.text_content("#snippet") or \
        '"params":[]' in tab.text_content("#snippet")
    assert errors == []
    other.close()


def test_the_batch_csv_tab_is_a_header_the_batch_endpoint_accepts(page, server):
    open_template(page, "social-card")
    page.click("[data-tab=csv]")
    header, row = page.text_content("#snippet").splitlines()[:2]
    # Nothing changed yet: every text layer's text, as the template has it.
    assert header == "title.text,subtitle.text,price.text,brand.text"
    assert row == ('Explore New Zealand,"Ten days of fjords, glaciers and hot springs",'
                   '"$1,299",svgrender travel')
    page.click("[data-layer=title]")
    page.fill("textarea[name=text]", 'Rome, "Paris"')
    page.fill("#fields [name=fontSize]", "40")
    until(lambda: snippet_has(page, "fontSize"))
    header, row = page.text_content("#snippet").splitlines()[:2]
    assert header == "title.text,title.fontSize"
    assert row == '"Rome, ""Paris""",40'
    known = {p.name for p in PROPERTIES}
    assert all(column.rpartition(".")[2] in known for column in header.split(","))
    # The batch endpoint takes it as it is.
    answer = httpx.post(f"{server}/batches/social-card", content=f"{header}\n{row}\n",
                        headers={"Content-Type": "text/csv"})
    assert answer.status_code == 202, answer.text


def test_the_font_field_flags_a_family_the_server_does_not_have(page, server):
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200">'
           b'<rect width="600" height="200" fill="#fff"/>'
           b'<text id="headline" x="20" y="100" font-family="Nowhere Grotesk" font-size="40">'
           b'Hello</text></svg>')
    answer = httpx.put(f"{server}/templates/missing-font", content=svg,
                       headers={"Content-Type": "image/svg+xml"})
    assert answer.status_code in (200, 201), answer.text
    families = httpx.get(f"{server}/v1/fonts").json()["families"]
    assert "Nowhere Grotesk" not in families and "Inter" in families
    page.goto(f"{server}/studio/t/missing-font?layer=headline")
    wait_loaded(page)
    field = "#fields [data-prop=fontFamily]"
    page.wait_for_selector(f"{field}[data-missing=true]")
    assert "“Nowhere Grotesk” is not on the server" in page.text_content(f"{field} .missing")
    page.fill(f"{field} input", "Inter")  # one the server has: the flag goes
    page.press(f"{field} input", "Enter")
    page.wait_for_selector(f"{field}[data-missing=false]")
    assert page.locator(f"{field} .missing").is_hidden()
    page.goto(f"{server}/studio/t/social-card?layer=title")  # the demo's Inter is there
    page.wait_for_selector(f"{field}[data-missing=false]")
