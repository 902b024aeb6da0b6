"""Changed text stays where the designer put it: invariants over every text layer of the demo
templates, our own corpus (tests/corpus) and ../shared/corpus — files nobody here wrote.

Per file, every text layer at once (one render each, so the whole corpus runs in minutes):
- identity: each layer's own text sent back changes at most 3 % of its box's pixels by more than
  40 levels, and nothing outside the layers' boxes;
- shorter: each layer's first word (half of it for one-word texts) changes nothing outside the
  layers' boxes + 6 px;
- longer: 1.6x each text stays inside its box (and the canvas), and the fit report says how.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from svgrender import render as pipeline
from svgrender.draw import seams
from svgrender.errors import SvgRenderError
from svgrender.params import decode_request
from svgrender.settings import Settings
from svgrender.templates.model import load_template
from svgrender.templates.textboxes import placement

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
FILES = sorted((ROOT / "templates").glob("*.svg")) + sorted(
    (ROOT / "tests" / "corpus" / "files").glob("*.svg")) + (
    sorted(SHARED.rglob("*.svg")) if SHARED.is_dir() else [])
LEVELS = 40  # a pixel "changes" when a channel moves by more than this


@pytest.fixture(scope="module", autouse=True)
def _seams():
    seams.install()


def _template(path: Path):
    try:
        template = load_template(path.stem, path.read_bytes(), Settings())
    except SvgRenderError:
        return None
    return template


def _text_layers(template) -> dict:
    """name -> (its own text, ink box in px, reported box in px or None)."""
    out = {}
    for name, layer in template.layers.items():
        if layer.kind != "text" or layer.box[2] <= 0 or layer.box[3] <= 0:
            continue
        text = template.text_of(layer)
        if not text.strip():
            continue
        box = placement(layer.element, template.root, template.user_to_pixels).get("box")
        out[name] = (text, layer.box, (box["x"], box["y"], box["width"], box["height"])
                     if box else None)
    return out


def _draw(template, params: list[dict]):
    body = json.dumps({"format": "png", "params": params}).encode()
    request = decode_request(body, max_text_chars=100_000, max_metadata_bytes=4096,
                             max_params=10_000, max_scale=4)
    # The image alone (as the CLI draws it: the same pixels as in a full answer, drawn first
    # anyway); its thumbnails would only add time here.
    result = pipeline.render(template, request, Settings(), thumbnails=False)
    image = Image.open(io.BytesIO(result.files[0].data)).convert("RGB")
    return np.asarray(image).astype(np.int16), result


def _changed(a, b) -> np.ndarray:
    return (np.abs(a - b) > LEVELS).any(axis=2)


def _mask(shape, boxes, pad: float) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    for x, y, w, h in boxes:
        x0, y0 = max(0, int(np.floor(x - pad))), max(0, int(np.floor(y - pad)))
        x1, y1 = int(np.ceil(x + w + pad)), int(np.ceil(y + h + pad))
        mask[y0:y1, x0:x1] = True
    return mask


def _outside(changed, boxes, pad) -> list[tuple[int, int]]:
    stray = changed & ~_mask(changed.shape, boxes, pad)
    ys, xs = np.nonzero(stray)
    return list(zip(xs.tolist(), ys.tolist()))[:5] + ([len(xs)] if len(xs) else [])


def _culprits(layers: dict, points) -> list[str]:
    """The layers nearest to stray pixels (for the failure message)."""
    names = []
    for x, y in [p for p in points if isinstance(p, tuple)]:
        near = min(layers, key=lambda n: _distance(layers[n][1], x, y))
        if near not in names:
            names.append(near)
    return names


def _distance(box, x, y) -> float:
    bx, by, bw, bh = box
    return max(bx - x, 0, x - bx - bw) + max(by - y, 0, y - by - bh)


def _shorter(text: str) -> str:
    words = text.split()
    if len(words) > 1:
        return words[0]
    return words[0][:max(1, len(words[0]) // 2)]


def _longer(text: str) -> str:
    words = text.split()
    target = max(len(text) * 1.6, len(text) + 2)
    out = list(words)
    while len(" ".join(out)) < target:
        out.extend(words)
    return " ".join(out)


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_changed_text_stays_where_the_designer_put_it(path):
    template = _template(path)
    layers = _text_layers(template) if template is not None else {}
    if not layers:
        pytest.skip("no live text layers")
    base, _ = _draw(template, [])
    ink = [box for _, box, _ in layers.values()]

    same, result = _draw(template, [{"name": n, "text": t} for n, (t, _, _) in layers.items()])
    changed = _changed(base, same)
    failures = []
    for name, (_, box, _) in layers.items():
        inside = changed & _mask(changed.shape, [box], 2)
        area = max(1.0, float(_mask(changed.shape, [box], 2).sum()))
        if inside.sum() > 0.03 * area:
            failures.append(f"identity: {name!r} changed {inside.sum() / area:.1%} of its box")
    stray = _outside(changed, ink, 2)
    if stray:
        failures.append(f"identity: pixels changed outside every box {stray} near "
                        f"{_culprits(layers, stray)}")

    short, _ = _draw(template, [{"name": n, "text": _shorter(t)}
                                for n, (t, _, _) in layers.items()])
    stray = _outside(_changed(base, short), ink, 6)
    if stray:
        failures.append(f"shorter: pixels changed outside the boxes + 6 px {stray} near "
                        f"{_culprits(layers, stray)}")

    long, result = _draw(template, [{"name": n, "text": _longer(t)}
                                    for n, (t, _, _) in layers.items()])
    allowed = ink + [box for _, _, box in layers.values() if box]
    stray = _outside(_changed(base, long), allowed, 4)
    if stray:
        failures.append(f"longer: ink outside the text boxes {stray} near "
                        f"{_culprits(layers, stray)}")
    missing = [n for n in layers if n not in result.layout]
    if missing:
        failures.append(f"longer: no fit report for {missing}")
    assert not failures, "\n".join(failures)


def test_the_template_lines_are_laid_out_once_for_new_words(monkeypatch):
    """A title with new words lays out the template's own lines once (for the placement), not
    at every size; sending the template's words back still draws them from its own lines at
    every size, the same pixels as the template."""
    from svgrender.draw import text_anchor
    from svgrender.params import LayerParam, RenderRequest

    settings = Settings(static_layer_cache_bytes=0)
    template = load_template("social-card", (ROOT / "templates" / "social-card.svg").read_bytes(),
                             settings)
    calls = []
    real = text_anchor.own_lines
    monkeypatch.setattr(text_anchor, "own_lines",
                        lambda surface, node: calls.append(node.get("id")) or real(surface, node))
    pipeline.render(template, RenderRequest(format="png", params=[
        LayerParam(name="title", text="Entirely new words")]), settings)
    assert calls.count("title") == 1
    calls.clear()
    own = template.text_of(template.find("title"))
    again = pipeline.render(template, RenderRequest(format="png", params=[
        LayerParam(name="title", text=own)]), settings)
    assert calls.count("title") == 3
    plain = pipeline.render(template, RenderRequest(format="png"), settings)
    for a, b in zip(again.files, plain.files):
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(a.data))),
                              np.asarray(Image.open(io.BytesIO(b.data))))
