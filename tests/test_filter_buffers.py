"""Filter buffers: A8 planes, reduced-resolution shadow blurs and lazy (pattern) buffers give
the pixels of doing every step in full."""

import cairocffi as cairo
import numpy as np
import pytest
from PIL import Image, ImageFilter

from svgrender.draw import filter_buffers as fb
from svgrender.draw import filter_ops as ops

W, H = 420, 300


def card(margin: int = 60) -> fb.Buf:
    """A white card with a round corner, `margin` px from each edge, as the filtered group's
    pixels (the filter engine pads its buffers by three deviations, as here for σ ≤ 20)."""
    width, height = 300 + 2 * margin, 180 + 2 * margin
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
    context = cairo.Context(surface)
    context.set_source_rgb(1, 1, 1)
    context.arc(margin + 60, margin + 50, 50, 0, 6.3)
    context.rectangle(margin, margin, 300, 180)
    context.fill()
    return fb.Buf(surface)


@pytest.mark.parametrize("sigma", [4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 40.0])
def test_a_wide_shadow_blur_computed_reduced_matches_a_full_one(sigma):
    source = card(margin=int(3 * sigma))
    alpha = fb.alpha_of(source)  # (planes are views: the buffers must stay alive)
    plane = Image.fromarray(np.ascontiguousarray(alpha.alpha_plane()), "L")
    full = np.asarray(plane.filter(ImageFilter.GaussianBlur(sigma)), np.int16)
    ours = fb.blur(alpha, sigma, sigma)
    delta = np.abs(ours.alpha_plane().astype(np.int16) - full)
    assert delta.max() <= 3 and delta.mean() < 0.5


def shadow(source: fb.Buf, materialise: bool) -> np.ndarray:
    """SourceAlpha → blur → offset → flood 'in' → merge under the source (a drop shadow)."""
    def step(buf):
        if materialise:
            buf.surface  # every intermediate written out in full
        return buf

    alpha = step(fb.alpha_of(source))
    blurred = step(fb.blur(alpha, 12, 12))
    moved = step(fb.offset(blurred, 3, 10))
    colour = step(fb.flood(W, H, (0.0, 0.0, 0.0, 0.35)))
    tinted = step(fb.composite(colour, moved, cairo.OPERATOR_IN))
    merged = fb.merge([tinted, source], W, H)
    return merged._pixels().astype(np.int16)


def test_a_lazy_shadow_chain_gives_the_pixels_of_a_materialised_one():
    lazy, full = shadow(card(), False), shadow(card(), True)
    # (lazily, pixman scales the reduced shadow up, with 7-bit bilinear weights; materialised,
    # Pillow does: up to 2/255 apart)
    assert np.abs(lazy - full).max() <= 2 and np.abs(lazy - full).mean() < 0.1
    # and it is a shadow: dark below the card, nothing far away, the card itself white
    assert full[246, 200, 3] > 20 and full[5, 5, 3] == 0 and tuple(full[150, 200]) == (
        255, 255, 255, 255)


def test_an_offset_brings_in_transparency_not_the_edge():
    source = card()
    moved = fb.offset(fb.alpha_of(source), 0, 100)
    assert moved.alpha_plane()[:100].max() == 0
    assert moved.alpha_plane()[200, 200] == 255


def test_a_crop_is_a_window_on_the_source():
    source = card()
    window = fb.crop(source, 50, 50, 150, 120)
    assert window.size == (100, 70)
    assert (window._pixels() == source._pixels()[50:120, 50:150]).all()


def test_a_lazy_tinted_plane_moves_with_its_colour_and_its_shape():
    """An offset after a flood "in" a plane (a chain that tints, then moves) moves the tinted
    shape, not just its colour over the whole buffer."""
    source = card()
    width, height = source.size
    plane = fb.alpha_of(source)  # full resolution: the masked-colour lazy path
    tinted = fb.composite(fb.flood(width, height, (0.0, 0.0, 0.5, 0.5)), plane,
                          cairo.OPERATOR_IN)
    moved = fb.offset(tinted, 0, 30)
    expected = fb.offset(fb.Buf(tinted.own_argb()), 0, 30)
    assert (moved._pixels() == expected._pixels()).all()
    assert moved._pixels()[:30, :, 3].max() == 0


FIGMA_OPACITY = [0.0] * 18 + [0.25, 0.0]  # Figma's shadow matrix: alpha × 0.25, black


def test_an_alpha_scaling_matrix_on_a_reduced_blur_stays_reduced_and_gives_its_pixels():
    source = card(margin=36)
    blurred = fb.blur(fb.alpha_of(source), 12, 12)
    assert blurred._reduced is not None  # (σ 12: computed at 1/4)
    lazy = fb.color_matrix(blurred, "matrix", FIGMA_OPACITY)
    assert lazy._surface is None and lazy._reduced is not None  # still the small plane
    full_input = fb.blur(fb.alpha_of(source), 12, 12)
    full_input.surface  # enlarged first, then the matrix on every pixel
    full = fb.color_matrix(full_input, "matrix", FIGMA_OPACITY)
    a, b = lazy.alpha_plane().astype(np.int16), full.alpha_plane().astype(np.int16)
    # (rounded once more on each side of the enlargement: within 2/255, as the lazy chain)
    assert np.abs(a - b).max() <= 2 and np.abs(a - b).mean() < 0.2
    assert 10 < a.max() <= 64  # a quarter of the blurred card's alpha


def test_over_a_transparent_flood_is_the_other_input_and_over_paints_lazy_inputs():
    source = card()
    clear = fb.flood(*source.size, (0.0, 0.0, 0.0, 0.0))
    assert fb.composite(source, clear, cairo.OPERATOR_OVER) is source
    assert fb.composite(clear, source, cairo.OPERATOR_OVER) is source
    moved = fb.offset(source, 7, 5)  # lazy
    red = fb.flood(*source.size, (0.5, 0.0, 0.0, 0.5))
    lazy_out = fb.composite(moved, red, cairo.OPERATOR_OVER)  # (pixels are views: kept alive)
    ours = lazy_out._pixels().astype(np.int16)
    moved_full = fb.offset(source, 7, 5)
    moved_full.surface
    red_full = fb.flood(*source.size, (0.5, 0.0, 0.0, 0.5))
    red_full.surface
    full_out = fb.composite(moved_full, red_full, cairo.OPERATOR_OVER)
    full = full_out._pixels().astype(np.int16)
    assert np.abs(ours - full).max() == 0
    assert tuple(ours[2, 2]) == (0, 0, 128, 128) and tuple(ours[150, 200]) == (255,) * 4


@pytest.mark.parametrize("to_linear", [True, False])
def test_a_table_conversion_gives_the_float_paths_bytes_for_every_pixel(to_linear):
    """fb.converted looks each (alpha, channel) pair up instead of converting float images:
    every one of the 65,536 pairs (also values above their alpha) gives the float path's byte."""
    alpha = np.repeat(np.arange(256, dtype=np.uint8), 256).reshape(256, 256)
    value = np.tile(np.arange(256, dtype=np.uint8), 256).reshape(256, 256)
    source = fb.Buf.blank(256, 256)
    source._pixels()[...] = np.stack([value, np.roll(value, 3, 1), np.roll(value, 7, 1), alpha],
                                     -1)
    source.surface.mark_dirty()
    convert = ops.srgb_to_linear if to_linear else ops.linear_to_srgb
    by_floats = fb.Buf.from_float(convert(source.to_float()))
    by_table = fb.converted(source, to_linear)
    assert np.array_equal(by_table._pixels(), by_floats._pixels())
    assert not np.array_equal(by_table._pixels(), source._pixels())  # it did convert
