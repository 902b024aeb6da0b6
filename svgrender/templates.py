"""TemplateStore: SVG files parsed once (hardened), layers indexed and classified, reloaded on change.

A broken or hostile file never stops the store: it is kept as an invalid template with its reason.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .css_filters import rewrite as rewrite_css_filters
from .errors import InvalidParam, InvalidTemplate, SvgRenderError, TemplateNotFound
from .images import DecodedImage, data_uri_bytes, decode_image
from .layers import Layer, classify, find_canvas, is_rendered, measure
from .render import parse_for_cairo, using_images
from .sanitize import inflate, sanitize
from .svgxml import INKSCAPE_LABEL, href, local_name, parse_style, parse_svg, set_href
from .textboxes import annotate as annotate_text_boxes
from .units import parse_length

log = logging.getLogger("svgrender.templates")

MAX_TEMPLATE_ID = 128


def svg_size(root: etree._Element) -> tuple[float, float]:
    """The template's 1x size in px: width/height attributes, else the viewBox."""
    viewbox = parse_viewbox(root)
    sizes = []
    for attr, index in (("width", 2), ("height", 3)):
        value = root.get(attr)
        try:
            sizes.append(parse_length(value) if value and not value.endswith("%") else None)
        except ValueError:
            sizes.append(None)
    width, height = sizes
    if viewbox:
        if width is None and height is None:
            width, height = viewbox[2], viewbox[3]
        elif width is None:
            width = height * viewbox[2] / viewbox[3]
        elif height is None:
            height = width * viewbox[3] / viewbox[2]
    if not width or not height or width <= 0 or height <= 0:
        raise InvalidTemplate("the SVG has no usable width/height or viewBox")
    return width, height


def parse_viewbox(root: etree._Element) -> tuple[float, float, float, float] | None:
    try:
        parts = [float(p) for p in (root.get("viewBox") or "").replace(",", " ").split()]
    except ValueError:
        return None
    return tuple(parts) if len(parts) == 4 and parts[2] > 0 and parts[3] > 0 else None


def prepare_root(root: etree._Element) -> list[str]:
    """Sanitise (sanitize.py), then fix what exports carry that the renderer mishandles.
    Returns what the sanitiser removed."""
    removed = sanitize(root).removed
    rewrite_css_filters(root)
    style = parse_style(root.get("style"))
    # A root style="width:100%;height:auto" (SVGs saved from web pages) makes CairoSVG draw nothing.
    if "width" in style or "height" in style:
        style.pop("width", None)
        style.pop("height", None)
        root.set("style", ";".join(f"{k}:{v}" for k, v in style.items()))
    return removed


@dataclass
class Template:
    id: str
    path: Path
    stamp: tuple[int, int]
    root: etree._Element | None = None
    error: str | None = None
    width: int = 0
    height: int = 0
    viewbox: tuple[float, float, float, float] = (0, 0, 0, 0)
    layers: dict[str, Layer] = field(default_factory=dict)
    images: dict[str, DecodedImage] = field(default_factory=dict)  # embedded, decoded once
    removed: list[str] = field(default_factory=list)  # what the sanitiser dropped
    order: list[etree._Element] = field(default_factory=list)  # root.iter() order, for copies

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

    def layer(self, name: str) -> Layer:
        return self.layers[name]

    def listed_layers(self) -> list[Layer]:
        """Layers to show clients: `canvas` first, no duplicates of the canvas element."""
        canvas = self.layers["canvas"]
        return [canvas] + [l for n, l in self.layers.items()
                           if n != "canvas" and l.element is not canvas.element]


def decode_embedded_images(root: etree._Element, max_bytes: int = 15 * 1024 * 1024,
                           max_pixels: int = 40_000_000) -> dict[str, DecodedImage]:
    """Decode each <image>'s data: URI once and point the element at the decoded pixels.

    Any other href (file:, relative, http) is dropped here: templates draw only what they carry.
    """
    images: dict[str, DecodedImage] = {}
    for element in root.iter():
        if local_name(element) != "image":
            continue
        link = href(element) or ""
        name = element.get("id") or "image"
        try:
            if not link.lower().startswith("data:"):
                raise ValueError("not a data: URI")
            decoded = decode_image(data_uri_bytes(link, name, max_bytes), name,
                                   max_pixels=max_pixels)
        except (SvgRenderError, ValueError) as exc:
            log.warning("template image %s dropped: %s", name, getattr(exc, "message", exc))
            set_href(element, "")
            continue
        images[decoded.key] = decoded
        set_href(element, decoded.token)
    return images


def load_template(template_id: str, path: Path, stamp: tuple[int, int], data: bytes) -> Template:
    template = Template(template_id, path, stamp)
    root = parse_svg(inflate(data))
    template.removed = prepare_root(root)
    width, height = svg_size(root)
    viewbox = parse_viewbox(root) or (0.0, 0.0, width, height)
    template.images = decode_embedded_images(root)
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    candidates = {i: el for i, el in ids.items() if el is not root and is_rendered(el)}
    with using_images(template.images):
        boxes, (mw, mh) = measure(root, parse_for_cairo)
    template.root, template.viewbox = root, viewbox
    template.width, template.height = max(1, round(mw)), max(1, round(mh))
    canvas = find_canvas(root, viewbox)
    template.layers["canvas"] = Layer("canvas", "canvas", canvas,
                                      box=(0.0, 0.0, float(template.width), float(template.height)))
    for layer_id, element in candidates.items():
        kind = "canvas" if element is canvas else classify(element, root, ids)
        box = boxes.get(element, (0.0, 0.0, 0.0, 0.0))
        template.layers[layer_id] = Layer(layer_id, kind, element, element.get(INKSCAPE_LABEL), box)
    template.order = list(root.iter())
    annotate_text_boxes(root, template.layers, template.pixels_to_user)
    return template


class TemplateStore:
    """Templates in one directory, by file name without `.svg`; reparsed when a file changes."""

    def __init__(self, directory: Path, max_bytes: int = 5 * 1024 * 1024):
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._cache: dict[str, Template] = {}
        self._lock = threading.Lock()

    def _path(self, template_id: str) -> Path:
        if (not template_id or len(template_id) > MAX_TEMPLATE_ID or template_id.startswith(".")
                or any(c in template_id for c in "/\\\0")):
            raise TemplateNotFound(f"Template {template_id[:MAX_TEMPLATE_ID]!r} not found")
        return self.directory / f"{template_id}.svg"

    def check_id(self, template_id: str) -> Path:
        path = self._path(template_id)
        if not all(c.isalnum() or c in "-_." for c in template_id):
            raise InvalidParam("template ids use letters, digits, '-', '_' and '.'",
                               field="templateId", code="invalid_template_id")
        return path

    def save(self, template_id: str, data: bytes, name: str | None = None):
        """Sanitise and store an uploaded template; refuse it (422) if it cannot be used."""
        path = self.check_id(template_id)
        root = parse_svg(inflate(data))
        removed = prepare_root(root)
        if name and not any(local_name(c) == "title" for c in root):
            title = etree.Element("{http://www.w3.org/2000/svg}title")
            title.text = name[:200]
            root.insert(0, title)
        clean = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        template = load_template(template_id, path, (0, len(clean)), clean)  # fails loudly
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(clean)
        os.replace(tmp, path)
        template.removed = removed
        st = path.stat()
        template.stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            self._cache[template_id] = template
        return template, clean

    def delete(self, template_id: str) -> None:
        path = self._path(template_id)
        try:
            path.unlink()
        except FileNotFoundError:
            raise TemplateNotFound(f"Template {template_id!r} not found") from None
        with self._lock:
            self._cache.pop(template_id, None)

    def ids(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.svg") if p.is_file())

    def get(self, template_id: str) -> Template:
        """The current parse of a template (invalid ones included: check `.error`)."""
        path = self._path(template_id)
        try:
            st = path.stat()
        except OSError:
            raise TemplateNotFound(f"Template {template_id!r} not found") from None
        stamp = (st.st_mtime_ns, st.st_size)
        cached = self._cache.get(template_id)
        if cached is not None and cached.stamp == stamp:
            return cached
        with self._lock:
            cached = self._cache.get(template_id)
            if cached is None or cached.stamp != stamp:
                cached = self._load(template_id, path, stamp)
                self._cache[template_id] = cached
        return cached

    def _load(self, template_id: str, path: Path, stamp: tuple[int, int]) -> Template:
        try:
            if stamp[1] > self.max_bytes:
                raise InvalidTemplate(f"file is {stamp[1]:,} bytes; the limit is {self.max_bytes:,}")
            return load_template(template_id, path, stamp, path.read_bytes())
        except SvgRenderError as exc:
            reason = exc.message
        except Exception as exc:  # a hostile file must not take the service down
            reason = f"{type(exc).__name__}: {exc}"
        log.warning("template %s is invalid: %s", template_id, reason)
        return Template(template_id, path, stamp, error=reason)

    def valid(self, template_id: str) -> Template:
        template = self.get(template_id)
        if template.error:
            raise InvalidTemplate(f"Template {template_id!r} cannot be rendered: {template.error}")
        return template

    def all(self) -> list[Template]:
        out = []
        for template_id in self.ids():
            try:
                out.append(self.get(template_id))
            except TemplateNotFound:  # removed between listing and reading
                pass
        return out
