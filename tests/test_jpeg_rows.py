"""io/jpeg_rows.py and encode.encode_jpeg_changed: a JPEG re-encoded only in the MCU rows that
changed is the full encode, byte for byte; an answer drawn by region gets exactly those bytes."""

from __future__ import annotations

import io
from pathlib import Path

import cairocffi as cairo
import numpy as np
import pytest
from PIL import Image

from svgrender import render as pipeline
from svgrender.io import encode, jpeg_rows
from svgrender.params import LayerParam, RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = Settings()


def _noise(width: int, height: int, seed: int = 1) -> tuple[cairo.ImageSurface, np.ndarray]:
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
    pixels = np.frombuffer(surface.get_data(), np.uint8).reshape(height, -1, 4)[:, :width]
    pixels[:] = np.random.default_rng(seed).integers(0, 256, pixels.shape, dtype=np.uint8)
    pixels[..., 3] = 255
    surface.mark_dirty()
    return surface, pixels


BOXES = [(3, 17, 20, 33), (0, 0, 5, 5), (0, 15, 9, 16), (5, 16, 6, 17), (0, 0, 1, 10_000)]


@pytest.mark.parametrize("width,height", [(1200, 630), (400, 210), (37, 45), (16, 16), (5, 3)])
def test_rows_re_encoded_in_a_box_are_the_full_encode(width, height):
    kept_surface, _ = _noise(width, height)
    kept = encode.jpeg_rows_of(kept_surface, SETTINGS)
    assert len(kept.rows) == -(-height // 16)
    assert kept.joined() == encode.encode_jpeg(kept_surface, SETTINGS)
    boxes = BOXES + [(0, height - 1, width, height), (0, 0, width, height)]
    for x0, y0, x1, y1 in boxes:
        y0, y1 = min(y0, height - 1), min(y1, height)
        changed, pixels = _noise(width, height)
        pixels[y0:y1, x0:x1, :3] = [40, 200, 90]
        changed.mark_dirty()
        spliced = encode.encode_jpeg_changed(changed, SETTINGS, kept, (x0, y0, x1, y1))
        assert spliced == encode.encode_jpeg(changed, SETTINGS), (x0, y0, x1, y1)


def test_a_box_smaller_than_the_change_gives_other_bytes():
    """The splice trusts the box: this is what a wrong dirty box would cost (and why the
    pipeline test below compares with the full draw's file)."""
    kept_surface, _ = _noise(64, 64)
    kept = encode.jpeg_rows_of(kept_surface, SETTINGS)
    changed, pixels = _noise(64, 64)
    pixels[40:50, 10:20, :3] = 0
    changed.mark_dirty()
    assert encode.encode_jpeg_changed(changed, SETTINGS, kept, (10, 10, 20, 20)) != \
        encode.encode_jpeg(changed, SETTINGS)


def test_no_box_is_the_kept_file():
    surface, _ = _noise(50, 40)
    kept = encode.jpeg_rows_of(surface, SETTINGS)
    assert encode.encode_jpeg_changed(surface, SETTINGS, kept, None) == \
        encode.encode_jpeg(surface, SETTINGS)


def test_restart_markers_do_not_change_the_decoded_pixels():
    surface, _ = _noise(120, 70)
    plain = io.BytesIO()
    encode.surface_to_image(surface, opaque=True).save(plain, "JPEG", quality=90, subsampling=2)
    with_markers = encode.encode_jpeg(surface, Settings(jpeg_quality=90))
    assert b"\xff\xdd" in with_markers and b"\xff\xdd" not in plain.getvalue()  # DRI
    assert np.array_equal(np.asarray(Image.open(plain)),
                          np.asarray(Image.open(io.BytesIO(with_markers))))


def test_cut_finds_every_row_and_nothing_else():
    surface, _ = _noise(40, 100)
    data = encode.encode_jpeg(surface, SETTINGS)
    kept = jpeg_rows.cut(data)
    assert len(kept.rows) == 7 and kept.tail == b"\xff\xd9"
    assert all(row and b"\xff\xd0" not in row for row in kept.rows)


def test_a_title_only_answer_is_the_full_draws_file_byte_for_byte(monkeypatch):
    template = load_template("social-card", (ROOT / "templates" / "social-card.svg").read_bytes(),
                             SETTINGS)
    strips = []
    real = encode._jpeg_rows
    monkeypatch.setattr(encode, "_jpeg_rows", lambda surface, quality, top, bottom: strips.append(
        (surface.get_height(), top, bottom)) or real(surface, quality, top, bottom))
    for title in ("Explore the coast", "Explore the coast, day 2", "Explore New Zealand"):
        request = RenderRequest(format="jpeg", params=[LayerParam(name="title", text=title)])
        pipeline.render(template, request, SETTINGS)  # fills the caches
        strips.clear()
        by_region = pipeline.render(template, request, SETTINGS)
        region_strips = list(strips)
        full = pipeline.render(template, request, Settings(static_layer_cache_bytes=0))
        assert [f.data for f in by_region.files] == [f.data for f in full.files], title
        # only strips of the rows the title's ink meets were encoded, not whole pictures
        assert len(region_strips) == 3
        assert all(0 < bottom - top < height / 3 for height, top, bottom in region_strips)


def test_the_kept_files_count_in_the_layer_cache_budget():
    """The kept pictures' JPEG rows are made on first use and counted like the surfaces."""
    from svgrender.draw.static_regions import RegionCache

    template = load_template("social-card", (ROOT / "templates" / "social-card.svg").read_bytes(),
                             SETTINGS)
    pipeline._layer_cache = None  # a fresh cache for this process
    pipeline.render(template, RenderRequest(format="jpeg", params=[
        LayerParam(name="title", text="Another title")]), SETTINGS)
    cache = pipeline._cache(SETTINGS)
    assert isinstance(cache, RegionCache)
    kept = list(cache._items.values())
    assert len(kept) == 1 and kept[0].encoded, "a JPEG answer keeps its static pictures' files"
    surfaces = sum(s.get_stride() * s.get_height()
                   for part in (kept[0].below, kept[0].static) for s in part.values())
    files = sum(rows.nbytes() for rows in kept[0].encoded.values())
    assert files > 10_000 and cache.total_bytes == surfaces + files
