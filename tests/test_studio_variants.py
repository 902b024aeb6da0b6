"""The studio's variants sheet in a real browser: CSV rows and the stress test drawn as unstored
previews with their fit reports, the cut rows flagged, a row opened in the editor."""

from __future__ import annotations

import time

from test_studio import (chromium, open_template, page, server, stored_files,  # noqa: F401
                         studio_dir, wait_loaded)

LONG = "An extraordinarily long title that keeps going well past the end of its box " * 2
CUT_ROWS = {3, 7, 12, 18}


def csv_rows() -> str:
    lines = ["title.text,price.text"]
    for n in range(20):
        if n in CUT_ROWS:
            lines.append(f'"{LONG.strip()} {n}","$1,{n:03d}"')
        elif n == 5:
            lines.append('"Rome, Paris ""and"" Berlin",$999')  # quotes and a comma in a field
        else:
            lines.append(f"Trip {n},${n}00")
    return "\n".join(lines) + "\n"


def wait_done(page, rows: int, seconds: float = 30.0) -> float:
    start = time.monotonic()
    page.wait_for_selector(f"#variantsSummary[data-done='{rows}']", timeout=seconds * 1000)
    return time.monotonic() - start


def flagged(page, kind: str) -> set[int]:
    cells = page.locator("#variantsGrid [data-row]").evaluate_all(
        "els => els.map(e => [Number(e.dataset.row), e.dataset.flags || ''])")
    return {n for n, flags in cells if kind in flags.split()}


def test_a_20_row_csv_shows_20_thumbnails_and_flags_the_cut_rows(page, studio_dir):
    before = stored_files(studio_dir / "images")
    in_flight, most = set(), [0]

    def started(request):  # the sheet's previews (not the gallery's or the editor's)
        if "/preview?width=400" in request.url and "title" in (request.post_data or ""):
            in_flight.add(request.url + request.post_data)
            most[0] = max(most[0], len(in_flight))

    def answered(request):
        in_flight.discard(request.url + (request.post_data or ""))

    open_template(page, "social-card")
    page.on("request", started)
    page.on("response", lambda response: answered(response.request))
    page.on("requestfailed", answered)
    page.fill("#variantsInput", csv_rows())
    page.click("#variantsRun")
    assert page.locator("#variantsGrid [data-row]").count() == 20  # placeholders at once
    seconds = wait_done(page, 20)
    assert page.locator("#variantsGrid img[src^='blob:']").count() == 20
    assert flagged(page, "cut") == CUT_ROWS
    for n in CUT_ROWS:  # in words too, not only a colour
        assert "Cut: title" in page.text_content(f"[data-row='{n}'] .flag")
    assert "✓ Fits" in page.text_content("[data-row='5']")
    assert 'title.text: "Rome, Paris \\"and\\" Berlin"' in \
        page.get_attribute("[data-row='5']", "title")
    assert "4 flagged" in page.text_content("#variantsSummary")
    assert 2 <= most[0] <= 4, most[0]  # in parallel, at most 4 in flight
    assert seconds < 20
    assert stored_files(studio_dir / "images") == before  # previews are not stored
    # A flagged thumbnail opens its row in the editor.
    page.click("[data-row='7']")
    page.wait_for_selector("#fit [data-fit=title].cut")
    assert page.input_value("textarea[name=text]") == f"{LONG.strip()} 7"
    assert page.get_attribute("[data-layer=title]", "aria-pressed") == "true"
    wait_loaded(page)
    assert stored_files(studio_dir / "images") == before


def test_the_stress_test_flags_a_cut_title_on_the_social_card(page, studio_dir):
    before = stored_files(studio_dir / "images")
    open_template(page, "social-card")
    page.click("#stressTest")
    rows = page.locator("#variantsGrid [data-row]").count()
    assert rows == 4 * 6  # title, subtitle, price, brand × six worst cases
    wait_done(page, rows)
    labels = page.locator("#variantsGrid [data-row] strong").evaluate_all(
        "els => els.map(e => e.textContent)")
    cut = {labels[n] for n in flagged(page, "cut")}
    assert "title: 3× longer" in cut
    assert not any(label.endswith(": empty") for label in cut)
    assert page.locator("#variantsGrid img[src^='blob:']").count() == rows
    index = labels.index("title: 3× longer")
    page.click(f"[data-row='{index}']")
    page.wait_for_selector("#fit [data-fit=title].cut")
    assert page.input_value("textarea[name=text]").startswith("Explore New Zealand Explore")
    assert stored_files(studio_dir / "images") == before


def test_uploading_a_csv_file(page, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("title.text,price.text\r\nFrom a file,$1\r\nAnother,$2\r\n", encoding="utf-8-sig")
    open_template(page, "social-card")
    page.set_input_files("#variantsFile", str(rows))
    wait_done(page, 2)
    assert page.locator("#variantsGrid img[src^='blob:']").count() == 2
    assert "From a file" in page.input_value("#variantsInput")


def test_bad_rows_are_explained(page):
    open_template(page, "social-card")
    page.fill("#variantsInput", "headline.text\nHello\n")
    page.click("#variantsRun")
    assert "no layer “headline”" in page.text_content("#variantsSummary")
    page.fill("#variantsInput", '[{"title.text": "From JSON"}, {"params": [{"name": "title", '
                                '"text": "Render body"}]}]')
    page.click("#variantsRun")
    wait_done(page, 2)
    assert page.locator("#variantsGrid img[src^='blob:']").count() == 2
    # CRLF line ends (the textarea keeps LF), a line break inside quotes, a spreadsheet's BOM,
    # blank lines skipped.
    page.fill("#variantsInput", '\ufefftitle.text,title.maxLines\r\n"Two\r\nlines",1\r\n\r\n')
    page.click("#variantsRun")
    wait_done(page, 1)
    assert page.get_attribute("[data-row='0']", "title") == \
        'title.text: "Two\\nlines"\ntitle.maxLines: 1'
    page.click("[data-row='0']")
    page.wait_for_selector("#fit [data-fit=title]")
    assert page.input_value("textarea[name=text]") == "Two\nlines"
