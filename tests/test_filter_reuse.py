"""Filter results reused within one render (svgrender/draw/filters.py, issue 32): elements with
the same filter, pixels and geometry share one chain run, and a thumbnail at 1/n of the image
samples the image's soft results. Both must draw what running every chain again draws."""

import sys

import numpy as np
import pytest

from helpers import CORPUS, ROOT, every_layer_outputs
from svgrender.draw import filter_buffers as fb
from svgrender.draw import filters
from svgrender.settings import Settings
from svgrender.templates.model import load_template

sys.path.insert(0, str(ROOT / "benchmarks"))
from redraw_cards import shadows_card  # noqa: E402

EVERY_LAYER = Settings(static_layer_cache_bytes=0)


_pixels = every_layer_outputs


def _every_chain_run(monkeypatch) -> None:
    """The engine without reuse: every element's chain runs at every size (the old path)."""
    monkeypatch.setattr(filters, "_same_input_key", lambda *args: None)
    monkeypatch.setattr(filters, "MAX_SAMPLE_DOWN", 1)


def _chain_runs(monkeypatch) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    run_chain = filters.run_chain
    monkeypatch.setattr(filters, "run_chain", lambda primitives, source, geo, node, **kw: (
        runs.append(source.size), run_chain(primitives, source, geo, node, **kw))[1])
    return runs


def _tiles_card(fills: list[str], filter_body: str, width: int = 1200) -> bytes:
    tiles = "".join(
        f'<rect x="{40 + (i % 4) * 290}" y="{40 + (i // 4) * 145}" width="240" height="90" '
        f'rx="14" fill="{fill}" filter="url(#f)"/>' for i, fill in enumerate(fills))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="630" '
            f'viewBox="0 0 1200 630"><defs><filter id="f" x="-30%" y="-50%" width="160%" '
            f'height="200%">{filter_body}</filter></defs>'
            f'<rect width="1200" height="630" fill="#eef3f7"/>{tiles}</svg>').encode()


GLOW = '<feGaussianBlur stdDeviation="12"/>'  # a soft result: no sharp edge reaches it


def test_identical_shadowed_tiles_share_one_chain_run_and_draw_the_same_pixels(monkeypatch):
    runs = _chain_runs(monkeypatch)
    shared = _pixels(shadows_card(16))
    image_runs = [size for size in runs if size[0] > 200]  # the 1x image's (300 × 150) buffers
    # 16 identical tiles: one run (the tiles along the canvas's edge, their regions cut by
    # it, take their own window on the same result).
    assert len(image_runs) == 1
    _every_chain_run(monkeypatch)
    runs.clear()
    every = _pixels(shadows_card(16))
    assert len([size for size in runs if size[0] > 200]) == 16
    for a, b in zip(shared, every):
        assert np.abs(a - b).max() == 0


def test_tiles_whose_regions_are_cut_in_different_places_share_a_run_not_a_window(monkeypatch):
    """A user-space filter region ending mid-canvas cuts each identical tile's shadow in
    another place: one chain run, each tile its own window on it (as every run draws)."""
    shadow = ('<feOffset dx="9" dy="6" in="SourceAlpha"/><feGaussianBlur stdDeviation="8"/>'
              '<feColorMatrix values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0.5 0"/>'
              '<feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge>')
    data = _tiles_card(["#2a6f97"] * 8, shadow).replace(
        b'<filter id="f" x="-30%" y="-50%" width="160%" height="200%">',
        b'<filter id="f" filterUnits="userSpaceOnUse" x="0" y="0" width="880" height="260">')
    runs = _chain_runs(monkeypatch)
    shared = _pixels(data)
    # One run a row (the cut at y = 260 shortens the second row's buffer: another input);
    # in each row the third tile, cut at x = 880, takes another window on its row's result.
    assert len([size for size in runs if size[0] > 200]) == 2
    _every_chain_run(monkeypatch)
    runs.clear()
    every = _pixels(data)
    assert len([size for size in runs if size[0] > 200]) == 6  # (the 4th column: a sliver)
    for a, b in zip(shared, every):
        assert np.abs(a - b).max() == 0
    # …and the cuts are there: the third column's shadow ends at x = 880, the second row's
    # tiles and shadows at y = 260.
    background = [0xee, 0xf3, 0xf7]
    assert (every[0][60:120, 882:900, :3] == background).all()
    assert (every[0][60:120, 862:878, :3] != background).any(axis=2).all()
    assert (every[0][262:300, 40:860, :3] == background).all()
    assert (every[0][240:258, 40:280, :3] != background).any(axis=2).all()


def test_tiles_with_the_same_shape_in_other_colours_are_not_shared(monkeypatch):
    fills = [f"#{(i * 40) % 256:02x}{(255 - i * 15):02x}{(i * 90) % 256:02x}" for i in range(16)]
    shadow = ('<feOffset dy="6" in="SourceAlpha"/><feGaussianBlur stdDeviation="8"/>'
              '<feColorMatrix values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0.3 0"/>'
              '<feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge>')
    data = _tiles_card(fills, shadow)
    runs = _chain_runs(monkeypatch)
    image = _pixels(data)[0]
    assert len([size for size in runs if size[0] > 200]) == 16  # no two sources are equal
    for i, fill in enumerate(fills):  # each tile keeps its own colour (sRGB-exact inside)
        y, x = 40 + (i // 4) * 145 + 45, 40 + (i % 4) * 290 + 120
        want = [int(fill[j:j + 2], 16) for j in (1, 3, 5)]
        assert np.abs(image[y, x, :3] - want).max() <= 1
    _every_chain_run(monkeypatch)
    assert np.abs(_pixels(data)[0] - image).max() == 0


def test_thumbnail_samples_a_soft_result_like_running_the_chain_again(monkeypatch):
    data = _tiles_card(["#2a6f97"] * 3 + ["#e76f51"] * 3, GLOW)
    sampled = []
    reduced = fb.reduced_argb
    monkeypatch.setattr(fb, "reduced_argb", lambda *args: sampled.append(args[1]) or
                        reduced(*args))
    runs = _chain_runs(monkeypatch)
    reused = _pixels(data)
    assert sampled and set(sampled) == {3}  # 1200 → 400: each thumbnail pixel is 3 × 3
    assert not [size for size in runs if size[0] < 200]  # no chain ran for the thumbnail
    _every_chain_run(monkeypatch)
    again = _pixels(data)
    assert np.abs(reused[0] - again[0]).max() == 0
    assert np.abs(reused[2] - again[2]).max() == 0
    diff = np.abs(reused[1] - again[1])
    # The same glow within the blur's own accuracy (Pillow's box-approximated Gaussian at
    # each size): a few pixels up to 6/255, on average far less. (Against Chromium's 400 px
    # rendering both are as close: mean 0.29 sampled, 0.28 run again, max 6 and 7.)
    assert diff.max() <= 6 and diff.mean() < 0.2 and (diff.max(axis=2) > 3).mean() < 0.001
    # …and really a glow around each tile: darker than the background just outside it.
    assert again[1][30, 13 + 40, 2] < 200 and reused[1][30, 13 + 40, 2] < 200


def test_thumbnail_of_a_shadow_under_its_sharp_shape_runs_the_chain_again(monkeypatch):
    """Box-averaged from the image, a tile's sharp edge lands up to 6/255 off (Chromium's
    thumbnail is closer to the chain run at the thumbnail's size): it is drawn again."""
    sampled = []
    reduced = fb.reduced_argb
    monkeypatch.setattr(fb, "reduced_argb", lambda *args: sampled.append(args[1]) or
                        reduced(*args))
    reused = _pixels(shadows_card(16))
    assert not sampled
    _every_chain_run(monkeypatch)
    for a, b in zip(reused, _pixels(shadows_card(16))):
        assert np.abs(a - b).max() == 0


REAL_EXPORTS = [ROOT / "tests" / "corpus" / "files" / "qvinciy-hd-1.svg",
                CORPUS / "figma-qvinciy" / "Frame_1.svg", ROOT / "templates" / "social-card.svg",
                ROOT / "templates" / "figma-export.svg"]


@pytest.mark.parametrize("path", REAL_EXPORTS, ids=lambda p: p.name)
@pytest.mark.parametrize("width", [1200, None])  # 1200: the thumbnail is exactly 1/3
def test_real_exports_with_filters_draw_what_every_chain_run_draws(path, width, monkeypatch):
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    data = path.read_bytes()
    assert b"feGaussianBlur" in data or b"feDropShadow" in data
    template = load_template("t", data, EVERY_LAYER)
    scale = width / template.width if width else 1.0
    reused = _pixels(data, scale)
    _every_chain_run(monkeypatch)
    again = _pixels(data, scale)
    for a, b in zip(reused[::2], again[::2]):  # the image and the retina thumbnail
        assert np.abs(a - b).max() == 0
    # The thumbnail: a shadow laid under its own element takes its blur from the image's run
    # (filter_under): within the blur's accuracy, as a sampled glow above.
    diff = np.abs(reused[1] - again[1])
    assert diff.max() <= 6 and diff.mean() < 0.2
