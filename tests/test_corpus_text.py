"""Long replacement texts on real exports (Inkscape flyers and logos, resvg's text cases, from
../shared/corpus): the image and both thumbnails break the same lines, no line runs off the
canvas, and a cut is reported in `warnings`.

A line is a band of rows where the text's ink is: the render with the new text minus the render
with the layer hidden, so any background, colour or font works."""

import io
import shutil
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image
from starlette.testclient import TestClient

from helpers import CORPUS
from svgrender.api.app import create_app

LONG = "Open source geospatial tools for everyone, everywhere, in every language of the world"
CASES = [  # (corpus file, text layer)
    ("inkscape-osgeo/osgeo_a4_de.svg", "Title"),
    ("inkscape-osgeo/osgeo_a4_de.svg", "Subtitle"),
    ("inkscape-osgeo/pgRouting_a4.svg", "Title"),
    ("inkscape-osgeo/pgRouting_a4.svg", "url"),
    ("inkscape-osgeo/OSGeoUK.svg", "text3575"),
    ("inkscape-osgeo/deegree_logo.svg", "text111"),
    ("resvg-tests/text__letter-spacing__3.svg", "text1"),
    ("resvg-tests/text__tspan__mixed.svg", "text1"),
]
MODES = {"plain": {}, "autofit": {"autoFit": True}, "two-lines": {"maxLines": 2},
         "one-line": {"maxLines": 1}}

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from svgrender.settings import Settings

    folder = tmp_path_factory.mktemp("corpus-text")
    for path, _ in CASES:
        shutil.copy(CORPUS / path, folder / (CORPUS / path).name)
    root = tmp_path_factory.mktemp("store")
    settings = Settings(templates_dir=folder, storage_dir=root / "img", cache_dir=root / "c",
                        workers=0)
    with TestClient(create_app(settings)) as c:
        yield c


def _images(client, template, params) -> tuple[list[Image.Image], dict]:
    answer = client.post(f"/designs/{template}", json={"format": "png", "params": params})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return [_on_white(Image.open(io.BytesIO(client.get(body[key]).content)))
            for key in ("imageUrl", "thumbnailUrl", "retinaThumbnailUrl")], body


def _on_white(image: Image.Image) -> Image.Image:
    """Logos and resvg's cases have no background: black text on transparent pixels."""
    white = Image.new("RGBA", image.size, "white")
    return Image.alpha_composite(white, image.convert("RGBA")).convert("RGB")


def _bands(with_text: Image.Image, without: Image.Image) -> tuple[list[tuple], np.ndarray]:
    """[(top, bottom, left, right)] of each line, as fractions of the image, and the ink mask."""
    ink = np.abs(np.asarray(with_text, np.int16) - np.asarray(without, np.int16)).max(axis=2) > 60
    rows = ink.any(axis=1)
    k = with_text.width / 400  # specks: under ~1.5 px of a 400 px-wide thumbnail
    bands, start = [], None
    for y, on in enumerate(list(rows) + [False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= max(2, round(1.5 * k)):
                cols = np.nonzero(ink[start:y].any(axis=0))[0]
                bands.append((start / ink.shape[0], y / ink.shape[0],
                              cols[0] / ink.shape[1], (cols[-1] + 1) / ink.shape[1]))
            start = None
    return bands, ink


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("path,layer", CASES, ids=[f"{p.split('/')[1][:-4]}-{l}"
                                                   for p, l in CASES])
def test_long_text_breaks_the_same_lines_at_every_size(client, path, layer, mode):
    template = (CORPUS / path).stem
    hidden, _ = _images(client, template, [{"name": layer, "hidden": True}])
    shown, body = _images(client, template, [{"name": layer, "text": LONG, **MODES[mode]}])
    found = [_bands(a, b) for a, b in zip(shown, hidden)]
    bands = [b for b, _ in found]
    assert bands[0], "the new text drew nothing"
    assert len({len(b) for b in bands}) == 1, bands  # same number of lines at every size
    width = max(right - left for _, _, left, right in bands[0])
    for other in bands[1:]:
        for (top_a, _, left_a, right_a), (top_b, _, left_b, right_b) in zip(bands[0], other):
            assert abs(top_a - top_b) < 0.03, (bands[0], other)
            # where each line breaks: within a few percent of the text's width
            assert abs((right_a - left_a) - (right_b - left_b)) < 0.06 * width, (bands[0], other)
    for _, ink in found:  # nothing runs off the canvas: no ink in the outermost columns
        assert not ink[:, 0].any() and not ink[:, -1].any()
    if mode == "one-line":  # the long text cannot fit one line: cut, and the answer says so
        assert len(bands[0]) == 1
        assert any(layer in w and "cut" in w for w in body.get("warnings", [])), body
