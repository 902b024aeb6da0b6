"""Fonts are limited by what they unpack to and how long they take to read (issue 27): a WOFF or
WOFF2 bomb (tables that compress extremely well) is refused before it is stored, naming the file."""

import functools
import io
import time
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from svgrender.api.app import create_app
from svgrender.templates.fonts import unpacked_size
from tests.test_fonts_upload import folder  # noqa: F401  (fixture)
from tests.test_fonts_upload import renamed_font as _upload_test_font


def renamed_font(flavor: str | None = None) -> bytes:
    """DejaVu Sans Bold under a family of its own (fontconfig is per process: another test
    file checks its family is missing before its own upload)."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_upload_test_font()))
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "Svgrender Bomb Test"
        elif record.nameID == 6:
            record.string = "SvgrenderBombTest"
    font.flavor = flavor
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=4)
def bomb(flavor: str, size: int = 40 * 1024 * 1024) -> bytes:
    """A valid font with one private table of `size` bytes, nearly all zeros: it packs about
    60× (fontTools itself refuses files packed over 100×), so 40 MB travel as ~0.7 MB."""
    import random

    from fontTools.ttLib import TTFont, newTable

    font = TTFont(io.BytesIO(renamed_font()))
    table = newTable("zzzz")
    noise, block = random.Random(27), bytearray(4096)
    data = bytearray()
    while len(data) < size:
        block[:48] = noise.randbytes(48)
        data += block
    table.data = bytes(data[:size])
    font["zzzz"] = table
    font.flavor = flavor
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


# WOFF2 packing (brotli at its best) is slow: its bomb is smaller, against a smaller limit.
SIZES = {"woff": (40 * 1024 * 1024, 20 * 1024 * 1024), "woff2": (6 * 1024 * 1024, 4 * 1024 * 1024)}


@pytest.mark.parametrize("flavor", ["woff", "woff2"])
def test_the_declared_unpacked_size_is_read_before_unpacking(folder, flavor):
    size, _ = SIZES[flavor]
    data = bomb(flavor, size)
    assert len(data) < size / 15  # small on the wire…
    assert unpacked_size(data) > size  # …huge unpacked


@pytest.mark.parametrize("flavor,workers", [("woff", 0), ("woff", 1), ("woff2", 1)])
def test_a_font_bomb_is_refused_before_it_is_stored(settings, folder, flavor, workers):
    size, limit = SIZES[flavor]
    data = bomb(flavor, size)
    assert limit == 20 * 1024 * 1024 or flavor == "woff2"  # the default stops the WOFF one
    settings = replace(settings, templates_dir=folder, workers=workers)
    if flavor == "woff2":
        settings = replace(settings, max_font_unpacked_bytes=limit)
    with TestClient(create_app(settings)) as client:
        started = time.monotonic()
        answer = client.post("/v1/fonts?name=bomb." + flavor, content=data,
                             headers={"Content-Type": "font/" + flavor})
        assert time.monotonic() - started < 5
        assert answer.status_code == 413, answer.text
        body = answer.json()
        assert body["code"] == "font_too_large"
        assert f"bomb.{flavor}" in body["message"]
        assert "SVGRENDER_MAX_FONT_UNPACKED_BYTES" in body["message"]
        assert not (folder / "fonts").exists() or not list((folder / "fonts").iterdir())
        # an ordinary font still goes in
        fine = client.post("/v1/fonts", content=renamed_font("woff"),
                           headers={"Content-Type": "font/woff"})
        assert fine.status_code == 201, fine.text


def test_the_unpacked_limit_is_a_setting(settings, folder):
    data = bomb("woff", size=2 * 1024 * 1024)
    app = create_app(replace(settings, templates_dir=folder, workers=0,
                             max_font_unpacked_bytes=64 * 1024 * 1024))
    with TestClient(app) as client:
        assert client.post("/v1/fonts", content=data,
                           headers={"Content-Type": "font/woff"}).status_code == 201
    app = create_app(replace(settings, templates_dir=folder, workers=0,
                             max_font_unpacked_bytes=1024 * 1024))
    with TestClient(app) as client:
        assert client.post("/v1/fonts", content=data,
                           headers={"Content-Type": "font/woff"}).status_code == 413


@pytest.mark.parametrize("workers", [0, 1])
def test_a_font_that_takes_too_long_to_read_is_refused(settings, folder, workers):
    """WOFF2 glyf reconstruction is pure Python: DejaVu Sans Bold takes well over 10 ms."""
    data = renamed_font("woff2")
    app = create_app(replace(settings, templates_dir=folder, workers=workers,
                             font_decode_timeout=0.01))
    with TestClient(app) as client:
        answer = client.post("/v1/fonts?name=slow.woff2", content=data,
                             headers={"Content-Type": "font/woff2"})
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "font_too_costly"
        assert "slow.woff2" in answer.json()["message"]
        assert not (folder / "fonts").exists() or not list((folder / "fonts").iterdir())
        assert client.get("/healthz").status_code == 200
