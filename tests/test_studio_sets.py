"""The studio's set panel in a real browser: a template in a set shows its set; every member is
drawn side by side with the editor's params (unstored), the layers a member lacks named."""

from __future__ import annotations

import io

from PIL import Image

from test_studio import (chromium, open_template, page, server, stored_files,  # noqa: F401
                         studio_dir, wait_loaded)


def test_the_campaign_set_side_by_side_with_the_editors_changes(page, studio_dir):
    before = stored_files(studio_dir / "images")
    open_template(page, "certificate")  # in no set: no panel
    assert page.locator("#sets").is_hidden()
    page.goto(page.url.replace("/studio/t/certificate", "/studio/t/social-card"))
    page.wait_for_selector("#preview[src]")
    wait_loaded(page)
    assert page.locator("#sets").is_visible()
    choices = page.locator("#setChoice option").evaluate_all("os => os.map(o => o.value)")
    assert sorted(choices) == ["campaign", "launch"]  # social-card is in both demo sets
    page.click("[data-layer=canvas]")
    page.fill("input[name=backgroundColor]", "#ff0000")
    page.select_option("#setChoice", "launch")
    page.click("#setRun")
    page.wait_for_selector("#setSummary[data-done='3']", timeout=30000)
    members = page.locator("#setGrid figure").evaluate_all(
        "fs => fs.map(f => [f.dataset.member, f.dataset.skipped || '', !!f.dataset.error])")
    assert [m[0] for m in members] == ["social-card", "instagram-post", "product-card"]
    assert not any(m[2] for m in members)
    page.select_option("#setChoice", "campaign")
    page.click("#setRun")
    page.wait_for_selector("#setSummary[data-done='3']", timeout=30000)
    figures = page.locator("#setGrid figure")
    assert figures.evaluate_all("fs => fs.map(f => f.dataset.member)") == [
        "social-card", "social-square", "social-story"]
    ratios = []
    for index in range(3):
        img = figures.nth(index).locator("img")
        img.wait_for()
        size = img.evaluate("i => [i.naturalWidth, i.naturalHeight]")
        ratios.append(round(size[1] / size[0], 2))
        shot = Image.open(io.BytesIO(img.screenshot())).convert("RGB")
        corner = shot.getpixel((2, 2))
        assert corner[0] > 200 and corner[1] < 60 and corner[2] < 60, corner  # the red canvas
    assert ratios == [0.53, 1.0, 1.78]  # og, square, story
    assert stored_files(studio_dir / "images") == before  # previews are not stored
