"""Property tests: random params and random small SVGs never get a 500 and never hang."""

import time

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from svgrender.api.app import create_app

PROPS = ["text", "color", "backgroundColor", "imageUrl", "opacity", "hidden", "borderColor",
         "borderWidth", "borderRadius", "fontFamily", "fontSize", "fontWeight", "fontStyle",
         "textAlign", "verticalAlign", "lineHeight", "letterSpacing", "textTransform", "maxLines",
         "autoFit", "minFontSize", "wrap", "box", "imagePosition", "imageAlignH", "imageAlignV",
         "bogus"]
NAMES = ["canvas", "title", "subtitle", "image", "badge", "card", "price", "nope", ""]
values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40), st.sampled_from(["#fff", "rgb(1,2,3)", "red", "10px", "left", "cover",
                                           "data:image/png;base64,AAAA", "file:///etc/passwd",
                                           "http://127.0.0.1/x.png", "\n\n", "😀" * 5]),
    st.fixed_dictionaries({"x": st.floats(-1e6, 1e6), "y": st.floats(-1e6, 1e6),
                           "width": st.floats(-10, 1e6), "height": st.floats(-10, 1e6)}),
    st.lists(st.integers(), max_size=3))
param = st.dictionaries(st.sampled_from(PROPS), values, max_size=4).flatmap(
    lambda d: st.sampled_from(NAMES).map(lambda n: {"name": n, **d}))
body = st.fixed_dictionaries({}, optional={
    "params": st.lists(param, max_size=4), "format": st.sampled_from(["jpeg", "png", "svg", "x"]),
    "scale": st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-5, 10)),
    "metadata": st.one_of(st.text(max_size=20), st.integers())})


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    from helpers import TEMPLATES
    from svgrender.settings import Settings
    import shutil
    root = tmp_path_factory.mktemp("props")
    shutil.copytree(TEMPLATES, root / "templates")  # uploads must not land in the repo
    settings = Settings(templates_dir=root / "templates", storage_dir=root / "img",
                        cache_dir=root / "c")
    with TestClient(create_app(settings)) as client:
        yield client


@hsettings(max_examples=150, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=body)
def test_random_params_never_500(api, payload):
    started = time.monotonic()
    response = api.post("/designs/social-card", json=payload)
    assert response.status_code in (201, 400, 404, 413, 422), response.text
    assert "message" in response.json() or response.status_code == 201
    assert time.monotonic() - started < 10


TAGS = ["rect", "circle", "ellipse", "text", "g", "use", "path", "image", "line", "polygon"]
ATTRS = ["x", "y", "width", "height", "r", "rx", "fill", "stroke", "stroke-width", "transform",
         "opacity", "filter", "mask", "clip-path", "href", "d", "points", "font-size", "style",
         "viewBox", "id"]
ATTR_VALUES = ["0", "10", "-5", "1e9", "50%", "red", "url(#a)", "#a", "none", "rotate(45)",
               "scale(0)", "M0 0L10 10Z", "M", "1,2 3,4", "fill:url(#b)", "a", "b", "NaN",
               "inherit", "calc(1px)", "0 0 0 0"]
element = st.recursive(
    st.builds(lambda t, a: (t, a, []), st.sampled_from(TAGS),
              st.dictionaries(st.sampled_from(ATTRS), st.sampled_from(ATTR_VALUES), max_size=5)),
    lambda children: st.builds(lambda t, a, c: (t, a, c), st.sampled_from(["g", "defs",
                                                                           "pattern", "mask",
                                                                           "filter"]),
                               st.dictionaries(st.sampled_from(ATTRS),
                                               st.sampled_from(ATTR_VALUES), max_size=4),
                               st.lists(children, max_size=4)), max_leaves=12)


def to_svg(node) -> str:
    tag, attrs, children = node
    attr_text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    inner = "".join(to_svg(c) for c in children)
    if tag == "filter":
        inner += '<feGaussianBlur stdDeviation="2"/>'
    if tag == "text":
        inner += "text"
    return f"<{tag} {attr_text}>{inner}</{tag}>"


@hsettings(max_examples=150, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(nodes=st.lists(element, max_size=5), size=st.sampled_from(["100", "0", "-1", "1e7", "50%"]))
def test_random_svgs_never_500(api, nodes, size):
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="80">'
           + "".join(to_svg(n) for n in nodes) + "</svg>")
    started = time.monotonic()
    upload = api.post("/templates", content=svg.encode())
    assert upload.status_code in (201, 413, 422), upload.text
    if upload.status_code == 201:
        template_id = upload.json()["id"]
        response = api.post(f"/designs/{template_id}", json={"format": "png"})
        assert response.status_code in (201, 422), response.text
        api.delete(f"/templates/{template_id}")
    assert time.monotonic() - started < 10
