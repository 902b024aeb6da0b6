"""Each distinct warning once per render: logged once, returned once (the answer's `warnings`,
the X-Svgrender-Warnings header), however many texts, sizes or static layers raise it."""

from __future__ import annotations

import logging
import subprocess
import sys

from svgrender import notices
from svgrender import render as pipeline
from svgrender.params import LayerParam, RenderRequest
from svgrender.settings import Settings
from svgrender.templates.store import TemplateStore

MISSING = "font 'Nope Sans' is not installed"


def many_texts(folder, count=30):
    texts = "".join(f'<text id="t{i}" x="10" y="{20 + i * 12}" font-family="Nope Sans" '
                    f'font-size="10">Line {i}</text>' for i in range(count))
    path = folder / "many.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400">'
                    f'{texts}</svg>')
    return path


def logged(caplog, text):
    return [r for r in caplog.records if r.name == "svgrender.render" and text in r.getMessage()]


def test_warn_logs_and_collects_each_message_once(caplog):
    caplog.set_level(logging.WARNING, "svgrender.render")
    outer: list[str] = []
    render = notices.collecting(outer)
    for _ in range(5):
        render.warn("a")
    inner: list[str] = []
    static_layers = render.into(inner)  # e.g. a render's static layers
    static_layers.warn("a")
    static_layers.warn("b")
    render.warn("b")
    assert outer == ["a", "b"] and inner == ["a", "b"]
    assert [r.getMessage() for r in caplog.records] == ["a", "b"]
    notices.collecting([]).warn("a")  # the next render says it again
    assert len(caplog.records) == 3


def test_outside_a_render_every_warning_is_logged(caplog):
    caplog.set_level(logging.WARNING, "svgrender.render")
    loose = notices.Notices()  # a draw outside any render: nothing collects
    loose.warn("a")
    loose.warn("a")
    assert not loose.collecting
    assert [r.getMessage() for r in caplog.records] == ["a", "a"]


def test_a_render_logs_and_answers_a_missing_font_once(tmp_path, caplog):
    many_texts(tmp_path)
    settings = Settings(templates_dir=tmp_path, storage_dir=tmp_path / "images", workers=0)
    store = TemplateStore(tmp_path, settings)
    caplog.set_level(logging.WARNING, "svgrender.render")
    template = store.valid("many")
    assert len(logged(caplog, MISSING)) == 1  # loading measured 30 texts: one line
    for fmt, params in (("png", []), ("jpeg", [LayerParam(name="t1", text="changed")])):
        caplog.clear()
        result = pipeline.render(template, RenderRequest(params=params, format=fmt), settings)
        assert len(logged(caplog, MISSING)) == 1, fmt  # 30 texts × 3 sizes (+ static layers)
        assert sum(MISSING in w for w in result.warnings) == 1


def test_the_cli_prints_a_missing_font_once(tmp_path):
    many_texts(tmp_path)
    done = subprocess.run([sys.executable, "-m", "svgrender", "render", "many.svg", "-o",
                           "out.png"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(MISSING) == 1, done.stderr
