"""`chart` (svgrender/kinds/chart.py, vegalite.py): short-form and Vega-Lite charts drawn in the
layer's box, checked on pixels; specs that name a URL or break the limits are 422s naming the
layer."""

import io
import math
import os
import re
import time
from dataclasses import replace

import msgspec
import numpy as np
import pytest
from PIL import Image
from starlette.testclient import TestClient

from svgrender.api.app import create_app
from svgrender.kinds import chart as chart_kind
from svgrender.kinds import vegalite
from svgrender.params import params_from_pairs, query_value

BOX = (100, 80, 700, 380)  # the `plot` layer's box: x0, y0, x1, y1
CHARTS_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="800" height="460"
    viewBox="0 0 800 460">
  <rect id="canvas" width="800" height="460" fill="#ffffff"/>
  <text id="title" x="20" y="40" style="font-family:DejaVu Serif;font-size:24px">Sales</text>
  <rect id="plot" x="100" y="80" width="600" height="300" fill="none"/>
  <g id="scaled" transform="translate(400 400) scale(0.5)">
    <rect x="0" y="0" width="200" height="100" fill="#eeeeee"/>
  </g>
</svg>"""
RED, GREEN, BLUE, ORANGE = (255, 0, 0), (0, 160, 0), (0, 0, 255), (255, 140, 0)
HEX = {RED: "#ff0000", GREEN: "#00a000", BLUE: "#0000ff", ORANGE: "#ff8c00"}
# The [charts] extra (in [test]): Vega-Lite tests need it; the short form does not.
needs_vl_convert = pytest.mark.skipif(not vegalite.available(), reason="pip install '.[charts]'")


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    from svgrender.settings import Settings
    root = tmp_path_factory.mktemp("charts")
    (root / "templates").mkdir()
    (root / "templates" / "charts.svg").write_text(CHARTS_SVG)
    return Settings(templates_dir=root / "templates", storage_dir=root / "images",
                    cache_dir=root / "cache", workers=0, unsigned_links=True)


@pytest.fixture(scope="module")
def api(settings):
    with TestClient(create_app(settings)) as client:
        yield client
    vegalite.stop()


def _render(api, params: list, fmt: str = "png") -> dict:
    response = api.post("/designs/charts", json={"format": fmt, "params": params})
    assert response.status_code == 201, response.text
    return response.json()


def _file(api, url: str) -> bytes:
    response = api.get("/files/" + url.rsplit("/", 1)[1])
    assert response.status_code == 200
    return response.content


def _pixels(api, chart: dict, layer: str = "plot") -> np.ndarray:
    answer = _render(api, [{"name": layer, "chart": chart}])
    image = Image.open(io.BytesIO(_file(api, answer["imageUrl"]))).convert("RGB")
    return np.asarray(image, dtype=np.int16)


def _mask(pixels: np.ndarray, color: tuple, tolerance: int = 40) -> np.ndarray:
    return (np.abs(pixels - np.array(color)).max(axis=2) <= tolerance)


def _refused(api, chart, layer: str = "plot") -> dict:
    response = api.post("/designs/charts", json={"params": [{"name": layer, "chart": chart}]})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["layer"] == layer, body
    return body


# --- the short form -------------------------------------------------------------------------

def test_bars_are_proportional_to_their_values_and_inside_the_box(api):
    values, colors = [2, 5, 1, 4], [RED, GREEN, BLUE, ORANGE]
    pixels = _pixels(api, {"type": "bar", "values": values,
                           "colors": [HEX[c] for c in colors]})
    x0, y0, x1, y1 = BOX
    ink = (pixels[60:395] != 255).any(axis=2)  # below the title, above the `scaled` group
    ys, xs = np.nonzero(ink)
    assert xs.min() >= x0 and xs.max() < x1 and ys.min() + 60 >= y0 and ys.max() + 60 < y1
    heights, lefts = [], []
    for color in colors:
        rows, cols = np.nonzero(_mask(pixels, color))
        heights.append(rows.max() - rows.min() + 1)
        lefts.append(cols.min())
        assert rows.max() == y1 - 1  # every bar stands on the box's bottom
    assert max(heights) == y1 - y0  # the largest value fills the box's height
    for height, value in zip(heights, values):
        assert abs(height - value / max(values) * (y1 - y0)) <= 1.5, (heights, values)
    assert lefts == sorted(lefts)  # in order, left to right
    slot = (x1 - x0) / len(values)
    assert all(abs(left - (x0 + slot * (i + 0.15))) <= 1 for i, left in enumerate(lefts))


def test_negative_bars_hang_below_a_zero_line(api):
    pixels = _pixels(api, {"type": "bar", "values": [3, -1], "colors": ["#ff0000", "#0000ff"]})
    up, down = np.nonzero(_mask(pixels, RED))[0], np.nonzero(_mask(pixels, BLUE))[0]
    x0, y0, x1, y1 = BOX
    zero = y0 + 300 * 3 / 4
    assert up.min() == y0 and abs(up.max() + 1 - zero) <= 1
    assert abs(down.min() - zero) <= 1 and down.max() == y1 - 1


def _angle_colours(pixels: np.ndarray, cx: float, cy: float, r: float) -> list:
    """The colour at each whole degree along a circle, clockwise from 12 o'clock."""
    out = []
    for degree in range(360):
        a = math.radians(degree)
        out.append(tuple(pixels[int(cy - r * math.cos(a)), int(cx + r * math.sin(a))]))
    return out


@pytest.mark.parametrize("kind", ["pie", "donut"])
def test_slices_span_their_share_of_the_turn(api, kind):
    values, colors = [1, 1, 2], [RED, GREEN, BLUE]
    pixels = _pixels(api, {"type": kind, "values": values, "colors": [HEX[c] for c in colors]})
    x0, y0, x1, y1 = BOX
    cx, cy, radius = (x0 + x1) / 2, (y0 + y1) / 2, 300 / 2 * 0.96
    ring = _angle_colours(pixels, cx, cy, radius * 0.8)
    edges = [0, 90, 180, 360]  # 1/4, 1/4, 1/2 of the turn
    for (start, end), color in zip(zip(edges, edges[1:]), colors):
        for degree in range(start + 2, end - 2):
            assert max(abs(a - b) for a, b in zip(ring[degree], color)) <= 40, (degree, color)
    centre = tuple(pixels[int(cy), int(cx)])
    assert (centre == (255, 255, 255)) == (kind == "donut")  # the donut's hole
    inside = _angle_colours(pixels, cx, cy, radius * chart_kind.DONUT_HOLE * 0.9)
    assert all(c == (255, 255, 255) for c in inside) == (kind == "donut")
    outside = _angle_colours(pixels, cx, cy, radius + 3)
    assert all(c == (255, 255, 255) for c in outside)


def test_a_single_value_pie_is_a_full_disc_and_labels_make_a_legend(api):
    pixels = _pixels(api, {"type": "pie", "values": [5], "colors": ["#ff0000"],
                           "labels": ["all"]})
    x0, y0, x1, y1 = BOX
    legend_w = 600 * 0.4
    cx, cy, radius = x0 + (600 - legend_w) / 2, (y0 + y1) / 2, 300 / 2 * 0.96
    ring = _angle_colours(pixels, cx, cy, radius * 0.9)
    assert all(max(abs(a - b) for a, b in zip(c, RED)) <= 40 for c in ring)
    legend = pixels[y0:y1, int(x1 - legend_w):x1]
    assert _mask(legend, RED).sum() > 50  # the swatch
    assert (np.abs(legend - 51).max(axis=2) < 60).sum() > 20  # the label's dark glyphs


def test_line_and_area_follow_the_values(api):
    x0, y0, x1, y1 = BOX
    values = [0, 4, 2, 4]
    for kind in ("line", "area"):
        pixels = _pixels(api, {"type": kind, "values": values, "colors": ["#0000ff"]})
        slot = 600 / len(values)
        for i, value in enumerate(values):
            x = int(x0 + slot * (i + 0.5))
            column = _mask(pixels[:, x:x + 1], BLUE, 60)[:, 0]
            top = np.nonzero(column)[0].min()
            assert abs(top - (y1 - value / 4 * 300)) <= 6, (kind, i, top)
        if kind == "area":
            light = pixels[int(y1 - 20), int(x0 + slot * 1.5)]  # under the line: tinted
            assert light[2] > light[0] + 40 and light[0] > 100


def test_a_chart_in_a_scaled_group_fills_its_box(api):
    pixels = _pixels(api, {"type": "bar", "values": [1], "colors": ["#ff0000"]}, "scaled")
    rows, cols = np.nonzero(_mask(pixels, RED))
    # the group's rect is 200 x 100 at scale 0.5 from (400, 400): 100 x 50 px
    assert rows.min() == 400 and rows.max() == 449
    assert abs(cols.min() - 415) <= 1 and abs(cols.max() - 484) <= 1


@pytest.mark.parametrize("chart, field", [
    ({"type": "radar", "values": [1]}, "chart.type"),
    ({"type": "bar", "values": ["a"]}, "chart.values"),
    ({"type": "bar", "values": []}, "chart.values"),
    ({"type": "bar", "values": list(range(chart_kind.MAX_VALUES + 1))}, "chart.values"),
    ({"type": "pie", "values": [1, -1]}, "chart.values"),
    ({"type": "bar", "values": [1e308, -1e308]}, "chart.values"),
    ({"type": "pie", "values": [0, 0]}, "chart.values"),
    ({"type": "bar", "values": [1], "labels": ["a", "b"]}, "chart.labels"),
    ({"type": "bar", "values": [1], "colors": ["notacolour"]}, "chart.colors[0]"),
    ({"type": "bar", "values": [1], "extra": 1}, "chart"),
    ({"values": [1]}, "chart.type"),
])
def test_bad_short_forms_are_422_naming_the_layer_and_field(api, chart, field):
    assert _refused(api, chart)["field"] == field


# --- Vega-Lite ------------------------------------------------------------------------------

SPEC = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": [{"k": "a", "v": 2}, {"k": "b", "v": 4}]},
        "mark": {"type": "bar", "color": "#ff0000"},
        "encoding": {"x": {"field": "k", "type": "nominal"},
                     "y": {"field": "v", "type": "quantitative"}}}


def _vega_bars(pixels: np.ndarray) -> list[tuple[int, int]]:
    """(top, bottom) row of each red bar, left to right."""
    red = _mask(pixels, RED, 30)
    columns = np.nonzero(red.any(axis=0))[0]
    runs = np.split(columns, np.nonzero(np.diff(columns) > 1)[0] + 1)
    return [(np.nonzero(red[:, run].any(axis=1))[0].min(),
             np.nonzero(red[:, run].any(axis=1))[0].max()) for run in runs]


@needs_vl_convert
def test_a_vega_lite_spec_draws_in_the_box(api):
    for chart in (SPEC, {"vegaLite": SPEC}):
        pixels = _pixels(api, chart)
        x0, y0, x1, y1 = BOX
        ink = (pixels[60:395] != 255).any(axis=2)
        ys, xs = np.nonzero(ink)
        assert xs.min() >= x0 - 1 and xs.max() <= x1 and ys.min() + 60 >= y0 - 1 \
            and ys.max() + 60 <= y1
        bars = _vega_bars(pixels)
        assert len(bars) == 2
        (top_a, bottom_a), (top_b, bottom_b) = bars
        assert abs(bottom_a - bottom_b) <= 1
        assert abs((bottom_a - top_a) * 2 - (bottom_b - top_b)) <= 3  # 2 and 4
        assert bottom_b - top_b > 150  # it fills the box, not Vega-Lite's default 200 px


@needs_vl_convert
def test_vega_lite_in_a_render_worker_process(settings):
    """Workers run under an address-space limit that V8 cannot live with: the helper process
    lifts it (vegalite.py); the render still answers within the worker's deadline."""
    spec = {**SPEC, "data": {"values": [{"k": "a", "v": 3}, {"k": "b", "v": 6}]}}  # not cached
    with TestClient(create_app(replace(settings, workers=1))) as client:
        pixels = _pixels(client, spec)
        helpers = [pid for pid in _helpers() if _parent(pid) != os.getpid()]
        assert len(helpers) == 1  # the worker's own helper
    assert len(_vega_bars(pixels)) == 2
    deadline = time.monotonic() + 10
    while set(helpers) & set(_helpers()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not set(helpers) & set(_helpers())  # it went with its worker


def _helpers() -> list[int]:
    """Running chart helper processes (zombies excluded)."""
    out = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if b"svgrender.kinds.vegalite" in f.read() and _state(int(entry)) != "Z":
                    out.append(int(entry))
        except (OSError, ValueError):
            continue
    return out


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _state(pid: int) -> str:
    return _stat(pid)[0]


def _parent(pid: int) -> int:
    return int(_stat(pid)[1])


@needs_vl_convert
def test_the_drawn_chart_references_nothing_outside(api):
    spec = {**SPEC, "title": "Sales", "mark": {"type": "bar", "tooltip": True}}
    svg = _file(api, _render(api, [{"name": "plot", "chart": spec}], "svg")["imageUrl"]).decode()
    assert 'data-kind="chart"' in svg and "Sales" in svg
    links = re.findall(r"""(?:href|src)\s*=\s*["']([^"']*)""", svg)
    assert all(link.startswith(("#", "data:")) for link in links), links
    outside = [u for u in re.findall(r"https?://[^\s\"')<]+", svg)
               if not u.startswith(("http://www.w3.org/", "http://www.inkscape.org/"))]
    assert outside == []


@needs_vl_convert
def test_vega_lite_labels_use_the_templates_font(api):
    svg = _file(api, _render(api, [{"name": "plot", "chart": SPEC}], "svg")["imageUrl"]).decode()
    assert "DejaVu Serif" in svg


@pytest.mark.parametrize("spec, where", [
    ({"data": {"url": "https://example.com/data.csv"}, "mark": "bar"}, "chart.data.url"),
    ({"data": {"url": "/etc/passwd"}, "mark": "bar"}, "chart.data.url"),
    ({"layer": [{"mark": "bar"}, {"data": {"url": "x.json"}, "mark": "line"}]},
     "chart.layer[1].data.url"),
    ({"data": {"values": [{"a": 1}]}, "mark": "bar",
      "transform": [{"lookup": "a", "from": {"data": {"url": "file:///etc/passwd"},
                                             "key": "a"}}]},
     "chart.transform[0].from.data.url"),
    ({"datasets": {"d": {"url": "x"}}, "data": {"name": "d"}, "mark": "bar"},
     "chart.datasets.d.url"),
    ({"data": {"values": [{"a": "file:///etc/passwd"}]}, "mark": "bar"},
     "chart.data.values[0].a"),
    ({"data": {"values": [{"a": 1}]}, "mark": "image",
      "encoding": {"url": {"field": "a"}}}, "chart.encoding.url"),
    ({"data": {"values": [{"a": 1}]}, "mark": "bar",
      "encoding": {"href": {"value": "https://example.com"}}}, "chart.encoding.href"),
    ({"data": {"values": [{"a": 1}]}, "mark": "image",
      "encoding": {"x": {"value": "//example.com/x.png"}}}, "chart.encoding.x.value"),
])
def test_specs_naming_a_url_are_refused(api, spec, where):
    body = _refused(api, {"vegaLite": spec})
    assert body["field"] == where.replace("chart", "chart.vegaLite", 1) or \
        body["field"] == where, body
    assert "inline data only" in body["message"] and "'plot'" in body["message"]
    assert _refused(api, spec)["field"] == where  # the bare spec too


@needs_vl_convert
def test_spec_limits_are_422(api):
    rows = [{"a": i} for i in range(chart_kind.MAX_ROWS + 1)]
    assert "rows" in _refused(api, {"data": {"values": rows}, "mark": "bar"})["message"]
    seq = {"data": {"sequence": {"start": 0, "stop": 1e9}}, "mark": "point"}
    assert "rows" in _refused(api, seq)["message"]
    big = {"data": {"values": [{"a": "x" * 1000}] * 200}, "mark": "bar"}
    assert "bytes" in _refused(api, big)["message"]
    broken = _refused(api, {"mark": {"type": "nope"}, "data": {"values": [{"a": 1}]}})
    assert broken["field"] == "chart" and broken["code"] == "chart_failed"
    assert "http" not in broken["message"]  # Vega's words, not its script's stack
    assert _refused(api, {"vegaLite": [1, 2]})["field"] == "chart"


@needs_vl_convert
def test_a_conversion_over_its_time_budget_is_stopped(api, monkeypatch):
    monkeypatch.setattr(chart_kind, "CHART_SECONDS", 0.001)
    # (Each spec differs from the others here: a stored answer would skip the conversion.)
    monkeypatch.setattr(chart_kind, "CHART_SECONDS", 5.0)
    _render(api, [{"name": "plot", "chart": {**SPEC, "title": "warm"}}])  # a warm helper
    monkeypatch.setattr(chart_kind, "CHART_SECONDS", 0.001)
    body = _refused(api, {**SPEC, "title": "over"})
    assert "longer than" in body["message"] and body["code"] == "chart_failed"
    monkeypatch.setattr(chart_kind, "CHART_SECONDS", 5.0)
    assert len(_vega_bars(_pixels(api, {**SPEC, "title": "after"}))) == 2  # a new helper


def test_without_the_extra_a_spec_is_refused_and_the_short_form_draws(api, monkeypatch):
    monkeypatch.setattr(vegalite, "available", lambda: False)
    body = _refused(api, SPEC)
    assert body["code"] == "charts_not_installed" and "svgrender[charts]" in body["message"]
    _render(api, [{"name": "plot", "chart": {"type": "bar", "values": [1]}}])


# --- columns, links, the schema, PDF --------------------------------------------------------

def test_charts_as_csv_columns_and_render_links(api):
    from svgrender.jobs.rows import rows_from_csv
    csv = ('plot.chart\n"{""type"":""bar"",""values"":[1,2]}"\n'
           '"{""type"":""pie"",""values"":[3]}"\n').encode()
    first, second = (msgspec.json.decode(r.body) for r in rows_from_csv(csv, "png", 10))
    assert first["params"][0]["chart"] == {"type": "bar", "values": [1, 2]}
    assert second["params"][0]["chart"]["type"] == "pie"
    chart = {"type": "bar", "values": [2, 1], "colors": ["#ff0000", "#0000ff"]}
    text = query_value(params_from_pairs([("plot.chart", msgspec.json.encode(chart).decode())])
                       [0].chart)
    link = api.get("/links/charts.png", params={"plot.chart": text})
    assert link.status_code == 200, link.text
    pixels = np.asarray(Image.open(io.BytesIO(link.content)).convert("RGB"), dtype=np.int16)
    red, blue = np.nonzero(_mask(pixels, RED))[0], np.nonzero(_mask(pixels, BLUE))[0]
    assert abs((red.max() - red.min() + 1) - 2 * (blue.max() - blue.min() + 1)) <= 2
    bad = api.get("/links/charts.png", params={"plot.chart": "bar:1,2"})
    assert bad.status_code in (400, 422) and bad.json()["field"] == "plot.chart"


def test_chart_in_openapi_and_the_template_report(api):
    layer = api.get("/openapi.json").json()["components"]["schemas"]["LayerParam"]["properties"]
    assert "chart" in layer
    described = msgspec.json.encode(layer["chart"]).decode()
    assert "Vega-Lite" in described and "donut" in described
    report = {l["name"]: l for l in api.get("/templates/charts").json()["layers"]}
    assert "chart" in report["plot"]["properties"] and "chart" in report["scaled"]["properties"]
    assert "chart" not in report["title"]["properties"]


@needs_vl_convert
def test_pdf_keeps_charts_as_vector(api):
    from pypdf import PdfReader
    for chart in ({"type": "donut", "values": [1, 2, 3], "labels": ["a", "b", "c"]}, SPEC):
        answer = _render(api, [{"name": "plot", "chart": chart}], fmt="pdf")
        page = PdfReader(io.BytesIO(_file(api, answer["imageUrl"]))).pages[0]
        xobjects = page["/Resources"].get("/XObject") or {}
        images = [n for n, ref in xobjects.items() if ref.get_object()["/Subtype"] == "/Image"]
        assert images == []  # no picture of the chart: paths and text
        content = page.get_contents().get_data().decode("latin-1")
        assert len(re.findall(r"\b(?:c|l|re)\b", content)) > 10
        assert "Tj" in content or "TJ" in content  # labels as text


@needs_vl_convert
def test_the_chart_helper_bounds_itself_in_a_session_of_its_own(api):
    """The helper sets its own limits as it starts (a preexec_fn, run between fork and exec in
    the threaded server, once left a child stuck on a lock for good): its heap is capped, it
    has a session of its own (Ctrl-C reaches the server only) and the server as its parent."""
    _render(api, [{"name": "plot", "chart": {**SPEC, "data": {"values": [
        {"k": "x", "v": 1}, {"k": "y", "v": 2}]}}}])
    mine = [pid for pid in _helpers() if _parent(pid) == os.getpid()]
    assert len(mine) == 1
    with open(f"/proc/{mine[0]}/limits") as limits:
        data = next(line for line in limits if line.startswith("Max data size"))
    assert data.split()[3] == str(vegalite.HELPER_DATA_MB * 1024 * 1024), data
    assert os.getsid(mine[0]) == mine[0] != os.getsid(0)
