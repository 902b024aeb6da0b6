"""Static layers drawn once: answers with the cache are the answers without it, pixel for
pixel; the static part is really reused; anything that changes it is another key."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from svgrender import render as pipeline
from svgrender.draw import static_layers, surfaces
from svgrender.params import LayerParam, RenderRequest
from svgrender.settings import Settings
from svgrender.svg.xml import parse_svg
from svgrender.templates.model import load_template

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ON, OFF = Settings(), Settings(static_layer_cache_bytes=0)
BLEND = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">'
         '<rect id="bg" width="300" height="200" fill="#2a9d8f"/>'
         '<circle id="sun" cx="90" cy="90" r="60" fill="#e9c46a"/>'
         '<rect id="tint" x="60" y="40" width="200" height="120" fill="#e76f51" '
         'style="mix-blend-mode:multiply" opacity="0.8"/>'
         '<text id="title" x="20" y="185" font-family="DejaVu Sans" font-size="20">Hi</text>'
         '</svg>')


def _pixels(rendered) -> list[np.ndarray]:
    return [np.asarray(Image.open(io.BytesIO(f.data)).convert("RGBA"), np.int16)
            for f in rendered.files]


CASES = [
    ("social-card", [LayerParam(name="title", text="A different title every time")]),
    ("social-card", [LayerParam(name="price", text="$9"), LayerParam(name="brand", color="#f00")]),
    ("social-card", [LayerParam(name="canvas", background_color="#123456")]),
    ("social-card", []),
    ("figma-export", [LayerParam(name="headline", text="Another headline")]),
    ("certificate", [LayerParam(name="recipient", text="Ada Lovelace")]),
    ("inkscape-export", [LayerParam(name="Sun", hidden=True)]),
    ("blend", [LayerParam(name="tint", color="#264653")]),
    ("blend", [LayerParam(name="title", text="Multiply over cached layers")]),
]


@pytest.mark.parametrize("name,params", CASES)
@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_cached_static_layers_give_the_same_pixels(name, params, fmt):
    data = BLEND.encode() if name == "blend" else (TEMPLATES / f"{name}.svg").read_bytes()
    template = load_template(name, data, ON)
    request = RenderRequest(format=fmt, params=params)
    pipeline.render(template, request, ON)  # fills the cache
    cached, plain = pipeline.render(template, request, ON), pipeline.render(template, request,
                                                                           OFF)
    for a, b in zip(_pixels(cached), _pixels(plain)):
        assert np.abs(a - b).max() == 0
    assert cached.warnings == plain.warnings


def test_a_title_change_draws_only_the_title_on_kept_layers(monkeypatch):
    from svgrender.draw import static_regions

    template = load_template("social-card", (TEMPLATES / "social-card.svg").read_bytes(), ON)
    drawn = []
    real = surfaces.draw_raster

    def counting(tree, size, background=None, backdrop=None, context=None):
        drawn.append(backdrop is not None)
        return real(tree, size, background, backdrop, context)

    monkeypatch.setattr(pipeline, "draw_raster", counting)
    monkeypatch.setattr(static_regions, "draw_raster", counting)
    monkeypatch.setattr(pipeline, "_layer_cache", None)  # cold: nothing drawn yet
    for title in ("First title", "Second title", "Third title"):
        pipeline.render(template, RenderRequest(format="jpeg", params=[
            LayerParam(name="title", text=title)]), ON)
    # Kept once (first answer): the layers below (3 sizes), the layers above on them (3) and
    # each of the 4 layers above alone at the main size (their ink boxes). Every answer then
    # draws only the title on the kept layers (3 sizes): the subtitle, badge, price and brand
    # above it are not in its rectangle.
    assert drawn.count(False) == 3 + 4 and drawn.count(True) == 3 + 3 * 3


def test_nothing_is_kept_when_parts_refer_to_each_other():
    tree = parse_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                     b'<rect id="a" width="5" height="5"/><use id="b" href="#a" x="5"/></svg>')
    assert static_layers.split(tree, ["b"]) is None
    grouped = parse_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
                        b'opacity="0.5"><rect id="a" width="5" height="5"/>'
                        b'<rect id="b" width="5" height="5"/></svg>')
    assert static_layers.split(grouped, ["b"]) is None
    plain = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
             b'<rect id="a" width="5" height="5"/><rect id="b" width="5" height="5"/></svg>')
    # split() moves the static part out of the (per-request) tree it is given: parse each time
    first = static_layers.split(parse_svg(plain), ["b"])
    second = static_layers.split(parse_svg(plain), ["b"])
    assert first is not None and first.key == second.key
    assert [c.get("id") for c in first.rest] == ["b"]
    assert static_layers.split(parse_svg(plain), ["a"]) is None  # first layer changed: none
    # Nothing changed: nothing to draw on a kept backdrop, so no second parse of the whole
    # drawing (it made an 11,000-shape file's first render 25 % slower); the answer cache has it.
    assert static_layers.split(parse_svg(plain), []) is None


def test_the_cache_is_bounded_by_bytes():
    import cairocffi as cairo

    cache = static_layers.StaticLayerCache(3 * 100 * 100 * 4)
    for n in range(5):
        cache.put(("k", n), {n: cairo.ImageSurface(cairo.FORMAT_ARGB32, 100, 100)}, [])
    assert cache.get(("k", 0)) is None and cache.get(("k", 4)) is not None
