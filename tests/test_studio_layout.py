"""The studio at a phone's width (390 px) and a desktop's (1440 px): nothing wider than the
window, the editor usable from the keyboard, no layout shift while thumbnails load, no console
errors. The screenshots in docs/img are taken here (UPDATE_STUDIO_SCREENSHOTS=1 rewrites them)."""

from __future__ import annotations

import os
import time

import pytest

from helpers import ROOT, TEMPLATES
from test_studio import chromium, server, studio_dir, wait_loaded  # noqa: F401

IMAGES = ROOT / "docs" / "img"
# Layout shifts the browser reports (the Layout Instability API), collected from the start.
WATCH_SHIFTS = """
window.layoutShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.layoutShifts.push(entry.value);
}).observe({ type: "layout-shift", buffered: true });
"""


@pytest.fixture(params=[(390, 844), (1440, 900)], ids=["390px", "1440px"])
def sized(request, chromium, server):
    width, height = request.param
    context = chromium.new_context(viewport={"width": width, "height": height})
    context.add_init_script(WATCH_SHIFTS)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page, width
    assert page.console_errors == []
    context.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def tab_to(page, attribute: str, value: str, presses: int = 80) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.locator(":focus").get_attribute(attribute) == value:
            return
    raise AssertionError(f"Tab never reached [{attribute}={value}]")


def test_gallery_without_layout_shift_or_horizontal_scroll(sized, server):
    page, width = sized
    page.goto(f"{server}/studio/")
    page.wait_for_selector("[data-template=social-card]")
    cards = lambda: page.locator("[data-template]").evaluate_all(  # noqa: E731
        "els => els.map(e => { const r = e.getBoundingClientRect(); "
        "return [e.dataset.template, r.x, r.y, r.width, r.height]; })")
    placed = cards()
    for template in TEMPLATES.glob("*.svg"):  # every thumbnail drawn
        page.locator(f"[data-template={template.stem}] img[src^='blob:']").wait_for()
    time.sleep(0.3)  # layout-shift entries are reported asynchronously
    assert cards() == placed  # the cards did not move while their thumbnails arrived
    assert sum(page.evaluate("window.layoutShifts")) < 0.01
    assert no_horizontal_scroll(page)
    if os.environ.get("UPDATE_STUDIO_SCREENSHOTS") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMAGES / f"studio-gallery-{width}.png"), full_page=width > 400)


def test_editor_fits_and_works_from_the_keyboard(sized, server):
    page, width = sized
    page.goto(f"{server}/studio/")
    page.wait_for_selector("[data-template=social-card]")
    tab_to(page, "data-template", "social-card")
    page.keyboard.press("Enter")
    wait_loaded(page)
    assert no_horizontal_scroll(page)
    preview = page.locator("#preview").bounding_box()
    assert preview["x"] >= 0 and preview["x"] + preview["width"] <= width
    layers = page.locator("#layers").bounding_box()
    if width >= 1440:  # side by side on a desktop
        assert layers["x"] > preview["x"] + preview["width"]
    else:  # stacked on a phone: the layers under the preview, the full width
        assert layers["y"] > preview["y"] + preview["height"]
        assert layers["width"] > width * 0.85
    tab_to(page, "data-layer", "title")
    page.keyboard.press("Enter")
    assert page.locator(":focus").get_attribute("name") == "text"
    page.keyboard.press("Control+A")
    page.keyboard.type("Keys at any width")
    deadline = time.monotonic() + 10
    while "Keys at any width" not in page.text_content("#snippet"):
        assert time.monotonic() < deadline, "the edit never reached the request"
        time.sleep(0.05)
    page.keyboard.press("Control+z")  # undo from the keyboard too
    while "Keys at any width" in page.text_content("#snippet"):
        assert time.monotonic() < deadline, "undo never reached the request"
        time.sleep(0.05)
    page.keyboard.press("Control+Shift+z")
    while "Keys at any width" not in page.text_content("#snippet"):
        assert time.monotonic() < deadline, "redo never reached the request"
        time.sleep(0.05)
    wait_loaded(page)
    time.sleep(0.3)
    assert no_horizontal_scroll(page)  # the text box's label included
    shot = IMAGES / f"studio-{width}.png"
    if os.environ.get("UPDATE_STUDIO_SCREENSHOTS") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(shot), full_page=width > 400)
