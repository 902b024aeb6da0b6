"""Apply a request's objects to a copy of the template tree. Errors name the layer.

The registry of request properties is svgrender/properties.py (the request schema, the kind
checks, the application order and the layer listings derive from it); HANDLERS (below) says what
applies each one. Adding a property is one `Property(...)` entry there and its handler here.
"""

from __future__ import annotations

import copy
import difflib
import importlib
from typing import Callable


from lxml import etree

from svgrender.svg.colors import Color, parse_color
from svgrender.errors import InvalidColor, InvalidParam, PropertyNotAllowed, UnknownLayer
from svgrender.draw.fonts import check_family
from svgrender.io.images import DecodedImage
from svgrender.templates.layers import pattern_image
from svgrender.settings import Settings
from svgrender.svg.xml import (font_size_of, local_name, set_href, set_style, style_value,
                     url_fragment)
from svgrender.templates.model import Template
from svgrender.words import article
from svgrender.svg.units import parse_length
from svgrender.kinds.crops import check_focus, finish_crop
from svgrender.kinds.effects import apply_effect
from svgrender.kinds.hyperlink import apply_href
from svgrender.kinds.place import defs as _defs
from svgrender.kinds.place import requires
from svgrender.kinds.place import svg as _svg
from svgrender.kinds.rating import apply_rating
from svgrender.properties import BY_NAME, PROPERTIES, properties_for
from svgrender.properties import ALL, Box, Property  # noqa: F401 (their old home)


# Kinds whose module (and library: python-barcode, segno, the chart code) loads when a request
# uses them, not with every render: a one-off `svgrender render` starts faster.
def _on_first_use(module: str, name: str):
    def handler(*args):
        return getattr(importlib.import_module(module), name)(*args)

    handler.__name__ = name
    return handler


apply_barcode = _on_first_use("svgrender.kinds.barcode", "apply_barcode")
apply_chart = _on_first_use("svgrender.kinds.chart", "apply_chart")
apply_qr = _on_first_use("svgrender.kinds.qr", "apply_qr")


class Target:
    """One layer of the copied tree, with what handlers need to know about it."""

    def __init__(self, name: str, kind: str, element: etree._Element, root: etree._Element,
                 template: Template, settings: Settings, ids: dict,
                 image: DecodedImage | None = None, param=None):
        self.name, self.kind, self.element, self.root = name, kind, element, root
        self.template, self.settings, self.ids, self.image = template, settings, ids, image
        self.param = param  # the whole LayerParam (handlers that read several properties)

    def fail(self, message: str, field: str, cls=InvalidParam, code: str | None = None):
        raise cls(f"layer {self.name!r}: {message}", layer=self.name, field=field, code=code)

    def color(self, value: str, field: str) -> Color:
        try:
            return parse_color(value)
        except ValueError:
            raise InvalidColor(f"layer {self.name!r}: {field} {value[:64]!r} is not a CSS colour "
                               "(#rgb, #rrggbb, #rrggbbaa, rgb(), rgba(), hsl(), or a name)",
                               layer=self.name, field=field) from None

    def length(self, value, field: str, minimum: float = 0.0, maximum: float = 10_000.0) -> float:
        try:
            number = parse_length(value)
        except ValueError:
            self.fail(f"{field} {str(value)[:32]!r} is not a length (a number or e.g. \"4px\")",
                      field)
        if not minimum <= number <= maximum:
            self.fail(f"{field} must be between {minimum:g} and {maximum:g}, got {number:g}", field)
        return number


def _paint(element: etree._Element, prop: str, color: Color) -> None:
    set_style(element, prop, color.hex)
    set_style(element, f"{prop}-opacity", f"{color.a:g}" if color.a < 1 else None)


def _clear_descendants(element: etree._Element, *props: str) -> None:
    """Descendants' own values would override what we set on the layer."""
    for child in element.iterdescendants():
        if isinstance(child.tag, str):
            for prop in props:
                if style_value(child, prop) is not None:
                    set_style(child, prop, None)




# --- text -----------------------------------------------------------------------------------

def set_text(t: Target, value: str) -> None:
    element, lines = t.element, value.split("\n")
    tag = local_name(element)
    if tag == "flowRoot":
        _set_paragraphs(element, lines)
        return
    on_path = next((c for c in element if local_name(c) == "textPath"), None)
    if on_path is not None:  # text on a path stays on its path, one line along it
        for child in list(element):
            if child is not on_path:
                element.remove(child)
        for child in list(on_path):
            on_path.remove(child)
        element.text, on_path.tail, on_path.text = None, None, " ".join(lines)
        return
    if tag == "text":  # placed from its own lines when drawn (draw/text_anchor.py)
        t.element.set("data-text", value)
        return
    set_span_text(element, value)


def set_span_text(span: etree._Element, value: str) -> None:
    """A span inside a sentence: only its words change, and the rest of its line flows after
    them (a following chunk's absolute x on the same line would draw over the new words)."""
    words = " ".join(value.split("\n"))
    if " ".join(words.split()) == " ".join("".join(span.itertext()).split()):
        return  # its own words: drawn as the template draws them
    for child in list(span):
        span.remove(child)
    span.text = words
    line_y = _line_y(span)
    host = next((a for a in span.iterancestors() if local_name(a) == "text"), None)
    if host is None:
        return
    after = False
    for node in host.iter():
        if node is span:
            after = True
            continue
        if not after or not isinstance(node.tag, str) or span in node.iterancestors():
            continue
        if local_name(node) != "tspan" or node.get("x") is None:
            continue
        if node.get("y") is not None and node.get("y") != line_y:
            break  # the next line
        node.attrib.pop("x", None)
        node.attrib.pop("y", None)


def _line_y(span: etree._Element) -> str | None:
    for node in (span, *span.iterancestors()):
        if node.get("y") is not None:
            return node.get("y")
        if local_name(node) == "text":
            return None
    return None


def _set_paragraphs(element: etree._Element, lines: list[str]) -> None:
    """Flowed text, paragraph by paragraph: a paragraph whose words are unchanged stays as the
    designer styled it (its spans too); a changed one is written in the style of the paragraph
    it replaces (or the last one), with the style of that paragraph's first run. Empty
    paragraphs before the first words are the designer's spacing and stay."""
    paras = [c for c in element.iter() if local_name(c) == "flowPara"]
    parent = paras[0].getparent() if paras else element
    while len(paras) > 1 and not _words(paras[0]):  # spacing before the words: kept
        paras.pop(0)
    for para in paras:
        para.getparent().remove(para)
    for index, line in enumerate(lines):
        old = paras[min(index, len(paras) - 1)] if paras else None
        if old is not None and index < len(paras) and _words(old) == " ".join(line.split()):
            parent.append(old)
            continue
        para = _svg("flowPara")
        if old is not None:
            para.attrib.update({k: v for k, v in old.attrib.items() if k != "id"})
            run = next((c for c in old.iter() if c is not old and isinstance(c.tag, str)
                        and (c.text or "").strip()), None)
            if run is not None and not (old.text or "").strip():
                span = etree.SubElement(para, run.tag, {
                    k: v for k, v in run.attrib.items() if k != "id"})
                span.text = line
                parent.append(para)
                continue
        para.text = line
        parent.append(para)


def _words(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def set_font_family(t: Target, value: str) -> None:
    family = check_family(value, t.name)
    set_style(t.element, "font-family", family)
    _clear_descendants(t.element, "font-family")


def set_font_size(t: Target, value) -> None:
    size = t.length(value, "fontSize", minimum=1, maximum=2000)
    set_style(t.element, "font-size", f"{size:g}px")
    _clear_descendants(t.element, "font-size")


FONT_WEIGHTS = {"normal", "bold", "bolder", "lighter"}


def set_font_weight(t: Target, value) -> None:
    text = str(value).strip().lower()
    if not (text in FONT_WEIGHTS or (text.isdigit() and 1 <= int(text) <= 1000)):
        t.fail(f"fontWeight {str(value)[:20]!r} must be 1-1000, normal, bold, bolder or lighter",
               "fontWeight")
    set_style(t.element, "font-weight", text)
    _clear_descendants(t.element, "font-weight")


def set_font_style(t: Target, value: str) -> None:
    set_style(t.element, "font-style", value)
    _clear_descendants(t.element, "font-style")


def set_letter_spacing(t: Target, value) -> None:
    spacing = t.length(value, "letterSpacing", minimum=-1000, maximum=1000)
    set_style(t.element, "letter-spacing", f"{spacing:g}px")
    _clear_descendants(t.element, "letter-spacing")


def set_line_height(t: Target, value) -> None:
    """A number is a multiple of the font size; a length ("32px") is absolute."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        factor = float(value)
    else:
        factor = t.length(value, "lineHeight", minimum=0.01) / font_size_of(t.element)
    if not 0.1 <= factor <= 10:
        t.fail("lineHeight must be between 0.1 and 10 times the font size", "lineHeight")
    t.element.set("data-line-height", f"{factor:.4g}")


def _data(attribute: str, convert=str) -> Handler:
    def handler(t: Target, value) -> None:
        t.element.set(attribute, convert(value))
    return handler


def set_min_font_size(t: Target, value) -> None:
    t.element.set("data-min-font-size", f"{t.length(value, 'minFontSize', minimum=1):g}")


def set_box(t: Target, box) -> None:
    t.element.set("data-box", f"{box.x:g} {box.y:g} {box.width:g} {box.height:g}")
    t.element.set("data-box-source", "request")


def transform_text(text: str, mode: str | None) -> str:
    if mode == "uppercase":
        return text.upper()
    if mode == "lowercase":
        return text.lower()
    if mode == "capitalize":
        return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))
    return text


BOX_PARAMS = {"textAlign", "verticalAlign", "lineHeight", "maxLines", "autoFit", "minFontSize",
              "wrap", "box"}
TEXT_PARAMS = BOX_PARAMS | {"text", "fontFamily", "fontSize", "fontWeight", "fontStyle",
                            "letterSpacing", "textTransform"}


def finish_text(t: Target, given: dict) -> None:
    """After a text layer's params: its final text, and box layout when it has a box."""
    if local_name(t.element) in ("tspan", "flowSpan") and "text" in given:
        t.element.set("data-layer", t.name)  # a span in a sentence: reported by its text
        return
    if local_name(t.element) not in ("text", "flowRoot") or not TEXT_PARAMS & given.keys():
        return
    text = given.get("text")
    if text is None:
        text = t.template.text_of(t.template.layers[t.name])
    text = transform_text(text, given.get("textTransform"))
    if "textTransform" in given:
        set_text(t, text)
    t.element.set("data-text", text)
    t.element.set("data-layer", t.name)  # the fit report names the layer as the request did
    if text == t.template.text_of(t.template.layers[t.name]):
        t.element.set("data-own-text", "true")  # drawn as the template draws it, even overrun
    if local_name(t.element) == "text" and not any(
            local_name(c) == "textPath" for c in t.element):
        t.element.set("data-layout", "anchored")
        return
    if not t.element.get("data-box") and BOX_PARAMS & given.keys():
        # Layout asked for but the template gave no box: the layer's measured box.
        x, y, w, h = t.template.pixels_to_user(*t.template.layers[t.name].box)
        if w > 0 and h > 0:
            t.element.set("data-box", f"{x:g} {y:g} {w:g} {h:g}")
    if t.element.get("data-box"):
        t.element.set("data-layout", "box")


# --- paint ----------------------------------------------------------------------------------

def set_color(t: Target, value: str) -> None:
    if t.kind == "canvas":
        return set_background(t, value, field="color")
    _paint(t.element, "fill", t.color(value, "color"))
    if t.kind == "text":
        _clear_descendants(t.element, "fill", "fill-opacity")


def set_background(t: Target, value: str, field: str = "backgroundColor") -> None:
    color = t.color(value, field)
    element = t.element
    if t.kind == "canvas" and local_name(element) == "svg":
        vx, vy, vw, vh = t.template.viewbox
        element = _svg("rect", x=f"{vx:g}", y=f"{vy:g}", width=f"{vw:g}", height=f"{vh:g}")
        defs_count = sum(1 for c in t.root if local_name(c) in ("defs", "style", "title", "desc"))
        t.root.insert(defs_count, element)
    _paint(element, "fill", color)


def set_opacity(t: Target, value: float) -> None:
    set_style(t.element, "opacity", f"{value:g}")


def set_hidden(t: Target, value: bool) -> None:
    set_style(t.element, "display", "none" if value else None)
    if not value and t.element.get("visibility") == "hidden":
        set_style(t.element, "visibility", None)


def _border_element(t: Target) -> etree._Element:
    """Strokes on <image> are not drawn: give it a frame rect drawn right after it."""
    if local_name(t.element) != "image":
        return t.element
    frame_id = f"{t.name}__border"
    frame = t.ids.get(frame_id)
    if frame is None:
        e = t.element
        frame = _svg("rect", id=frame_id, x=e.get("x", "0"), y=e.get("y", "0"),
                     width=e.get("width", "0"), height=e.get("height", "0"), fill="none")
        if e.get("transform"):
            frame.set("transform", e.get("transform"))
        if e.get("rx"):
            frame.set("rx", e.get("rx"))
        e.addnext(frame)
        t.ids[frame_id] = frame
    return frame


def set_border_color(t: Target, value: str) -> None:
    _paint(_border_element(t), "stroke", t.color(value, "borderColor"))


def set_border_width(t: Target, value) -> None:
    element = _border_element(t)
    width = t.length(value, "borderWidth", maximum=1000)
    set_style(element, "stroke-width", f"{width:g}")
    if style_value(element, "stroke") in (None, "none"):
        set_style(element, "stroke", "#000000")


def set_border_radius(t: Target, value) -> None:
    radius = t.length(value, "borderRadius", maximum=100_000)
    element = t.element
    tag = local_name(element)
    if tag == "rect":
        element.set("rx", f"{radius:g}")
        element.set("ry", f"{radius:g}")
        return
    if tag != "image":
        t.fail(f"borderRadius rounds rects and images; this layer is a <{tag}>", "borderRadius",
               PropertyNotAllowed)
    clip_id = f"{t.name}__radius"
    clip = _svg("clipPath", id=clip_id)
    clip.append(_svg("rect", x=element.get("x", "0"), y=element.get("y", "0"),
                     width=element.get("width", "0"), height=element.get("height", "0"),
                     rx=f"{radius:g}", ry=f"{radius:g}"))
    _defs(t.root).append(clip)
    wrapper = _svg("g", clip_path=f"url(#{clip_id})")
    if element.get("transform"):  # the clip must live in the image's own coordinates
        wrapper.set("transform", element.get("transform"))
        del element.attrib["transform"]
    element.addprevious(wrapper)
    wrapper.append(element)
    frame = t.ids.get(f"{t.name}__border")
    if frame is not None:
        frame.set("rx", f"{radius:g}")


def finish_border(t: Target) -> None:
    """An image's border lies wholly inside the image (and inside any rounded clip the image
    has): inset by half the stroke, corners rounded like the picture's."""
    frame = t.ids.get(f"{t.name}__border")
    if frame is None or local_name(t.element) != "image":
        return
    try:
        width = float(style_value(frame, "stroke-width") or 1)
        x, y = (float(t.element.get(a, "0")) for a in ("x", "y"))
        w, h = (float(t.element.get(a, "0")) for a in ("width", "height"))
    except ValueError:
        return
    radius = _number_or_none(frame.get("rx"))
    clip = t.ids.get(url_fragment(style_value(t.element, "clip-path")) or "")
    shapes = [c for c in clip if isinstance(c.tag, str)] if clip is not None else []
    if radius is None and len(shapes) == 1 and local_name(shapes[0]) == "rect":
        radius = _number_or_none(shapes[0].get("rx") or shapes[0].get("ry"))
    inset = min(width / 2, w / 2, h / 2)
    frame.set("x", f"{x + inset:g}")
    frame.set("y", f"{y + inset:g}")
    frame.set("width", f"{max(w - 2 * inset, 0):g}")
    frame.set("height", f"{max(h - 2 * inset, 0):g}")
    if radius:
        frame.set("rx", f"{max(radius - inset, 0):g}")
        frame.set("ry", f"{max(radius - inset, 0):g}")
    # Outside a radius wrapper's clip (which would cut the stroke in half at the corners).
    wrapper = t.element.getparent()
    if wrapper is not None and frame.getparent() is wrapper and \
            (wrapper.get("clip-path") or "").startswith(f"url(#{t.name}__radius"):
        wrapper.addnext(frame)
        if wrapper.get("transform"):
            frame.set("transform", wrapper.get("transform"))


def _number_or_none(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


# --- images ---------------------------------------------------------------------------------

ALIGN_H = {"left": "xMin", "center": "xMid", "right": "xMax"}
ALIGN_V = {"top": "YMin", "middle": "YMid", "bottom": "YMax"}


def _aspect(param: object) -> str:
    align = ALIGN_H[param.image_align_h or "center"] + ALIGN_V[param.image_align_v or "middle"]
    mode = param.image_position or "cover"
    return {"cover": f"{align} slice", "face": f"{align} slice", "attention": f"{align} slice",
            "contain": f"{align} meet", "fill": "none"}.get(mode, align)


def _box_of(element: etree._Element) -> tuple[float, float, float, float]:
    values = []
    for attr in ("x", "y", "width", "height"):
        try:
            values.append(parse_length(element.get(attr) or "0"))
        except ValueError:
            values.append(0.0)
    return tuple(values)


def _place(image: etree._Element, param: object, decoded: DecodedImage | None) -> None:
    """Fit the image into its own x/y/width/height box according to imagePosition."""
    if param.image_position == "align" and decoded is not None:
        # Natural size, aligned in the box and clipped to it.
        x, y, w, h = _box_of(image)
        fx = {"left": 0, "center": 0.5, "right": 1}[param.image_align_h or "center"]
        fy = {"top": 0, "middle": 0.5, "bottom": 1}[param.image_align_v or "middle"]
        image.set("x", f"{x + (w - decoded.width) * fx:g}")
        image.set("y", f"{y + (h - decoded.height) * fy:g}")
        image.set("width", str(decoded.width))
        image.set("height", str(decoded.height))
        clip_id = f"{image.get('id') or 'img'}__box"
        root = image.getroottree().getroot()
        clip = _svg("clipPath", id=clip_id)
        clip.append(_svg("rect", x=f"{x:g}", y=f"{y:g}", width=f"{w:g}", height=f"{h:g}"))
        _defs(root).append(clip)
        wrapper = _svg("g", clip_path=f"url(#{clip_id})")
        image.addprevious(wrapper)
        wrapper.append(image)
        return
    image.set("preserveAspectRatio", _aspect(param))


def set_image(t: Target, param: object) -> None:
    decoded = t.image if param.image_url is not None else None
    if local_name(t.element) == "image":
        if decoded is not None:
            set_href(t.element, decoded.token)
        _place(t.element, param, decoded)
        return
    # Figma-style pattern fill: shape fill=url(#pattern) > <use href=#image transform=…>.
    image = pattern_image(t.root, t.element, t.ids)
    if image is None:
        t.fail("has no image to replace", "imageUrl")
    _, _, w, h = _box_of(t.element) if local_name(t.element) == "rect" else (0, 0, 0, 0)
    if not (w and h):
        box = t.template.layers[t.name].box
        w, h = box[2] or 1, box[3] or 1
    pattern = t.ids[url_fragment(style_value(t.element, "fill"))]
    # A private copy of pattern and image, so other shapes sharing them keep the old picture.
    new_pattern = copy.deepcopy(pattern)
    new_image = copy.deepcopy(image)
    new_pattern.set("id", f"{t.name}__pattern")
    new_image.set("id", f"{t.name}__image")
    for child in list(new_pattern):
        new_pattern.remove(child)
    new_image.attrib.pop("transform", None)
    new_image.set("x", "0")
    new_image.set("y", "0")
    new_image.set("width", f"{w:g}")
    new_image.set("height", f"{h:g}")
    if decoded is not None:
        set_href(new_image, decoded.token)
    if new_pattern.get("patternContentUnits") == "objectBoundingBox":
        holder = _svg("g", transform=f"scale({1 / w:.9g} {1 / h:.9g})")
        holder.append(new_image)
        new_pattern.append(holder)
    else:
        new_image.set("x", f"{_box_of(t.element)[0]:g}")
        new_image.set("y", f"{_box_of(t.element)[1]:g}")
        new_pattern.append(new_image)
    _place(new_image, param, decoded)
    _defs(t.root).append(new_pattern)
    set_style(t.element, "fill", f"url(#{t.name}__pattern)")


# --- what applies each property (the registry itself: svgrender/properties.py) -----------------

Handler = Callable[[Target, object], None]

# By property name; a property without one is read by another's handler (properties.py `group`).
HANDLERS: dict[str, Handler] = {
    "hidden": set_hidden,
    "text": set_text,
    "color": set_color,
    "backgroundColor": set_background,
    "fontFamily": set_font_family,
    "fontSize": set_font_size,
    "fontWeight": set_font_weight,
    "fontStyle": set_font_style,
    "letterSpacing": set_letter_spacing,
    "lineHeight": set_line_height,
    "textAlign": _data("data-text-align"),
    "verticalAlign": _data("data-vertical-align"),
    "maxLines": _data("data-max-lines", lambda v: str(int(v))),
    "autoFit": _data("data-auto-fit", lambda v: "true" if v else "false"),
    "minFontSize": set_min_font_size,
    "wrap": _data("data-wrap"),
    "box": set_box,
    "imageUrl": lambda t, _: set_image(t, t.param),
    "imageFocus": check_focus,  # "x,y" fractions: kinds/crops.py (face, attention: finish_crop)
    "imageEffect": apply_effect,
    "qrCode": apply_qr,
    "qrErrorCorrection": requires("qrCode", "qrErrorCorrection"),
    "qrColor": requires("qrCode", "qrColor"),
    "qrBackground": requires("qrCode", "qrBackground"),
    "qrQuietZone": requires("qrCode", "qrQuietZone"),
    "barcode": apply_barcode,
    "rating": apply_rating,
    "ratingMax": requires("rating", "ratingMax"),
    "ratingColor": requires("rating", "ratingColor"),
    "ratingEmptyColor": requires("rating", "ratingEmptyColor"),
    "ratingShape": requires("rating", "ratingShape"),
    "chart": apply_chart,  # svgrender/kinds/chart.py
    "borderRadius": set_border_radius,
    "borderColor": set_border_color,
    "borderWidth": set_border_width,
    "opacity": set_opacity,
    "href": apply_href,  # a link: <a> in SVG, an annotation in PDF (kinds/hyperlink.py)
}


def check_params(template: Template, params: list[object]) -> list[tuple[object, object]]:
    """Each param's layer, after checking the layer exists and takes every given property.

    Runs before any image is fetched, so a bad request costs no network.
    """
    checked = []
    for index, param in enumerate(params):
        layer = template.find(param.name)
        if layer is None:
            near = difflib.get_close_matches(param.name, list(template.layers), n=3)
            hint = f" Did you mean {', '.join(near)}?" if near else ""
            raise UnknownLayer(
                f"Template {template.id!r} has no layer {param.name!r}.{hint} Layers: "
                + ", ".join(l.name for l in template.listed_layers()),
                layer=param.name, field=f"params[{index}].name")
        for prop in param.given_names():
            if layer.kind not in BY_NAME[prop].kinds:
                raise PropertyNotAllowed(
                    f"layer {param.name!r} is {article(layer.kind)} {layer.kind} layer; {prop!r} does not apply to it. "
                    f"It accepts: {', '.join(properties_for(layer.kind))}",
                    layer=param.name, field=f"params[{index}].{prop}")
        checked.append((param, layer))
    return checked


def apply_params(template: Template, params: list[object], settings: Settings,
                 images: dict[str, DecodedImage] | None = None) -> etree._Element:
    """A new tree: the template with every param applied. The template itself is never changed.

    `images` holds the decoded `imageUrl` of each image layer (see fetch.py), by layer name.
    """
    images = images or {}
    root = copy.deepcopy(template.root)
    copied = list(root.iter())
    ids = {el.get("id"): el for el in copied if isinstance(el.tag, str) and el.get("id")}
    position = {id(el): i for i, el in enumerate(template.order)}
    for param, layer in check_params(template, params):
        if param.image_url is not None and param.name not in images:
            raise InvalidParam(f"layer {param.name!r}: image was not loaded", layer=param.name,
                               field="imageUrl")
        given = param.given()
        target = Target(layer.name, layer.kind, copied[position[id(layer.element)]], root,
                        template, settings, ids, images.get(param.name), param)
        for prop in PROPERTIES:
            handler = HANDLERS.get(prop.name)
            if handler is not None and (prop.name in given or given.keys() & set(prop.group)):
                handler(target, given.get(prop.name))
        if layer.kind == "text":
            finish_text(target, given)
        if layer.kind == "image":
            finish_border(target)
            finish_crop(target)
    return root
