"""Find a template's layers, classify them and measure their boxes."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import cairocffi as cairo
from cairosvg.surface import Surface
from lxml import etree

from svgrender.draw.walker import WalkerMixin
from svgrender.errors import InvalidTemplate
from svgrender.svg.xml import href, local_name, set_style, style_value, url_fragment
from svgrender.templates.textboxes import text_box

# Containers whose content is never drawn where it stands: their descendants are not layers.
NON_RENDERED = {"defs", "clipPath", "mask", "pattern", "symbol", "marker", "linearGradient",
                "radialGradient", "filter", "style", "metadata", "title", "desc", "script",
                "namedview", "flowRegion"}
TEXT_TAGS = {"text", "tspan", "flowRoot", "flowPara", "flowSpan", "textPath"}
TEXT_CONTAINERS = {"text", "flowRoot"}  # their spans are parts of them, never layers
SHAPE_TAGS = {"rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "use"}
GROUP_TAGS = {"g", "a", "svg", "switch"}


@dataclass
class Layer:
    name: str
    kind: str  # canvas | text | image | shape | group
    element: etree._Element
    label: str | None = None
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


def is_rendered(element: etree._Element) -> bool:
    node = element
    while node is not None:
        if local_name(node) in NON_RENDERED:
            return False
        node = node.getparent()
    return True


def pattern_image(root: etree._Element, element: etree._Element, ids: dict) -> etree._Element | None:
    """The <image> a Figma-style pattern fill shows (pattern > use -> image, or pattern > image)."""
    pattern = ids.get(url_fragment(style_value(element, "fill")) or "")
    if pattern is None or local_name(pattern) != "pattern":
        return None
    for child in pattern.iter():
        if local_name(child) == "image":
            return child
        if local_name(child) == "use":
            target = ids.get((href(child) or "").lstrip("#"))
            if target is not None and local_name(target) == "image":
                return target
    return None


def classify(element: etree._Element, root: etree._Element, ids: dict) -> str:
    tag = local_name(element)
    if tag in TEXT_TAGS:
        return "text"
    if tag == "image" or (tag in SHAPE_TAGS and pattern_image(root, element, ids) is not None):
        return "image"
    if tag in GROUP_TAGS:
        return "group"
    return "shape"


def _number(value: str | None, whole: float) -> float | None:
    value = (value or "0").strip()
    try:
        if value.endswith("%"):
            return float(value[:-1]) / 100 * whole
        return float(value.removesuffix("px"))
    except ValueError:
        return None


def find_canvas(root: etree._Element, viewbox: tuple[float, float, float, float]) -> etree._Element:
    """The first untransformed rect covering the whole viewBox, else the <svg> root itself."""
    vx, vy, vw, vh = viewbox
    for element in root.iter():
        if local_name(element) != "rect" or not is_rendered(element):
            continue
        ancestors = [element, *element.iterancestors()]
        if any(node.get("transform") for node in ancestors if node is not root):
            continue
        x, y = _number(element.get("x"), vw), _number(element.get("y"), vh)
        w, h = _number(element.get("width"), vw), _number(element.get("height"), vh)
        if None in (x, y, w, h):
            continue
        if x <= vx + 0.5 and y <= vy + 0.5 and x + w >= vx + vw - 0.5 and y + h >= vy + vh - 0.5:
            return element
    return root


MARK = "data-svgrender-n"
CONTAINERS = GROUP_TAGS | {"text", "flowRoot", "flowPara", "tspan", "textPath"}


class _MeasuringSurface(WalkerMixin, Surface):
    """Draws onto a recording surface and records every marked element's ink box."""

    device_units_per_user_units = 1
    mask_resolution = 1.0  # masks read back at 1x: boxes are whole pixels anyway
    geometry_only = True  # gradients drawn as stand-in solids (drawers.py)

    def __init__(self, tree, render_context=None):
        self.boxes: dict[int, tuple[float, float, float, float]] = {}
        self.text_geometry: dict[int, dict] = {}  # each text's own lines (draw/text_layers.py)
        super().__init__(tree, None, 96, render_context=render_context)

    def _create_surface(self, width, height):
        return cairo.RecordingSurface(cairo.CONTENT_COLOR_ALPHA, (0, 0, width, height)), width, height

    def draw(self, node):
        mark = node.get(MARK)
        # Not while drawing a clip path, nor into a side context (a mask being read back).
        if (mark is None or not self.stroke_and_fill
                or not isinstance(self.context.get_target(), cairo.RecordingSurface)):
            return super().draw(node)
        self.context.push_group()
        try:
            super().draw(node)
        finally:
            pattern = self.context.pop_group()
            group = pattern.get_surface()
            box = group.ink_extents()
            # Under a clip the group surface starts at the clip's corner: back to device space.
            ox, oy = group.get_device_offset()
            box = (box[0] - ox, box[1] - oy, box[2], box[3])
            if box[2] > 0 and box[3] > 0:
                self.boxes[int(mark)] = _union(self.boxes.get(int(mark)), box)
            self.context.set_source(pattern)
            self.context.paint()


def _union(a, b):
    if a is None:
        return b
    if b is None:
        return a
    x, y = min(a[0], b[0]), min(a[1], b[1])
    return (x, y, max(a[0] + a[2], b[0] + b[2]) - x, max(a[1] + a[3], b[1] + b[3]) - y)


def measure(root: etree._Element, parse, context=None) -> tuple[dict, tuple[float, float], dict]:
    """Ink boxes (1x pixels) of every rendered element, keyed by element, the 1x size, and each
    text's own lines (text_lines.OwnLines.facts) by element.

    Containers get the union of their children's boxes: a group's own ink extent is unreliable
    (filters and some text runs paint through the whole clip).
    """
    order = list(root.iter())
    marked = copy.deepcopy(root)
    ids = None  # only flowed text needs them (most templates have none)
    for index, element in enumerate(marked.iter()):
        if isinstance(element.tag, str):
            element.set(MARK, str(index))
            if local_name(element) == "flowRoot" and not element.get("data-box"):
                # Flowed text is drawn in its flow region (as when rendered), not as lines.
                if ids is None:
                    ids = {e.get("id"): e for e in marked.iter()
                           if isinstance(e.tag, str) and e.get("id")}
                box = text_box(element, ids, None, None)
                if box:
                    element.set("data-box", " ".join(f"{v:g}" for v in box))
            # Boxes are geometry: filters (shadows, blur) would only cost time here.
            element.attrib.pop("filter", None)
            if "filter" in (element.get("style") or ""):
                set_style(element, "filter", None)
    try:
        surface = _MeasuringSurface(parse(etree.tostring(marked)), context)
    except Exception as exc:  # a template CairoSVG cannot walk: no boxes, but no crash either
        raise InvalidTemplate(f"the renderer cannot draw this template ({type(exc).__name__})") \
            from None
    own = surface.boxes
    boxes: dict = {}

    def visit(index: int, element) -> tuple | None:
        box = None
        child_index = index + 1
        for child in element:
            box = _union(box, visit(child_index, child))
            child_index += sum(1 for _ in child.iter())
        if box is None or local_name(element) not in CONTAINERS:
            box = _union(box, own.get(index))
        if box is not None:
            boxes[element] = box
        return box

    visit(0, order[0])
    lines = {order[index]: facts for index, facts in surface.text_geometry.items()
             if index < len(order)}
    return boxes, (surface.width, surface.height), lines
