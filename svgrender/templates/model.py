"""A template: one SVG parsed once (hardened), its layers indexed, classified and measured.

Identified by id and version (a hash of its bytes), never by a path: a worker on another machine
loads the same version from the shared store.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field

from lxml import etree

from svgrender.budgets import check_effects
from svgrender.errors import InvalidTemplate, SvgRenderError
from svgrender.io.images import DecodedImage, data_uri_bytes, decode_image
from svgrender.templates.layers import (TEXT_CONTAINERS, Layer, classify, find_canvas,
                                        is_rendered, measure)
from svgrender.draw.context import RenderContext
from svgrender.draw.surfaces import parse_for_cairo
from svgrender.notices import Notices
from svgrender.settings import Settings
from svgrender.svg.prepare import parse_viewbox, prepare_root, svg_size
from svgrender.svg.sanitize import Limits, inflate
from svgrender.svg.xml import INKSCAPE_LABEL, href, local_name, parse_svg, set_href
from svgrender.templates.textboxes import annotate as annotate_text_boxes

log = logging.getLogger("svgrender.templates")


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass
class Template:
    id: str
    version: str  # version_of(the stored bytes)
    root: etree._Element | None = None
    error: str | None = None
    width: int = 0
    height: int = 0
    viewbox: tuple[float, float, float, float] = (0, 0, 0, 0)
    layers: dict[str, Layer] = field(default_factory=dict)
    images: dict[str, DecodedImage] = field(default_factory=dict)  # embedded, decoded once
    removed: list[str] = field(default_factory=list)  # what the sanitiser dropped
    dropped_images: list[str] = field(default_factory=list)  # embedded images not decodable
    order: list[etree._Element] = field(default_factory=list)  # root.iter() order, for copies

    aliases: dict[str, str] = field(default_factory=dict)  # designer's label -> layer name
    boxes: dict = field(default_factory=dict)  # element -> ink box in 1x px (every drawn one)
    text_lines: dict = field(default_factory=dict)  # text element -> its own lines (facts)
    # The file's bytes when this is a version the template store no longer (or never) had:
    # a queued job's (jobs/versions.py), sent on to the render worker that lacks it.
    source: bytes | None = None

    def find(self, name: str) -> Layer | None:
        """A layer by its name, or by the label the designer gave it (Inkscape, Illustrator)."""
        return self.layers.get(name) or self.layers.get(self.aliases.get(name, ""))

    @property
    def name(self) -> str:
        if self.root is not None:
            for child in self.root:
                if local_name(child) == "title" and (child.text or "").strip():
                    return child.text.strip()
        return self.id

    def pixels_to_user(self, x: float, y: float, w: float, h: float) -> tuple:
        """A box in 1x pixels to root user units (the viewBox)."""
        vx, vy, vw, vh = self.viewbox
        sx, sy = self.width / vw, self.height / vh
        return (x / sx + vx, y / sy + vy, w / sx, h / sy)

    def user_to_pixels(self, x: float, y: float, w: float, h: float) -> tuple:
        """A box in root user units (the viewBox) to 1x pixels."""
        vx, vy, vw, vh = self.viewbox
        sx, sy = self.width / vw, self.height / vh
        return ((x - vx) * sx, (y - vy) * sy, w * sx, h * sy)

    def text_of(self, layer: Layer) -> str:
        """A text layer's words as a request sends them back: its lines (or flowed
        paragraphs) joined with newlines, without the file's indentation."""
        facts = self.text_lines.get(layer.element)
        if facts and facts.get("lines"):
            return "\n".join(line[3] for line in facts["lines"])
        element = layer.element
        paragraphs = [c for c in element.iter() if isinstance(c.tag, str)
                      and local_name(c) == "flowPara"]
        if paragraphs:  # empty paragraphs before the first words are spacing, not text
            words = [" ".join("".join(p.itertext()).split()) for p in paragraphs]
            return "\n".join(words).strip("\n")
        return " ".join("".join(element.itertext()).split())

    def listed_layers(self) -> list[Layer]:
        """Layers to show clients: `canvas` first, no duplicates of the canvas element."""
        canvas = self.layers["canvas"]
        return [canvas] + [l for n, l in self.layers.items()
                           if n != "canvas" and l.element is not canvas.element]


def decode_embedded_images(root: etree._Element, max_bytes: int, max_pixels: int,
                           dropped: list[str] | None = None,
                           max_total_pixels: int = 0) -> dict[str, DecodedImage]:
    """Decode each <image>'s data: URI once and point the element at the decoded pixels.

    Any other href (file:, relative, http) is dropped here: templates draw only what they carry.
    Over `max_total_pixels` decoded in all, the template is refused (a file of image bombs).
    """
    images: dict[str, DecodedImage] = {}
    total = 0
    for element in root.iter():
        if local_name(element) != "image":
            continue
        link = href(element) or ""
        name = element.get("id") or "image"
        try:
            if not link.lower().startswith("data:"):
                raise ValueError("not a data: URI")
            decoded = decode_image(data_uri_bytes(link, name, max_bytes), name,
                                   max_pixels=max_pixels, reduce=True)
        except (SvgRenderError, ValueError) as exc:
            reason = getattr(exc, "message", str(exc))
            log.warning("template image %s dropped: %s", name, reason)
            if dropped is not None and link and len(dropped) < 20:
                dropped.append(f"{name}: {reason}"[:200])
            set_href(element, "")
            continue
        if decoded.key not in images:
            total += decoded.width * decoded.height
        if max_total_pixels and total > max_total_pixels:
            raise InvalidTemplate(
                f"the embedded images decode to more than {max_total_pixels:,} pixels in all "
                f"(image {name!r} passes the limit, SVGRENDER_MAX_TEMPLATE_IMAGE_PIXELS): "
                "embed smaller images", code="template_images_too_large")
        images[decoded.key] = decoded
        set_href(element, decoded.token)
    return images


def named_elements(root: etree._Element) -> dict[str, etree._Element]:
    """Every drawn element a designer named, by its layer name: the `id` (Figma with "Include id
    attribute", Inkscape, hand-written), else Illustrator's `data-name`, else Inkscape's label.
    Spans inside a text (tspan, flowPara, flowSpan, textPath) are parts of their text layer,
    unless the designer named one (`has completed <tspan id="course">…</tspan>`): then it is a
    layer of its own whose words change inside the sentence. Editors' own span ids
    (`tspan1234-5`, `id86`) are not names."""
    named: dict[str, etree._Element] = {}
    for element in root.iter():
        if element is root or not isinstance(element.tag, str) or not is_rendered(element):
            continue
        if any(local_name(a) in TEXT_CONTAINERS for a in element.iterancestors()) and not (
                local_name(element) in SPAN_LAYER_TAGS and _designer_named(element)):
            continue
        name = element.get("id") or element.get("data-name") or element.get(INKSCAPE_LABEL)
        if name and name not in named:
            named[name] = element
    return named


SPAN_LAYER_TAGS = ("tspan", "flowSpan")
EDITOR_ID = re.compile(r"^(tspan|flowSpan|flowPara|flowRoot|textPath|text|id)[-_]?\d[\w.-]*$",
                       re.IGNORECASE)


def _designer_named(span: etree._Element) -> bool:
    """A span a designer named: a label, a data-name, or an id no editor would write."""
    if span.get(INKSCAPE_LABEL) or span.get("data-name"):
        return True
    return bool(span.get("id")) and not EDITOR_ID.match(span.get("id"))


def text_host(element: etree._Element) -> etree._Element | None:
    """The <text> or <flowRoot> a span layer is part of."""
    return next((a for a in element.iterancestors() if local_name(a) in TEXT_CONTAINERS), None)


def layer_aliases(layers: dict[str, Layer]) -> dict[str, str]:
    """Labels that name exactly one layer and are not another layer's name."""
    seen: dict[str, list[str]] = {}
    for layer in layers.values():
        if layer.label:
            seen.setdefault(layer.label, []).append(layer.name)
    return {label: names[0] for label, names in seen.items()
            if len(names) == 1 and label not in layers}


def load_template(template_id: str, data: bytes, settings: Settings) -> Template:
    """Parse, sanitise, decode embedded images, measure layers. Raises SvgRenderError."""
    return load_prepared(template_id, data, settings, serialise=False)[0]


def load_prepared(template_id: str, data: bytes, settings: Settings,
          serialise: bool = True,
          notices: Notices | None = None) -> tuple[Template, bytes | None]:
    template = Template(template_id, version_of(data))
    root = parse_svg(inflate(data, settings.max_template_bytes))
    template.removed = prepare_root(root, Limits.from_settings(settings))
    prepared = etree.tostring(root) if serialise else None
    width, height = svg_size(root)
    viewbox = parse_viewbox(root) or (0.0, 0.0, width, height)
    check_effects(root, width * height, settings)  # before measuring draws them
    template.images = decode_embedded_images(root, settings.max_image_bytes,
                                             settings.max_image_pixels, template.dropped_images,
                                             settings.max_template_image_pixels)
    # Measuring draws the template: its embedded images, its warnings where `notices` say.
    measuring = RenderContext(notices or Notices(), images=template.images)
    boxes, (mw, mh), lines = measure(root, parse_for_cairo, measuring)
    index_layers(template, root, viewbox, boxes, (max(1, round(mw)), max(1, round(mh))), lines)
    return template, prepared


def index_layers(template: Template, root: etree._Element, viewbox, boxes: dict,
           size: tuple[int, int], text_lines: dict | None = None) -> None:
    """Layers (named elements, classified, with boxes), aliases and text boxes."""
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    candidates = named_elements(root)
    template.root, template.viewbox, template.boxes = root, viewbox, boxes
    template.text_lines = text_lines or {}
    template.width, template.height = size
    canvas = find_canvas(root, viewbox)
    template.layers["canvas"] = Layer("canvas", "canvas", canvas,
                                      box=(0.0, 0.0, float(template.width), float(template.height)))
    for layer_id, element in candidates.items():
        kind = "canvas" if element is canvas else classify(element, root, ids)
        box = boxes.get(element, (0.0, 0.0, 0.0, 0.0))
        host = text_host(element) if local_name(element) in SPAN_LAYER_TAGS else None
        if host is not None:  # a span is drawn by its text: its box is the text's
            box = boxes.get(host, box)
        label = element.get(INKSCAPE_LABEL) or element.get("data-name")
        template.layers[layer_id] = Layer(layer_id, kind, element,
                                          label if label != layer_id else None, box)
    template.aliases = layer_aliases(template.layers)
    template.order = list(root.iter())
    annotate_text_boxes(root, template.layers, template.pixels_to_user, boxes, template.text_lines,
                        (float(template.width), float(template.height)))
