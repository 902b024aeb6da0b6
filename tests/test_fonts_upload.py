"""Fonts added at run time (POST /v1/fonts): validated with fontTools, stored with the
templates, drawn by the renderer — in this process and in worker processes."""

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image
from starlette.testclient import TestClient

from svgrender.api.app import create_app

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FAMILY = "Svgrender Upload Test"


def renamed_font(flavor: str | None = None) -> bytes:
    """DejaVu Sans Bold under a family name nothing on the machine has."""
    from fontTools.ttLib import TTFont

    font = TTFont(DEJAVU)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
    font.flavor = flavor
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def card(family: str) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80">'
            '<rect width="300" height="80" fill="#fff"/><text id="t" x="10" y="55" '
            f'font-family="{family}" font-weight="bold" font-size="40">Fonts!</text></svg>')


def pixels(client, answer) -> np.ndarray:
    data = client.get(answer.json()["imageUrl"]).content
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), np.int16)


@pytest.fixture
def folder(tmp_path):
    import os

    if not os.path.exists(DEJAVU):
        pytest.skip("fonts-dejavu-core is not installed")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "uploaded.svg").write_text(card(FAMILY))
    (templates / "reference.svg").write_text(card("DejaVu Sans"))
    return templates


@pytest.mark.parametrize("flavor,workers", [(None, 0), ("woff2", 1)])
def test_an_uploaded_font_is_drawn(settings, folder, flavor, workers):
    with TestClient(create_app(replace(settings, templates_dir=folder, workers=workers,
                                       admin_keys=("admin",), api_keys=("render",)))) as client:
        admin, render = {"Authorization": "Bearer admin"}, {"Authorization": "Bearer render"}
        before = client.post("/designs/uploaded", json={"format": "png"}, headers=render)
        assert "not installed" in before.headers.get("x-svgrender-warnings", "")
        denied = client.post("/v1/fonts", content=renamed_font(flavor), headers=render)
        assert denied.status_code == 403
        added = client.post("/v1/fonts", content=renamed_font(flavor), headers=admin)
        assert added.status_code == 201, added.text
        assert added.json()["family"] == FAMILY and added.json()["file"].endswith(".ttf")
        # kept with the uploaded templates, in the storage (never in the templates folder)
        assert (settings.storage_dir / "_templates" / "fonts" / added.json()["file"]).is_file()
        assert not (folder / "fonts").exists()
        assert FAMILY in client.get("/v1/fonts", headers=render).json()["families"]
        after = client.post("/designs/uploaded", json={"format": "png"}, headers=render)
        reference = client.post("/designs/reference", json={"format": "png"}, headers=render)
        assert "not installed" not in after.headers.get("x-svgrender-warnings", "")
        # the same outlines as DejaVu Sans Bold, and not what the fallback drew before
        assert np.abs(pixels(client, after) - pixels(client, reference)).mean() < 0.5
        assert np.abs(pixels(client, after) - pixels(client, before)).mean() > 2


@pytest.mark.parametrize("body,code", [(b"not a font at all", "invalid_font"),
                                       (b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                        "invalid_font")])
def test_files_that_are_not_fonts_are_refused(settings, folder, body, code):
    with TestClient(create_app(replace(settings, templates_dir=folder))) as client:
        answer = client.post("/v1/fonts", content=body)
        assert answer.status_code == 422 and answer.json()["code"] == code
        assert not (folder / "fonts").exists()


def test_a_font_over_the_size_limit_is_refused(settings, folder):
    with TestClient(create_app(replace(settings, templates_dir=folder,
                                       max_font_bytes=1000))) as client:
        answer = client.post("/v1/fonts", content=renamed_font())
        assert answer.status_code in (413, 422)


def test_a_thread_that_drew_before_sees_a_font_added_by_another(tmp_path):
    """Pango's default font map is per thread: a render thread that laid out text before a
    font was added (by the upload, in another thread) must still draw with the new font."""
    import os
    import threading

    from svgrender.draw.fonts import add_font_file
    from svgrender.draw.text import Style, _layout_for

    if not os.path.exists(DEJAVU):
        pytest.skip("fonts-dejavu-core is not installed")
    from fontTools.ttLib import TTFont

    family = "Svgrender Thread Test"

    font = TTFont(io.BytesIO(renamed_font()))
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
    path = tmp_path / "thread.ttf"
    font.save(str(path))

    def width(name: str) -> float:
        layout = _layout_for(None, "Fonts are drawn", Style(name, 40, 700, False, 0.0))
        return layout.get_extents()[1].width

    results = {}
    ready, added = threading.Event(), threading.Event()

    def renderer():
        results["before"] = width(family)  # this thread's font map: without the new font
        ready.set()
        added.wait(10)
        results["after"] = width(family)
        results["reference"] = width("DejaVu Sans")

    thread = threading.Thread(target=renderer)
    thread.start()
    ready.wait(10)
    assert add_font_file(path)  # "the upload", in this thread
    added.set()
    thread.join(10)
    assert results["after"] == results["reference"] != results["before"]


def test_with_workers_an_uploaded_font_is_read_in_a_worker_process(settings, folder,
                                                                  monkeypatch):
    """fontTools on an uploaded (possibly hostile) file is untrusted work: reading it in the
    API process is made to fail, and the upload still succeeds through a worker."""
    from svgrender.templates import fonts

    def refuse(*args, **kwargs):
        raise AssertionError("a font was read in the API process")

    monkeypatch.setattr(fonts, "read_font", refuse)
    with TestClient(create_app(replace(settings, templates_dir=folder, workers=1))) as client:
        added = client.post("/v1/fonts", content=renamed_font())
        assert added.status_code == 201, added.text
        bad = client.post("/v1/fonts", content=b"not a font")
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_font"
