"""The studio in a real browser (Playwright driving Debian's Chromium) against `svgrender serve`:
gallery, live preview, upload report, naming, browser comparison, keyboard use, keys."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import time

import httpx
import pytest
from PIL import Image

from helpers import CORPUS, ROOT, TEMPLATES
from live import browser, served
from pixels import mean_abs_diff

SCREENSHOT = ROOT / "tests" / "screenshots" / "studio.png"
FIGMA = CORPUS / "figma-qvinciy" / "iMac_-_1.svg"


@pytest.fixture(scope="module")
def studio_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("studio")


@pytest.fixture(scope="module")
def server(studio_dir):
    tmp = studio_dir
    shutil.copytree(TEMPLATES, tmp / "templates")
    with served({"SVGRENDER_TEMPLATES_DIR": str(tmp / "templates"),
                 "SVGRENDER_STORAGE_DIR": str(tmp / "images"),
                 "SVGRENDER_LINK_KEYS": "studio-link-key"}) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.fixture
def page(chromium, server):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.goto(f"{server}/studio/")
    page.wait_for_selector("[data-template=social-card]")
    yield page
    assert page.console_errors == []  # the page logs no console errors, in any test
    context.close()


def preview(page) -> Image.Image:
    return Image.open(io.BytesIO(page.locator("#preview").screenshot())).convert("RGB")


def wait_for_new_preview(page, old_src: str, seconds: float = 2.0) -> float:
    """Seconds until the preview shows a new render (the done-when asks for ≤ 2 s)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        src = page.get_attribute("#preview", "src")
        loaded = page.locator("#preview").evaluate("img => img.complete && img.naturalWidth > 0")
        if src != old_src and loaded:
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"the preview did not change within {seconds} s")


def wait_loaded(page, seconds: float = 10.0) -> None:
    """Until the preview shows a decoded image (polled: the page's CSP forbids eval'd waits)."""
    page.wait_for_selector("#preview[src]")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.locator("#preview").evaluate("img => img.complete && img.naturalWidth > 0"):
            return
        time.sleep(0.05)
    raise AssertionError("the preview never loaded")


def open_template(page, template_id: str) -> None:
    page.click(f"[data-template={template_id}]")
    wait_loaded(page)


def test_gallery_lists_the_demo_templates(page):
    shown = page.locator("[data-template]").evaluate_all("els => els.map(e => e.dataset.template)")
    assert sorted(shown) == sorted(p.stem for p in TEMPLATES.glob("*.svg"))
    page.locator("[data-template=social-card] img[src]").wait_for()


def test_typing_a_title_changes_the_preview(page):
    open_template(page, "social-card")
    before = preview(page)
    page.click("[data-layer=title]")
    old = page.get_attribute("#preview", "src")
    page.fill("textarea[name=text]", "Typed in the studio")
    wait_for_new_preview(page, old)
    wait_loaded(page)
    after = preview(page)
    width, height = after.size  # the title's box, scaled to the preview
    region = (int(width * 0.5), int(height * 0.1), int(width * 0.98), int(height * 0.35))
    assert mean_abs_diff(before.crop(region), after.crop(region)) > 3
    assert "Typed in the studio" in page.text_content("#snippet")
    if os.environ.get("UPDATE_STUDIO_SCREENSHOT") == "1":  # the README's picture
        page.click("#compare summary")
        page.click("#compareButton")
        page.wait_for_selector("#compareResult[data-mean]", state="attached")
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)


def test_browser_comparison_shows_a_number(page):
    open_template(page, "social-card")
    page.click("#compare summary")
    page.click("#compareButton")
    page.wait_for_selector("#compareResult[data-mean]", state="attached", timeout=15000)
    mean = float(page.get_attribute("#compareResult", "data-mean"))
    assert 0 <= mean < 3  # the demo card is drawn as Chromium draws it
    assert re.search(r"Mean difference: \d+\.\d\d of 255", page.text_content("#compareResult"))


@pytest.mark.skipif(not FIGMA.exists(), reason="../shared/corpus is absent (a user's clone)")
def test_uploading_a_figma_export_reports_outlined_text_and_naming_works(page, server):
    page.set_input_files("#upload", str(FIGMA))
    finding = page.wait_for_selector("#report .finding[data-code=outlined_text]")
    assert "Outline text" in finding.text_content()
    page.click("#report button")  # open it
    page.wait_for_selector("#unnamed [data-path]")
    template_id = page.text_content("#templateMeta").split(" ·")[0]
    page.locator("#unnamed [data-path]").first.click()
    page.fill(".name-form input", "hero")
    page.click(".name-form button")
    page.wait_for_selector("[data-layer=hero]")
    detail = httpx.get(f"{server}/templates/{template_id}").json()
    assert "hero" in [layer["name"] for layer in detail["layers"]]


def test_keyboard_alone_selects_a_layer_and_edits_it(page):
    for _ in range(40):  # Tab to the social card in the gallery
        page.keyboard.press("Tab")
        if page.locator(":focus").get_attribute("data-template") == "social-card":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-layer=title]")
    wait_loaded(page)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.locator(":focus").get_attribute("data-layer") == "title":
            break
    assert page.locator(":focus").get_attribute("data-layer") == "title"
    page.keyboard.press("Enter")
    assert page.locator(":focus").get_attribute("name") == "text"  # the text, ready to type
    old = page.get_attribute("#preview", "src")
    page.keyboard.press("Control+A")
    page.keyboard.type("Keys only")
    wait_for_new_preview(page, old)
    assert '"text":"Keys only"' in page.text_content("#snippet")


def test_the_studio_is_light(server):
    html = httpx.get(f"{server}/studio/").text
    assets = re.findall(r'(?:src|href)="(/studio/[a-z]+\.(?:js|css))"', html)
    scripts = [httpx.get(f"{server}{a}").text for a in assets]
    modules = {m for s in scripts for m in re.findall(r'from "\./([a-z]+\.js)"', s)}
    total = len(html.encode()) + sum(len(s.encode()) for s in scripts) + sum(
        len(httpx.get(f"{server}/studio/{m}").content) for m in modules)
    assert total <= 150 * 1024, total
    assert "http" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', html))  # no CDN


def test_with_keys_nothing_works_without_the_key(chromium, tmp_path):
    with served({"SVGRENDER_TEMPLATES_DIR": str(TEMPLATES),
                 "SVGRENDER_STORAGE_DIR": str(tmp_path / "images"),
                 "SVGRENDER_API_KEYS": "studio-secret-key"}) as url:
        context = chromium.new_context()
        page = context.new_page()
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"{url}/studio/")
        page.wait_for_selector("#keyForm:not([hidden])")
        assert page.locator("[data-template]").count() == 0
        page.fill("#keyInput", "wrong-key")
        page.click("#keyEntry button")
        page.wait_for_selector("#keyForm:not([hidden])")
        assert page.locator("[data-template]").count() == 0
        page.fill("#keyInput", "studio-secret-key")
        page.click("#keyEntry button")
        page.wait_for_selector("[data-template=social-card]")
        assert not any("studio-secret-key" in r for r in requested)  # never in a URL
        context.close()


def test_api_reference_page_from_openapi(chromium, server):
    page = chromium.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{server}/docs")
    page.wait_for_selector("#render")  # the operationId of POST /designs/{templateId}
    assert "POST /designs/{templateId}" in page.text_content("#render h2")
    assert page.locator(".operation").count() >= 15
    assert all(url.startswith(server) for url in requested)  # nothing from a CDN
    assert errors == []
    page.close()


def stored_files(folder) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()} if folder.exists() else {}


def test_gallery_and_live_preview_store_nothing(chromium, server, studio_dir):
    before = stored_files(studio_dir / "images")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server}/studio/")
    for template in TEMPLATES.glob("*.svg"):  # every thumbnail drawn
        page.locator(f"[data-template={template.stem}] img[src^='blob:']").wait_for()
    open_template(page, "social-card")
    page.click("[data-layer=title]")
    old = page.get_attribute("#preview", "src")
    page.fill("textarea[name=text]", "Nothing stored " * 12)
    wait_for_new_preview(page, old, seconds=5)
    page.wait_for_selector("#fit [data-fit=title]")
    assert "line" in page.text_content("#fit [data-fit=title]")
    assert "cut" in page.get_attribute("#fit [data-fit=title]", "class")
    assert stored_files(studio_dir / "images") == before  # the gallery and editing stored nothing
    page.click("#store")  # storing is explicit
    page.wait_for_selector("#downloads a")
    assert len(stored_files(studio_dir / "images")) > len(before)
    assert errors == []
    context.close()


SHORT_TITLE = "Visit Auckland"  # one line in the card's title box, two in half its width


def title_layer(server, template_id):
    detail = httpx.get(f"{server}/templates/{template_id}").json()
    return next(layer for layer in detail["layers"] if layer["name"] == "title")


def title_lines(server, template_id) -> int:
    answer = httpx.post(f"{server}/designs/{template_id}/preview",
                        json={"params": [{"name": "title", "text": SHORT_TITLE}]})
    return json.loads(answer.headers["x-svgrender-layout"])["title"]["lines"]


def test_dragging_a_text_box_handle_and_saving_it(page, server):
    # An uploaded copy of the demo card (the operator's own templates are read-only).
    answer = httpx.put(f"{server}/templates/box-card",
                       content=(TEMPLATES / "social-card.svg").read_bytes(),
                       headers={"Content-Type": "image/svg+xml"})
    assert answer.status_code in (200, 201), answer.text
    before = title_layer(server, "box-card")
    assert title_lines(server, "box-card") == 1
    page.goto(f"{server}/studio/")
    open_template(page, "box-card")
    page.click("[data-layer=title]")
    box = page.locator("#textbox")
    box.wait_for()
    assert "grows down" in page.text_content("#textbox .tb-label")
    handle = page.locator("#textbox [data-handle=e]").bounding_box()
    outline = box.bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - outline["width"] / 4, y, steps=4)
    page.mouse.move(x - outline["width"] / 2, y, steps=4)
    page.mouse.up()
    assert "not saved" in page.text_content("#boxReadout")
    page.click("#saveBox")
    page.wait_for_selector("#status:has-text('saved')")
    after = title_layer(server, "box-card")
    assert after["boxSource"] == "explicit"
    assert after["box"]["width"] == pytest.approx(before["box"]["width"] / 2, rel=0.08)
    assert after["box"]["x"] == pytest.approx(before["box"]["x"], abs=1)
    assert title_lines(server, "box-card") == 2  # the next render wraps in the new box
    # The box shown is the saved one.
    assert page.locator("#textbox").bounding_box()["width"] == pytest.approx(
        outline["width"] / 2, rel=0.1)


def test_inspector_groups_words_units_and_the_templates_values(page):
    open_template(page, "social-card")
    page.click("[data-layer=title]")
    groups = page.locator("#fields [data-group]").evaluate_all(
        "els => els.map(e => e.dataset.group)")
    assert groups == ["Text", "Fill and border", "Layout", "Fit"]
    text = lambda prop: page.text_content(f"#fields [data-prop='{prop}']")
    assert "Font size" in text("fontSize") and "px" in text("fontSize") \
        and "template: 52 px" in text("fontSize")
    assert "template: Inter" in text("fontFamily")
    assert "template: bold" in text("fontWeight")
    assert "template: 0 px" in text("letterSpacing")
    assert "template: left" in text("textAlign")
    assert "Maximum lines" in text("maxLines") and "no limit" in text("maxLines")
    assert "Smallest font size" in text("minFontSize") and "px" in text("minFontSize")
    assert "template: words" in text("wrap")
    assert "template: off" in text("autoFit")
    assert page.locator("#fields [name=colorSwatch]").input_value() == "#1e2a38"
    assert page.get_attribute("#fields [name=color]", "placeholder") == "#1e2a38"
    assert page.get_attribute("#fields [name=fontSize]", "placeholder") == "52"
    width = page.locator("#fields [name='box.width']").input_value()
    assert width == "540"  # the title's box, in px
    # No API key shown as a label: every field is named in words.
    names = page.locator("#fields .name").evaluate_all("els => els.map(e => e.textContent)")
    assert not any(n in ("fontSize", "letterSpacing", "maxLines", "wrap") for n in names)


def test_a_colour_named_white_shows_a_white_swatch(page):
    open_template(page, "figma-export")  # its card is fill="white"
    page.click("[data-layer=card]")
    assert page.locator("#fields [name=colorSwatch]").input_value() == "#ffffff"
    assert page.get_attribute("#fields [name=color]", "placeholder") == "white"


def test_no_border_colour_shows_no_colour_not_black(page):
    """The title has no stroke: its border swatch shows the "none" hatching, not black."""
    import io

    import numpy as np
    from PIL import Image

    open_template(page, "social-card")
    page.click("[data-layer=title]")
    swatch = page.locator("#fields [name=strokeColorSwatch], #fields [name=borderColorSwatch]")
    shot = np.asarray(Image.open(io.BytesIO(swatch.first.screenshot())).convert("L"))
    assert shot.mean() > 150, f"the swatch is dark ({shot.mean():.0f})"


def test_a_gradient_fill_is_shown_as_a_gradient(page):
    open_template(page, "social-card")
    page.click("[data-layer=canvas]")
    assert "linear-gradient" in page.get_attribute("#fields [data-prop=color] .swatch", "class")


def test_deep_link_opens_the_template_with_the_layer_selected(page, server):
    page.goto(f"{server}/studio/t/social-card?layer=title")
    wait_loaded(page)
    assert page.get_attribute("[data-layer=title]", "aria-pressed") == "true"
    assert page.text_content("#formTitle").startswith("title")
    assert page.locator(":focus").get_attribute("name") == "text"
    page.click("[data-layer=subtitle]")
    assert page.evaluate("location.pathname + location.search") == \
        "/studio/t/social-card?layer=subtitle"
    page.click("#home")
    page.wait_for_selector("[data-template=social-card]")
    assert page.evaluate("location.pathname") == "/studio/"
    page.go_back()
    page.wait_for_selector("#editor:not([hidden])")
    assert page.get_attribute("[data-layer=subtitle]", "aria-pressed") == "true"


def test_a_chart_typed_as_json_draws_in_the_preview(page):
    open_template(page, "product-card")
    page.click("[data-layer=qr]")
    assert "Chart (JSON)" in page.text_content("#fields [data-prop=chart]")
    chart = page.locator("#fields [name=chart]")
    chart.fill("{bad")
    chart.dispatch_event("change")
    assert chart.evaluate("e => e.validity.valid") is False  # flagged, not sent
    old = page.get_attribute("#preview", "src")
    chart.fill('{"type": "bar", "values": [1, 2], "colors": ["#ff0000", "#0000ff"]}')
    chart.dispatch_event("change")
    assert chart.evaluate("e => e.validity.valid") is True
    wait_for_new_preview(page, old, 10.0)
    wait_loaded(page)
    pixels = preview(page).getdata()
    red = sum(1 for r, g, b in pixels if r > 200 and g < 60 and b < 60)
    blue = sum(1 for r, g, b in pixels if b > 200 and r < 60 and g < 60)
    assert red > 20 and blue > red * 1.5  # the second bar twice as tall
