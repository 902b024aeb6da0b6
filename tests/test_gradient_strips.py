"""Linear gradients drawn from a strip: the same colours as cairo's own gradient, cheaper."""

import cairocffi as cairo
import numpy as np
import pytest

from svgrender.draw.gradient_strips import StripSource, as_strip

W, H = 300, 160


def gradient(x1, y1, x2, y2, extend=cairo.EXTEND_PAD, matrix=None):
    g = cairo.LinearGradient(x1, y1, x2, y2)
    g.add_color_stop_rgba(0, 0.12, 0.23, 0.37, 1)
    g.add_color_stop_rgba(0.4, 1.0, 0.42, 0.21, 0.8)
    g.add_color_stop_rgba(1, 0.23, 0.48, 0.62, 1)
    g.set_extend(extend)
    if matrix is not None:
        g.set_matrix(matrix)
    return g


def fill(pattern, ctm=None) -> np.ndarray:
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, W, H)
    context = cairo.Context(surface)
    if ctm is not None:
        context.set_matrix(ctm)
    context.set_source(pattern)
    context.paint()
    surface.flush()
    data = np.frombuffer(surface.get_data(), np.uint8).reshape(H, surface.get_stride() // 4, 4)
    return data[:, :W].astype(np.int16)


@pytest.mark.parametrize("points, extend, matrix, ctm", [
    ((0, 0, W, H), cairo.EXTEND_PAD, None, None),  # diagonal (Figma backgrounds)
    ((0, 0, 0, H), cairo.EXTEND_PAD, None, None),  # vertical
    ((40, 10, 120, 90), cairo.EXTEND_REPEAT, None, None),
    ((40, 10, 120, 90), cairo.EXTEND_REFLECT, None, None),
    ((40, 10, 120, 90), cairo.EXTEND_NONE, None, None),
    # objectBoundingBox units (a pattern matrix) under a 2x thumbnail's transform
    ((0, 0, 1, 1), cairo.EXTEND_PAD, cairo.Matrix(xx=1 / 140, yy=1 / 70, x0=-10 / 140,
                                                  y0=-5 / 70), cairo.Matrix(xx=2, yy=2)),
    ((0.2, 0.9, 0.7, 0.1), cairo.EXTEND_PAD, cairo.Matrix(xx=1 / 280, yx=0.001, yy=1 / 150),
     cairo.Matrix(xx=1, yx=0.3, xy=-0.2, yy=1, x0=20)),
])
def test_a_strip_draws_the_gradients_colours(points, extend, matrix, ctm):
    reference = gradient(*points, extend, matrix)
    strip = as_strip(reference, ctm or cairo.Matrix())
    assert strip is not None
    delta = np.abs(fill(strip, ctm) - fill(reference, ctm))
    assert delta.mean() < 0.5
    # Within 2/255 everywhere, but for pixels whose centre lies exactly on a hard edge (a
    # repeat's seam, the end of an unextended gradient)
    # (either side of a hard edge is right there).
    assert (delta.max(axis=-1) > 2).mean() < 0.01
    if extend in (cairo.EXTEND_PAD, cairo.EXTEND_REFLECT):  # no hard edges
        assert delta.max() <= 2


def test_gradients_pixman_draws_fast_are_left_alone():
    """Changing along device x only: pixman draws one row and copies it."""
    assert as_strip(gradient(0, 0, W, 0), cairo.Matrix()) is None
    assert as_strip(gradient(0, 0, W, 0), cairo.Matrix(xx=2, yy=2)) is None
    assert as_strip(gradient(10, 10, 10, 10), cairo.Matrix()) is None  # degenerate


@pytest.mark.parametrize("extend", [cairo.EXTEND_PAD, cairo.EXTEND_NONE])
def test_sizes_that_need_as_long_a_strip_share_one_painted_strip(extend):
    """A short gradient gets the shortest strip at 1x and at both thumbnail scales: it is
    painted once and each size samples it through its own matrix, drawing exactly the pixels of
    a strip made for that size alone."""
    reference = gradient(40, 10, 70, 50, extend)
    shared = StripSource(reference)
    for scale in (1.0, 400 / 1200, 800 / 1200):
        ctm = cairo.Matrix(xx=scale, yy=scale)
        assert np.array_equal(fill(as_strip(reference, ctm, shared), ctm),
                              fill(as_strip(reference, ctm), ctm))
    assert len(shared.strips) == 1
    # A gradient long on the device gets a longer strip at 2x: its own, not the 1x one.
    long = StripSource(gradient(0, 0, W, H, extend))
    for scale in (1.0, 2.0):
        ctm = cairo.Matrix(xx=scale, yy=scale)
        assert np.array_equal(fill(long.pattern(ctm), ctm),
                              fill(as_strip(long.gradient, ctm), ctm))
    assert len(long.strips) == 2


def test_small_gradient_shapes_are_filled_by_pixman_and_a_background_from_a_strip(monkeypatch):
    """A strip costs more to paint than pixman's gradient over a small shape (an Illustrator
    export's thousands of them, each at three sizes): only fills of STRIP_FROM_PIXELS device
    pixels or more use one. The small shapes come out as CairoSVG alone draws them."""
    import io

    import cairosvg
    from PIL import Image

    from svgrender import render as pipeline
    from svgrender.draw import drawers, gradient_strips
    from svgrender.params import RenderRequest
    from svgrender.settings import Settings
    from svgrender.templates.model import load_template

    painted = []
    strip = gradient_strips.StripSource._strip
    monkeypatch.setattr(gradient_strips.StripSource, "_strip",
                        lambda self, steps: painted.append(steps) or strip(self, steps))
    shapes = "".join(f'<rect x="{20 + (i % 10) * 56}" y="{20 + (i // 10) * 56}" width="48" '
                     f'height="48" fill="url(#g{i % 3})"/>' for i in range(60))
    stops = ('<stop offset="0" stop-color="#1e3a5f"/><stop offset="1" stop-color="#ff6b35"/>')
    gradients = "".join(f'<linearGradient id="g{i}" x2="1" y2="{i}">{stops}</linearGradient>'
                        for i in range(3))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="360">'
           f'<defs>{gradients}</defs>{shapes}</svg>')
    settings = Settings(static_layer_cache_bytes=0)
    image = pipeline.render(load_template("t", svg.encode(), settings),
                            RenderRequest(format="png"), settings).files[0].data
    assert 48 * 48 < drawers.STRIP_FROM_PIXELS and not painted
    ours = np.asarray(Image.open(io.BytesIO(image)).convert("RGBA"), np.int16)
    plain = np.asarray(Image.open(io.BytesIO(cairosvg.svg2png(svg.encode()))).convert("RGBA"),
                       np.int16)
    assert np.abs(ours - plain).max() <= 1
    # A canvas-sized background with the same gradient: from a strip.
    background = svg.replace(shapes, '<rect width="600" height="360" fill="url(#g1)"/>')
    pipeline.render(load_template("t", background.encode(), settings),
                    RenderRequest(format="png"), settings)
    assert painted
