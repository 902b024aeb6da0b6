"""A shadow painted under its element where it lands (svgrender/draw/filter_under.py): the same
picture as merging them first, on real exports and on cards written to break it; the thumbnail
draws the element itself and takes only the shadow from the image."""

import sys

import numpy as np
import pytest

from helpers import CORPUS, ROOT, every_layer_outputs
from svgrender.draw import filter_under, filters

sys.path.insert(0, str(ROOT / "benchmarks"))
from redraw_cards import shadows_card  # noqa: E402

SOCIAL = ROOT / "templates" / "social-card.svg"


_pixels = every_layer_outputs


def _count_unders(monkeypatch) -> list:
    """Every Under painted (drawn by a chain run or taken by a smaller size)."""
    painted = []
    paint = filter_under.Under.paint
    monkeypatch.setattr(filter_under.Under, "paint",
                        lambda self, context: (painted.append(self), paint(self, context))[1])
    return painted


def _merged_first(monkeypatch) -> None:
    """The engine before: every chain's result merged with its element, then painted."""
    monkeypatch.setattr(filters, "names_below", lambda *args: None)


SHADOWED = [SOCIAL, ROOT / "templates" / "figma-export.svg",
            CORPUS / "figma-qvinciy" / "Frame_1.svg",
            ROOT / "tests" / "corpus" / "files" / "qvinciy-hd-1.svg"]


@pytest.mark.parametrize("path", SHADOWED, ids=lambda p: p.name)
def test_real_exports_draw_the_picture_merging_first_draws(path, monkeypatch):
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    data = path.read_bytes()
    painted = _count_unders(monkeypatch)
    under = _pixels(data)
    if not painted:
        pytest.skip(f"{path.name}: no shadow laid under its own element here")
    monkeypatch.undo()
    _merged_first(monkeypatch)
    merged = _pixels(data)
    # The image: (S over shadow) over canvas = S over (shadow over canvas), up to cairo's
    # rounding of the two orders (1/255).
    assert np.abs(under[0] - merged[0]).max() <= 1
    # The thumbnails may differ where the element's edge is (drawn at their size now, sampled
    # from the image before) and by the blur's accuracy (sampled now, run again before).
    for a, b in zip(under[1:], merged[1:]):
        diff = np.abs(a - b)
        assert diff.mean() < 0.3 and (diff.max(axis=2) > 8).mean() < 0.01


def test_the_demo_cards_shadow_is_laid_under_it_at_every_size(monkeypatch):
    painted = _count_unders(monkeypatch)
    runs = []
    run_chain = filters.run_chain
    monkeypatch.setattr(filters, "run_chain", lambda primitives, source, geo, node, **kw: (
        runs.append(source.size), run_chain(primitives, source, geo, node, **kw))[1])
    image, thumbnail, retina = _pixels(SOCIAL.read_bytes())
    assert len(painted) == 3  # the image's run, then the two thumbnails take its shadow
    assert len(runs) == 1 and runs[0][0] > 1000  # one chain run: the image's
    # The card is the card (white inside, sharp), the shadow below it darker than the
    # background beside it, at each size.
    for pixels, k in ((image, 1.0), (thumbnail, 1 / 3), (retina, 2 / 3)):
        assert (pixels[int(300 * k), int(600 * k), :3] == 255).all()
        below_card = pixels[int(598 * k), int(600 * k), :3]
        beside = pixels[int(615 * k), int(600 * k), :3]
        assert (below_card < beside).all()


def test_the_thumbnails_draw_the_cards_edge_as_a_render_at_their_size_does():
    """Before, the retina thumbnail (2/3 of the image) sampled the merged card-and-shadow
    bilinearly: the card's edge came out blurred, up to 25/255 off. Now the card is drawn at
    that size, as the image of a render at that size draws it."""
    data = SOCIAL.read_bytes()
    retina = _pixels(data)[2]
    direct = _pixels(data, scale=2 / 3)[0]
    assert retina.shape == direct.shape
    edge = np.s_[20:34, 20:780]  # the card's top edge (y = 40 × 2/3) and above it
    assert np.abs(retina[edge] - direct[edge]).max() <= 2


def test_the_opaque_middle_left_unpainted_changes_no_pixel(monkeypatch):
    data = SOCIAL.read_bytes()
    found = []
    opaque_rect = filters.opaque_rect
    monkeypatch.setattr(filters, "opaque_rect", lambda alpha: found.append(
        opaque_rect(alpha)) or found[-1])
    holed = _pixels(data)
    assert found and found[0] is not None
    x0, y0, x1, y1 = found[0]
    assert (x1 - x0) * (y1 - y0) > 0.7 * 1120 * 550  # most of the card
    monkeypatch.setattr(filters, "opaque_rect", lambda alpha: None)
    for a, b in zip(holed, _pixels(data)):
        assert np.abs(a - b).max() == 0


def test_opaque_rect_is_opaque_everywhere_inside():
    yy, xx = np.mgrid[0:300, 0:500]
    # A rounded rectangle's alpha (radius 40), antialiased edges of 128.
    inside = np.ones((300, 500), bool)
    for cx, cy in ((60, 50), (440, 50), (60, 250), (440, 250)):
        corner = ((xx < 60) if cx == 60 else (xx > 440)) & ((yy < 50) if cy == 50 else (yy > 250))
        inside &= ~(corner & ((xx - cx) ** 2 + (yy - cy) ** 2 > 40 ** 2))
    inside &= (xx >= 20) & (xx < 480) & (yy >= 10) & (yy < 290)
    alpha = np.where(inside, 255, 0).astype(np.uint8)
    alpha[10, 100:400] = 128
    x0, y0, x1, y1 = filter_under.opaque_rect(alpha)
    assert (alpha[y0:y1, x0:x1] == 255).all()
    assert (x1 - x0) * (y1 - y0) > 0.75 * 460 * 280
    assert filter_under.opaque_rect(np.zeros((100, 100), np.uint8)) is None


CARD = ('<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">'
        '<defs><filter id="s" x="-10%" y="-10%" width="120%" height="130%" '
        'color-interpolation-filters="{space}"><feGaussianBlur in="SourceAlpha" stdDeviation="12"/>'
        '<feOffset dy="10" result="b"/><feFlood flood-color="#000" flood-opacity="0.35"/>'
        '<feComposite in2="b" operator="in"/>'
        '<feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge></filter>'
        '<mask id="m"><rect width="1200" height="400" fill="#fff"/></mask></defs>'
        '<rect width="1200" height="630" fill="#3b7a9e"/>'
        '<g filter="url(#s)"{attrs}><rect x="40" y="40" width="1120" height="550" rx="32" '
        'fill="#ffffff"/></g></svg>')


def test_a_translucent_shadowed_card_keeps_its_opacity_over_both(monkeypatch):
    """(S over Sh)·α ≠ S·α over Sh·α: the opacity applies to the card and its shadow together
    (svg/prepare.py moves it to a group around them), not to each."""
    data = CARD.format(space="sRGB", attrs=' opacity="0.6"').encode()
    painted = _count_unders(monkeypatch)
    under = _pixels(data)
    assert painted
    _merged_first(monkeypatch)
    merged = _pixels(data)
    assert np.abs(under[0] - merged[0]).max() <= 1
    # Inside the card: 60 % white over the background, not darkened by a shadow below it.
    background = np.array([0x3b, 0x7a, 0x9e])
    want = np.round(background + 0.6 * (255 - background))
    assert np.abs(under[0][300, 600, :3] - want).max() <= 1


@pytest.mark.parametrize("space, attrs", [
    ("sRGB", ' mask="url(#m)"'),
    ("linearRGB", ""),  # the element's edge mixes with its shadow in another space
], ids=["mask", "linearRGB"])
def test_elements_not_painted_as_they_are_keep_the_merged_result(space, attrs, monkeypatch):
    data = CARD.format(space=space, attrs=attrs).encode()
    painted = _count_unders(monkeypatch)
    first = _pixels(data)
    assert not painted
    _merged_first(monkeypatch)
    for a, b in zip(first, _pixels(data)):
        assert np.abs(a - b).max() == 0


def test_a_card_painted_as_it_is_lays_its_shadow_under_it(monkeypatch):
    data = CARD.format(space="sRGB", attrs="").encode()
    painted = _count_unders(monkeypatch)
    image = _pixels(data)[0]
    assert painted
    assert (image[300, 600, :3] == 255).all()
    assert image[597, 600, 2] < image[620, 600, 2] - 20  # its shadow, just under its edge


def test_figma_and_inkscape_endings_are_recognised():
    class Node(dict):
        def __init__(self, tag, children=(), **attrs):
            super().__init__(attrs)
            self.tag, self.children = tag, list(children)

    srgb = lambda node: False  # noqa: E731
    blend = Node("feBlend", mode="normal", **{"in": "SourceGraphic", "in2": "effect1_dropShadow"})
    assert filter_under.names_below([blend], srgb) == ["effect1_dropShadow"]
    merge = Node("feMerge", [Node("feMergeNode"), Node("feMergeNode", **{"in": "SourceGraphic"})])
    assert filter_under.names_below([merge], srgb) == [None]
    # The element below the shadow, a multiply blend, a subregion: not an element on top.
    assert filter_under.names_below([Node("feMerge", [
        Node("feMergeNode", **{"in": "SourceGraphic"}), Node("feMergeNode")])], srgb) is None
    assert filter_under.names_below([Node("feBlend", mode="multiply", **{
        "in": "SourceGraphic", "in2": "x"})], srgb) is None
    assert filter_under.names_below([Node("feBlend", x="0", **{
        "in": "SourceGraphic", "in2": "x"})], srgb) is None


def test_small_shadowed_elements_keep_the_merged_result(monkeypatch):
    """Under UNDER_FROM_PIXELS a merged buffer is cheap and one paint of it costs less than
    two paints and the clips (16 shadowed 240×90 tiles: measured 38 vs 49 ms an answer)."""
    painted = _count_unders(monkeypatch)
    _pixels(shadows_card(16))
    assert not painted


def test_a_large_figma_shadow_is_laid_under_its_card(monkeypatch):
    figma = CARD.format(space="sRGB", attrs="").replace(
        '<feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge>',
        '<feBlend mode="normal" in="SourceGraphic" in2="b2"/>').replace(
        '<feComposite in2="b" operator="in"/>', '<feComposite in2="b" operator="in" result="b2"/>')
    assert "feBlend" in figma
    painted = _count_unders(monkeypatch)
    under = _pixels(figma.encode())
    assert painted
    _merged_first(monkeypatch)
    merged = _pixels(figma.encode())
    assert np.abs(under[0] - merged[0]).max() <= 1
    assert under[0][597, 600, 2] < under[0][620, 600, 2] - 20  # the shadow under the card
