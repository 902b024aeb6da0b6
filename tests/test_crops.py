"""Smart crops (svgrender/kinds/crops.py): `imagePosition: "face"` / `"attention"` and
`imageFocus`, checked on the rendered pixels of scikit-image's bundled photos served from a
loopback HTTP server.

The measure: where the picture landed in the layer is found by matching the rendered layer
against the photo scaled as a cover fit scales it (OpenCV template matching); the subject's box
(picked by hand from the photo, not by the detector) must lie wholly inside the layer.
"""

import io
import sys
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image
from starlette.testclient import TestClient

from helpers import png_data_uri
from imageserver import ImageServer
from svgrender.api.app import create_app
from svgrender.kinds import crops

cv2 = pytest.importorskip("cv2")
skdata = pytest.importorskip("skimage.data")

HOST = "127.0.0.5"

# The astronaut (Eileen Collins, NASA, public domain) framed tighter, her face in the top-left
# corner as an off-centre portrait has it: the photo's rows 60-512 and columns 150-512.
ASTRONAUT_FRAME = (150, 60, 512, 512)  # left, top, right, bottom in the 512×512 photo
# Her face, brows to chin and cheek to cheek, read off the photo: in the framed picture.
FACE = (172 - 150, 80 - 60, 282 - 150, 182 - 60)
# The coffee photo as bundled (600×400): the cup, rim to base with its handle, sits high.
CUP = (172, 18, 408, 300)

BOXES = {"square": (20, 20, 300, 300), "tall": (340, 20, 180, 320), "wide": (540, 20, 320, 180)}


def _png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "PNG")
    return out.getvalue()


def astronaut() -> np.ndarray:
    left, top, right, bottom = ASTRONAUT_FRAME
    return np.ascontiguousarray(skdata.astronaut()[top:bottom, left:right])


def crops_svg() -> str:
    """Three image layers whose own picture (embedded in the template) is the framed astronaut."""
    own = png_data_uri(Image.fromarray(astronaut()))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="880" height="360" '
            'viewBox="0 0 880 360"><rect id="canvas" width="880" height="360" fill="#fff"/>'
            + "".join(f'<image id="{name}" x="{x}" y="{y}" width="{w}" height="{h}" '
                      f'preserveAspectRatio="xMidYMid slice" href="{own}"/>'
                      for name, (x, y, w, h) in BOXES.items())
            + "</svg>")


PHOTOS = {"/astronaut.png": astronaut, "/coffee.png": skdata.coffee,
          # the same photo with other bytes: a picture no earlier test analysed
          "/coffee-flipped.png": lambda: np.ascontiguousarray(skdata.coffee()[:, ::-1])}


@pytest.fixture(scope="module")
def server():
    routes = {path: (200, "image/png", _png(make()), {}) for path, make in PHOTOS.items()}
    with ImageServer(HOST, extra_routes=routes) as running:
        yield running


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    from helpers import TEMPLATES
    from svgrender.settings import Settings
    root = tmp_path_factory.mktemp("crops")
    (root / "templates").mkdir()
    (root / "templates" / "crops.svg").write_text(crops_svg())
    for demo in ("product-card.svg", "figma-export.svg"):
        (root / "templates" / demo).write_text((TEMPLATES / demo).read_text())
    settings = Settings(templates_dir=root / "templates", storage_dir=root / "images",
                        cache_dir=root / "cache", workers=0)
    settings = replace(settings, allow_private_networks=(f"{HOST}/32",))
    with TestClient(create_app(settings)) as client:
        client.app.state.crop_settings = settings
        yield client


def _render(api, params: list, template: str = "crops", status: int = 201):
    response = api.post(f"/designs/{template}", json={"format": "png", "params": params})
    assert response.status_code == status, response.text
    answer = response.json()
    if status != 201:
        return answer, None
    image = Image.open(io.BytesIO(api.get(answer["imageUrl"]).content)).convert("RGB")
    return answer, np.asarray(image)


def _window(rendered: np.ndarray, box, photo: np.ndarray,
            margin: int = 2) -> tuple[float, float, float]:
    """Where the layer's visible part lies in the photo: (left, top) in photo pixels and the
    scale a cover fit used, found by matching the rendered layer (less a margin: blended edges,
    rounded corners) against the scaled photo."""
    x, y, w, h = box
    height, width = photo.shape[:2]
    scale = max(w / width, h / height)
    scaled = cv2.resize(photo, (round(width * scale), round(height * scale)),
                        interpolation=cv2.INTER_AREA)
    layer = np.ascontiguousarray(rendered[y + margin:y + h - margin, x + margin:x + w - margin])
    found = cv2.matchTemplate(scaled, layer, cv2.TM_CCOEFF_NORMED)
    _, best, _, (left, top) = cv2.minMaxLoc(found)
    assert best > 0.95, f"the layer does not show the photo (match {best:.2f})"
    return (left - margin) / scale, (top - margin) / scale, scale


def _inside(subject, window, box) -> bool:
    """The subject's box lies wholly inside the layer (1 photo pixel of slack for rounding)."""
    left, top, scale = window
    _, _, w, h = box
    sx0, sy0, sx1, sy1 = subject
    return (sx0 >= left - 1 and sy0 >= top - 1 and sx1 <= left + w / scale + 1
            and sy1 <= top + h / scale + 1)


def _params(server, path: str, **props) -> list:
    return [{"name": name, "imageUrl": server.url(path), **props} for name in BOXES]


def test_face_crop_keeps_the_face_where_a_centre_crop_cuts_it(api, server):
    photo = astronaut()
    _, centred = _render(api, _params(server, "/astronaut.png", imagePosition="cover"))
    answer, faced = _render(api, _params(server, "/astronaut.png", imagePosition="face"))
    for name, box in BOXES.items():
        assert not _inside(FACE, _window(centred, box, photo), box), f"{name}: centre keeps it"
        assert _inside(FACE, _window(faced, box, photo), box), f"{name}: face crop cuts it"
        report = answer["layout"][name]
        assert report["imageFocusSource"] == "face"
        fx, fy = (float(v) for v in report["imageFocus"].split(","))
        height, width = photo.shape[:2]
        assert FACE[0] <= fx * width <= FACE[2] and FACE[1] <= fy * height <= FACE[3]


def test_attention_keeps_the_cup_where_a_centre_crop_cuts_it(api, server):
    photo = skdata.coffee()
    _, centred = _render(api, _params(server, "/coffee.png", imagePosition="cover"))
    answer, attended = _render(api, _params(server, "/coffee.png", imagePosition="attention"))
    wide = BOXES["wide"]  # 16:9: a centre crop cuts the cup's rim
    assert not _inside(CUP, _window(centred, wide, photo), wide)
    assert _inside(CUP, _window(attended, wide, photo), wide)
    assert _inside(CUP, _window(attended, BOXES["square"], photo), BOXES["square"])
    assert answer["layout"]["wide"]["imageFocusSource"] == "attention"


def test_given_focus_places_the_crop_and_is_reported(api, server):
    photo = astronaut()
    answer, image = _render(api, _params(server, "/astronaut.png", imageFocus="0,0"))
    left, top, _ = _window(image, BOXES["wide"], photo)
    assert abs(left) <= 1 and abs(top) <= 1  # the top-left corner, as far as the fit allows
    answer, image = _render(api, _params(server, "/astronaut.png", imageFocus="1, 1"))
    box = BOXES["tall"]
    left, top, scale = _window(image, box, photo)
    height, width = photo.shape[:2]
    assert abs(left + box[2] / scale - width) <= 1.5 and abs(top + box[3] / scale - height) <= 1.5
    assert answer["layout"]["tall"] == {"imageFocus": "1.000,1.000", "imageFocusSource": "given"}


@pytest.mark.parametrize("props,field", [
    ({"imageFocus": "1.5,0.2"}, "imageFocus"),
    ({"imageFocus": "0.3"}, "imageFocus"),
    ({"imageFocus": "left,top"}, "imageFocus"),
    ({"imageFocus": "nan,0.5"}, "imageFocus"),
    ({"imageFocus": "0.3,0.2", "imagePosition": "contain"}, "imageFocus"),
])
def test_bad_focus_is_422_naming_the_layer(api, server, props, field):
    answer, _ = _render(api, [{"name": "wide", "imageUrl": server.url("/coffee.png"), **props}],
                        status=422)
    assert answer["layer"] == "wide" and answer["field"] == field
    assert "wide" in answer["message"]


def test_detection_runs_once_per_picture(api, server, monkeypatch):
    calls = []
    real = crops.faces_focus
    monkeypatch.setattr(crops, "faces_focus", lambda bgr: calls.append(bgr.shape) or real(bgr))
    params = [{"name": "square", "imageUrl": server.url("/coffee-flipped.png"),
               "imagePosition": "face"}]
    first, _ = _render(api, params)
    second, _ = _render(api, params + [{"name": "wide", "imageUrl":
                                        server.url("/coffee-flipped.png"),
                                        "imagePosition": "face"}])
    assert len(calls) == 1 and max(calls[0][:2]) <= crops.DETECT_SIDE  # downscaled, cached
    # No face in a coffee cup: the most salient region instead, and a warning says so.
    assert first["layout"]["square"]["imageFocusSource"] == "attention"
    assert any("no face found" in w for w in first["warnings"])


def test_without_the_crops_extra_detection_is_a_clear_422(api, server, monkeypatch):
    monkeypatch.setitem(sys.modules, "cv2", None)  # `import cv2` fails, as if not installed
    for key in [k for k in sys.modules if k.startswith("pyvips")]:
        monkeypatch.setitem(sys.modules, key, None)
    crops._face_cascade.cache_clear()
    crops._vips.cache_clear()
    bytes_ = _png(np.ascontiguousarray(skdata.coffee()[::-1]))  # a picture never analysed
    with ImageServer(HOST, extra_routes={"/new.png": (200, "image/png", bytes_, {})}) as other:
        answer, _ = _render(api, [{"name": "wide", "imageUrl": other.url("/new.png"),
                                   "imagePosition": "face"}], status=422)
        assert answer["code"] == "crops_unavailable" and answer["layer"] == "wide"
        assert "svgrender[crops]" in answer["message"]
        # a given focus needs no detector
        _render(api, [{"name": "wide", "imageUrl": other.url("/new.png"),
                       "imageFocus": "0.5,0.2"}])
    crops._face_cascade.cache_clear()
    crops._vips.cache_clear()


def test_the_templates_own_photo_is_cropped_on_the_face(api):
    """No imageUrl: the picture the template embeds is analysed and placed."""
    _, centred = _render(api, [{"name": "tall", "imagePosition": "cover"}])
    answer, faced = _render(api, [{"name": "tall", "imagePosition": "face"}])
    box = BOXES["tall"]
    assert not _inside(FACE, _window(centred, box, astronaut()), box)
    assert _inside(FACE, _window(faced, box, astronaut()), box)
    assert answer["layout"]["tall"]["imageFocusSource"] == "face"


def test_the_demo_cards_photo_keeps_its_rounded_clip(api):
    """The product card's photo (embedded in the template, clipped to a rounded rect by its own
    clip-path) placed by a focus: still inside its rounded box, the card's white around it."""
    answer, image = _render(api, [{"name": "photo", "imageFocus": "0.5,0.1"}],
                            template="product-card")
    assert answer["layout"]["photo"]["imageFocusSource"] == "given"
    assert tuple(image[41, 41]) == (255, 255, 255)  # the rounded corner: the card shows
    assert tuple(image[190, 30]) == (255, 255, 255)  # left of the box
    assert np.abs(image[60:320, 60:420].astype(int) - 255).sum() > 0  # the photo is drawn


def test_a_figma_pattern_fill_photo_is_cropped_on_the_face(api, server):
    """Figma exports a photo as a rounded rect filled with a <pattern>: the copy of the picture
    in the pattern is what gets cropped (the figma-export photo box is 64,64 320×322)."""
    photo, box = astronaut(), (64, 64, 320, 322)
    _, centred = _render(api, [{"name": "photo", "imageUrl": server.url("/astronaut.png")}],
                         template="figma-export")
    answer, faced = _render(api, [{"name": "photo", "imageUrl": server.url("/astronaut.png"),
                                   "imagePosition": "face"}], template="figma-export")
    assert not _inside(FACE, _window(centred, box, photo, margin=14), box)
    assert _inside(FACE, _window(faced, box, photo, margin=14), box)
    assert answer["layout"]["photo"]["imageFocusSource"] == "face"


def test_detection_runs_in_the_render_workers(api, server):
    """With worker processes the API process never holds the pixels: the worker finds the face."""
    settings = replace(api.app.state.crop_settings, workers=1)
    with TestClient(create_app(settings)) as pooled:
        answer, faced = _render(pooled, [{"name": "tall", "imageUrl": server.url(
            "/astronaut.png"), "imagePosition": "face"}])
    assert answer["layout"]["tall"]["imageFocusSource"] == "face"
    assert _inside(FACE, _window(faced, BOXES["tall"], astronaut()), BOXES["tall"])


def test_an_svg_picture_needs_a_given_focus(api, server):
    answer, _ = _render(api, [{"name": "wide", "imageUrl": server.url("/logo.svg"),
                               "imagePosition": "attention"}], status=422)
    assert answer["layer"] == "wide" and answer["field"] == "imagePosition"
    assert "imageFocus" in answer["message"]
    answer, _ = _render(api, [{"name": "wide", "imageUrl": server.url("/logo.svg"),
                               "imageFocus": "0.5,0.5"}])
    assert answer["layout"]["wide"]["imageFocusSource"] == "given"
