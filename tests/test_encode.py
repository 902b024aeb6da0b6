"""io/encode.py and io/encoding_threads.py: JPEG straight from cairo's buffer, files encoded in
threads, the same bytes as Pillow's public way."""

from __future__ import annotations

import io
import threading
from dataclasses import replace
from pathlib import Path

import cairocffi as cairo
import pytest
from PIL import Image

from svgrender import render as pipeline
from svgrender.io import encode, encoding_threads
from svgrender.params import LayerParam, RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

ROOT = Path(__file__).resolve().parent.parent


def _card_surfaces(monkeypatch) -> list[cairo.ImageSurface]:
    """The demo card's three drawn pictures (1x, 800 w, 400 w) with a changed title."""
    settings = Settings()
    template = load_template("social-card", (ROOT / "templates" / "social-card.svg").read_bytes(),
                             settings)
    surfaces = []
    monkeypatch.setattr(encoding_threads, "encode_soon",
                        lambda fn, surface, s: surfaces.append(surface) or _done(fn(surface, s)))
    monkeypatch.setattr(pipeline, "encode_soon", encoding_threads.encode_soon)
    pipeline.render(template, RenderRequest(format="jpeg", params=[
        LayerParam(name="title", text="Encoded from cairo's own buffer")]), settings)
    return surfaces


def _done(value):
    from concurrent.futures import Future

    future = Future()
    future.set_result(value)
    return future


def test_jpeg_from_cairo_is_pillows_jpeg_byte_for_byte(monkeypatch):
    surfaces = _card_surfaces(monkeypatch)
    assert [s.get_width() for s in surfaces] == [1200, 800, 400]
    assert encode._jpeg_from_cairo_works()
    for surface in surfaces:
        mapped = encode._jpeg_from_cairo(surface, 85)
        assert mapped == encode._jpeg_through_pillow(surface, 85)
        picture = Image.open(io.BytesIO(mapped))
        assert picture.mode == "RGB" and picture.size == (surface.get_width(),
                                                          surface.get_height())


def test_channels_are_not_swapped():
    """A pure red, green and blue band each come out as themselves (B and R swapped would turn
    the red band blue)."""
    surface = cairo.ImageSurface(cairo.FORMAT_RGB24, 96, 32)
    context = cairo.Context(surface)
    for i, rgb in enumerate([(1, 0, 0), (0, 1, 0), (0, 0, 1)]):
        context.set_source_rgb(*rgb)
        context.rectangle(i * 32, 0, 32, 32)
        context.fill()
    surface.flush()
    picture = Image.open(io.BytesIO(encode.encode_jpeg(surface, Settings())))
    for i, want in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
        got = picture.getpixel((i * 32 + 16, 16))
        assert all(abs(a - b) <= 8 for a, b in zip(got, want)), (i, got)


def test_a_pillow_without_the_private_interface_falls_back(monkeypatch):
    surface = cairo.ImageSurface(cairo.FORMAT_RGB24, 40, 20)
    cairo.Context(surface).set_source_rgb(0.2, 0.6, 0.3)
    monkeypatch.setattr(encode, "_checked", [])

    def renamed(surface, quality):  # as if another Pillow had changed its private interface
        raise TypeError("_Tile() takes 5 arguments")

    monkeypatch.setattr(encode, "_jpeg_from_cairo", renamed)
    assert not encode._jpeg_from_cairo_works()
    settings = Settings()
    assert encode.encode_jpeg(surface, settings) == encode._jpeg_through_pillow(
        surface, settings.jpeg_quality)


def test_files_are_encoded_in_other_threads_where_cores_are_free(monkeypatch):
    """Free: beyond one core per render worker and one for the API process."""
    def thread_of(settings):
        return encoding_threads.encode_soon(lambda s, settings: threading.current_thread().name,
                                            None, settings).result()

    monkeypatch.setattr(encoding_threads.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert thread_of(Settings(workers=2)).startswith("encode")
    assert thread_of(Settings(workers=3)) == threading.current_thread().name
    monkeypatch.setattr(encoding_threads.os, "sched_getaffinity", lambda pid: {0, 1})
    assert thread_of(Settings(workers=1)) == threading.current_thread().name


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp"])
def test_an_answer_encoded_in_threads_is_the_answer_encoded_inline(monkeypatch, fmt):
    settings = Settings(static_layer_cache_bytes=0)
    template = load_template("social-card", (ROOT / "templates" / "social-card.svg").read_bytes(),
                             settings)
    request = RenderRequest(format=fmt, params=[LayerParam(name="title", text="Same bytes")])
    settings = replace(settings, workers=1)
    monkeypatch.setattr(encoding_threads.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    threaded = [f.data for f in pipeline.render(template, request, settings).files]
    monkeypatch.setattr(encoding_threads.os, "sched_getaffinity", lambda pid: {0, 1})
    inline = [f.data for f in pipeline.render(template, request, settings).files]
    assert threaded == inline
    sizes = [Image.open(io.BytesIO(data)).size for data in threaded]
    assert sizes == [(1200, 630), (400, 210), (800, 420)]
