"""`chart`: a chart drawn as vector into the layer's box, in the template's font.

Two forms, told apart by their keys:
- the short form `{"type": "bar|line|area|pie|donut", "values": [...], "labels": [...],
  "colors": [...]}`, drawn here (bars, a polyline, slices as arc paths);
- a Vega-Lite spec (`{"vegaLite": {...}}`, or an object with `$schema`, `mark`, `layer`, …),
  checked here (inline data only: no URL anywhere, bounded size and rows), converted by
  vl-convert in a helper process under a time budget (vegalite.py), then put through the
  template sanitiser like an SVG image (svg/prepare.py) and scaled into the box.
"""

from __future__ import annotations

import math
import re
from typing import Literal

import msgspec

from svgrender.errors import SvgRenderError
from svgrender.kinds import place, vegalite
from svgrender.kinds.barcode import template_font
from svgrender.svg.prepare import parse_viewbox, prepare_root, svg_size
from svgrender.svg.sanitize import DEFAULT_LIMITS
from svgrender.svg.xml import XLINK_HREF, parse_svg

from svgrender.properties import MAX_CHART_VALUES as MAX_VALUES  # noqa: E402 (named in the schema)
MAX_LABEL_CHARS = 60
MAX_MAGNITUDE = 1e15  # keeps the value axis' arithmetic finite
MAX_SPEC_BYTES = 100_000  # the chart object as JSON
MAX_ROWS = 5_000  # inline data rows of a Vega-Lite spec, all datasets together
MAX_NODES = 50_000  # objects, arrays and values in a Vega-Lite spec
MAX_PATH_CHARS = 200  # of a spec path named in a refusal (keys are the client's text)
CHART_SECONDS = 5.0  # a Vega-Lite conversion's budget
DEADLINE_SHARE = 0.8  # of the render's deadline, the most a conversion (with startup) may take
PALETTE = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2",
           "#ff9da6", "#9d755d", "#bab0ac")
DONUT_HOLE = 0.6  # of the radius
VEGA_KEYS = {"$schema", "mark", "layer", "concat", "hconcat", "vconcat", "facet", "repeat",
             "spec", "encoding"}
URL_KEYS = {"url", "href", "$ref", "loader", "baseURL"}
URLISH = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*://|//|\\\\|(?:file|data|javascript|blob|ftp|"
                    r"mailto|about|ws|wss):)", re.IGNORECASE)


class ShortChart(msgspec.Struct, forbid_unknown_fields=True):
    type: Literal["bar", "line", "area", "pie", "donut"]
    values: list[float]
    labels: list[str] = []
    colors: list[str] = []


def apply_chart(t, value: dict) -> None:
    if len(msgspec.json.encode(value)) > MAX_SPEC_BYTES:
        t.fail(f"chart is over {MAX_SPEC_BYTES:,} bytes as JSON", "chart")
    if "vegaLite" in value or value.keys() & VEGA_KEYS:
        spec = value.get("vegaLite", value)
        if not isinstance(spec, dict) or ("vegaLite" in value and len(value) > 1):
            t.fail("chart.vegaLite must be a Vega-Lite spec (a JSON object), alone", "chart")
        _draw_vega_lite(t, check_spec(t, spec))
        return
    try:
        chart = msgspec.convert(value, ShortChart)
    except msgspec.ValidationError as exc:
        t.fail(f"chart: {exc} (the short form is {{type: bar|line|area|pie|donut, values, "
               "labels?, colors?}; a Vega-Lite spec has a mark, or goes in \"vegaLite\")",
               _field(str(exc)))
    _check_short(t, chart)
    if chart.type in ("pie", "donut"):
        _draw_pie(t, chart)
    else:
        _draw_xy(t, chart)


def _field(message: str) -> str:
    at = re.search(r"at `\$\.(\w+)", message) or re.search(r"missing required field `(\w+)`",
                                                          message)
    return f"chart.{at.group(1)}" if at else "chart"


# --- the short form -------------------------------------------------------------------------

def _check_short(t, chart: ShortChart) -> None:
    if not 1 <= len(chart.values) <= MAX_VALUES:
        t.fail(f"chart has {len(chart.values)} values; 1 to {MAX_VALUES} can be drawn",
               "chart.values")
    if not all(abs(v) <= MAX_MAGNITUDE for v in chart.values):
        t.fail(f"chart values are numbers from -{MAX_MAGNITUDE:g} to {MAX_MAGNITUDE:g}",
               "chart.values")
    if chart.type in ("pie", "donut"):
        if any(v < 0 for v in chart.values) or sum(chart.values) <= 0:
            t.fail(f"a {chart.type} chart needs values of 0 or more, not all 0", "chart.values")
    if len(chart.labels) > len(chart.values):
        t.fail(f"chart has {len(chart.labels)} labels for {len(chart.values)} values",
               "chart.labels")
    if any(len(label) > MAX_LABEL_CHARS for label in chart.labels):
        t.fail(f"chart labels are at most {MAX_LABEL_CHARS} characters", "chart.labels")
    if len(chart.colors) > MAX_VALUES:
        t.fail(f"chart has more than {MAX_VALUES} colours", "chart.colors")


def _colors(t, chart: ShortChart) -> list[dict]:
    given = [t.color(c, f"chart.colors[{i}]") for i, c in enumerate(chart.colors)]
    if not given:
        given = [t.color(c, "chart.colors") for c in PALETTE]
    return [place.paint(c) for c in given]


def _box(t) -> tuple[float, float, float, float, float, float]:
    """(x, y, w, h) of the box in root user units, a 1x pixel in user units, the label size
    in pixels."""
    bx, by, bw, bh = place.pixel_box(t)
    ux, uy, uw, uh = place.user_box(t, bx, by, bw, bh)
    return ux, uy, uw, uh, uh / bh, min(max(bh * 0.06, 10.0), 28.0)


def _label(t, text: str, x: float, y: float, size: float, anchor: str = "middle"):
    label = place.svg("text", x=place.fmt(x), y=place.fmt(y), fill="#333333",
                      style=f"font-family:{template_font(t)};font-size:{place.fmt(size)}px;"
                            f"text-anchor:{anchor}")
    label.text = "".join(c if c.isprintable() else " " for c in text)
    return label


def _draw_xy(t, chart: ShortChart) -> None:
    """Bars, a line or an area over n equal slots; the value axis from min(0, values) to
    max(0, values), so bars are proportional to their values."""
    x, y, w, h, px, font = _box(t)
    size = font * px
    band = size * 1.6 if chart.labels else 0.0
    plot_h = h - band
    if plot_h <= 4 * px:
        t.fail("chart's box is too low for its labels", "chart")
    values, n = chart.values, len(chart.values)
    lo, hi = min(0.0, *values), max(0.0, *values)
    if hi == lo:
        hi = lo + 1.0
    slot = w / n
    bottom = y + plot_h

    def at(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * plot_h

    paints = _colors(t, chart)
    holder = place.replace_content(t)
    drawing = place.svg("g")
    drawing.set("data-kind", "chart")
    if chart.type == "bar":
        for i, v in enumerate(values):
            top, base = at(max(v, 0.0)), at(min(v, 0.0))
            drawing.append(place.svg(
                "rect", x=place.fmt(x + slot * (i + 0.15)), y=place.fmt(top),
                width=place.fmt(slot * 0.7), height=place.fmt(base - top),
                **paints[i % len(paints)]))
    else:
        points = [(x + slot * (i + 0.5), at(v)) for i, v in enumerate(values)]
        line = " ".join(f"{place.fmt(a)},{place.fmt(b)}" for a, b in points)
        color = paints[0]["fill"]
        if chart.type == "area":
            zero = at(0.0)
            outline = f"{place.fmt(points[0][0])},{place.fmt(zero)} {line} " \
                      f"{place.fmt(points[-1][0])},{place.fmt(zero)}"
            drawing.append(place.svg("polygon", points=outline, fill=color,
                                     fill_opacity="0.35"))
        drawing.append(place.svg("polyline", points=line, fill="none", stroke=color,
                                 stroke_width=place.fmt(max(2 * px, h / 100)),
                                 stroke_linejoin="round", stroke_linecap="round"))
    if lo < 0:
        drawing.append(place.svg("rect", x=place.fmt(x), y=place.fmt(at(0.0) - px / 2),
                                 width=place.fmt(w), height=place.fmt(px), fill="#888888"))
    for i, text in enumerate(chart.labels):
        drawing.append(_label(t, text, x + slot * (i + 0.5), y + h - size * 0.45, size))
    holder.append(drawing)


def _arc(cx: float, cy: float, r: float, start: float, end: float, first: str) -> str:
    """An arc path from angle `start` to `end` (radians, clockwise from 12 o'clock), in pieces
    of at most a quarter turn (a full turn is then drawable too)."""
    pieces = max(1, math.ceil((end - start) / (math.pi / 2) - 1e-9))
    step = (end - start) / pieces
    sweep = 1 if end > start else 0
    out = f"{first}{place.fmt(cx + r * math.sin(start))} {place.fmt(cy - r * math.cos(start))}"
    for k in range(1, pieces + 1):
        a = start + step * k
        out += (f"A{place.fmt(r)} {place.fmt(r)} 0 0 {sweep} "
                f"{place.fmt(cx + r * math.sin(a))} {place.fmt(cy - r * math.cos(a))}")
    return out


def _draw_pie(t, chart: ShortChart) -> None:
    """Slices clockwise from 12 o'clock, each its share of the turn; a legend on the right
    when there are labels."""
    x, y, w, h, px, font = _box(t)
    legend_w = w * 0.4 if chart.labels else 0.0
    r = min(h, w - legend_w) / 2 * 0.96
    cx, cy = x + (w - legend_w) / 2, y + h / 2
    inner = r * DONUT_HOLE if chart.type == "donut" else 0.0
    total = sum(chart.values)
    paints = _colors(t, chart)
    holder = place.replace_content(t)
    drawing = place.svg("g")
    drawing.set("data-kind", "chart")
    start = 0.0
    for i, v in enumerate(chart.values):
        end = start + 2 * math.pi * v / total
        if v > 0:
            d = _arc(cx, cy, r, start, end, "M")
            d += _arc(cx, cy, inner, end, start, "L") if inner else \
                f"L{place.fmt(cx)} {place.fmt(cy)}"
            drawing.append(place.svg("path", d=d + "Z", **paints[i % len(paints)]))
        start = end
    if chart.labels:
        size = min(font * px, h / (len(chart.labels) * 1.6))
        left = x + w - legend_w + size
        top = y + (h - len(chart.labels) * size * 1.6) / 2
        for i, text in enumerate(chart.labels):
            row = top + i * size * 1.6
            drawing.append(place.svg("rect", x=place.fmt(left), y=place.fmt(row + size * 0.2),
                                     width=place.fmt(size), height=place.fmt(size),
                                     **paints[i % len(paints)]))
            drawing.append(_label(t, text, left + size * 1.5, row + size * 1.05, size, "start"))
    holder.append(drawing)


# --- Vega-Lite ------------------------------------------------------------------------------

def check_spec(t, spec: dict) -> dict:
    """The spec without `$schema`, once nothing in it names a URL or a file and its inline
    data is within MAX_ROWS; else a 422 naming the layer and where in the spec."""
    nodes, rows = 0, 0
    stack: list[tuple[object, str]] = [(spec, "chart")]
    while stack:
        node, where = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            t.fail(f"chart spec has more than {MAX_NODES:,} values", "chart")
        if isinstance(node, dict):
            for key, item in node.items():
                path = f"{where}.{key}"[:MAX_PATH_CHARS]
                if key in URL_KEYS:
                    t.fail(f"{path}: a chart takes inline data only (data.values); it loads "
                           "nothing from a URL or a file", path)
                if key == "$schema" and where == "chart":
                    continue
                if key == "values" and isinstance(item, list):
                    rows += len(item)
                if key == "sequence" and isinstance(item, dict):
                    rows += _sequence_rows(t, item, path)
                if key == "datasets" and isinstance(item, dict):
                    rows += sum(len(v) for v in item.values() if isinstance(v, list))
                stack.append((item, path))
        elif isinstance(node, list):
            stack.extend((item, f"{where}[{i}]"[:MAX_PATH_CHARS]) for i, item in enumerate(node))
        elif isinstance(node, str) and URLISH.match(node):
            t.fail(f"{where}: {node[:60]!r} looks like a URL or a file; a chart takes inline "
                   "data only and loads nothing", where)
        if rows > MAX_ROWS:
            t.fail(f"chart spec has more than {MAX_ROWS:,} rows of data", "chart")
    return {k: v for k, v in spec.items() if k != "$schema"}


def _sequence_rows(t, sequence: dict, path: str) -> int:
    try:
        start, stop = float(sequence.get("start", 0)), float(sequence.get("stop", 0))
        step = float(sequence.get("step", 1)) or 1.0
    except (TypeError, ValueError):
        t.fail(f"{path} needs numbers start, stop and step", path)
    count = (stop - start) / step
    if not math.isfinite(count):
        t.fail(f"{path} is not a finite sequence", path)
    return max(0, math.ceil(count))


def _draw_vega_lite(t, spec: dict) -> None:
    if not vegalite.available():
        t.fail("a Vega-Lite chart needs the optional charts extra (pip install "
               "'svgrender[charts]'); the short form {type, values} needs nothing", "chart",
               code="charts_not_installed")
    bx, by, bw, bh = place.pixel_box(t)
    ux, uy, uw, uh = place.user_box(t, bx, by, bw, bh)
    if not ({"width", "height"} & spec.keys() or {"concat", "hconcat", "vconcat", "facet",
                                                   "repeat"} & spec.keys()):
        spec = {**spec, "width": round(bw), "height": round(bh),
                "autosize": spec.get("autosize", {"type": "fit", "contains": "padding"})}
    config = {"font": template_font(t), "background": "transparent"}
    # Within the render's deadline, leaving it time to draw: a 422 naming the layer, not a 504.
    most = t.settings.render_timeout * DEADLINE_SHARE
    try:
        text = vegalite.to_svg(spec, config, min(CHART_SECONDS, most), most)
    except vegalite.ChartFailed as exc:
        t.fail(f"chart: {exc}", "chart", code="chart_failed")
    try:
        root = parse_svg(text.encode())
        prepare_root(root, DEFAULT_LIMITS)  # as an SVG image: no reference leaves it
        width, height = svg_size(root)
    except SvgRenderError as exc:
        t.fail(f"chart: the drawn chart is not usable ({exc.message})", "chart",
               code="chart_failed")
    vx, vy, vw, vh = parse_viewbox(root) or (0.0, 0.0, width, height)
    scale = min(uw / vw, uh / vh)
    _prefix_ids(root, f"{t.name}__chart_")
    holder = place.replace_content(t)
    drawing = place.svg("g", transform=(
        f"translate({place.fmt(ux + (uw - vw * scale) / 2)} "
        f"{place.fmt(uy + (uh - vh * scale) / 2)}) scale({place.fmt(scale)}) "
        f"translate({place.fmt(-vx)} {place.fmt(-vy)})"))
    drawing.set("data-kind", "chart")
    for child in list(root):
        drawing.append(child)
    holder.append(drawing)


REFERENCE = re.compile(r"url\(\s*#([^)\s]+)\s*\)")


def _prefix_ids(root, prefix: str) -> None:
    """The chart's own ids (clip paths, gradients) made unique in the template."""
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    if not ids:
        return
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attr, value in element.attrib.items():
            if attr == "id":
                element.set(attr, prefix + value)
            elif attr in ("href", XLINK_HREF) and value[1:] in ids and value.startswith("#"):
                element.set(attr, "#" + prefix + value[1:])
            elif "url(" in value:
                element.set(attr, REFERENCE.sub(
                    lambda m: f"url(#{prefix}{m.group(1)})" if m.group(1) in ids
                    else m.group(0), value))
