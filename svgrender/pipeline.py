"""The whole flow of one render, in order. Each step is one module with one job."""

from __future__ import annotations

import hashlib
import secrets

import msgspec
from dataclasses import dataclass, field

from lxml import etree

from .apply import apply_params
from .budgets import check_tree
from .encode import CONTENT_TYPES, encode_raster
from .errors import RenderLimitExceeded
from .fetch import ImageFetcher
from .images import TOKEN_PREFIX, DecodedImage
from .params import RenderRequest
from .render import (Size, collecting_warnings, draw_pdf, draw_raster, parse_for_cairo,
                     sharing_filter_results, using_images)
from .settings import Settings
from .storage import Storage
from .svgxml import href, local_name, set_href
from .templates import Template

VARIANTS = ("", "-thumb", "-thumb-2x")  # main image, thumbnail, retina thumbnail


@dataclass
class OutputFile:
    name: str
    data: bytes
    content_type: str


@dataclass
class Rendered:
    files: list[OutputFile]  # main, thumb, retina thumb
    width: int
    height: int
    warnings: list[str] = field(default_factory=list)  # e.g. unsupported filter primitives


def output_sizes(template: Template, scale: float, settings: Settings) -> tuple[Size, Size, Size]:
    main = Size(round(template.width * scale), round(template.height * scale))
    if main.width * main.height > settings.max_output_pixels:
        raise RenderLimitExceeded(
            f"output would be {main.width}×{main.height} = {main.width * main.height:,} pixels; "
            f"the limit is {settings.max_output_pixels:,} (SVGRENDER_MAX_OUTPUT_PIXELS)",
            field="scale", code="output_too_large")
    thumb_w = settings.thumb_width
    thumb = Size(thumb_w, max(1, round(thumb_w * template.height / template.width)))
    return main, thumb, Size(thumb.width * 2, thumb.height * 2)


async def load_images(request: RenderRequest, fetcher: ImageFetcher,
                      settings: Settings) -> dict[str, DecodedImage]:
    """images: every imageUrl of the request, fetched concurrently and decoded (cached)."""
    return await fetcher.load_request(request.params, settings)


def standalone_svg(tree: etree._Element, images: dict[str, DecodedImage]) -> bytes:
    """The applied tree as a self-contained SVG: decoded-image tokens back to data: URIs."""
    for element in tree.iter():
        if local_name(element) == "image":
            link = href(element) or ""
            if link.startswith(TOKEN_PREFIX) and link[len(TOKEN_PREFIX):] in images:
                set_href(element, images[link[len(TOKEN_PREFIX):]].data_uri())
    return etree.tostring(tree)


def render(template: Template, request: RenderRequest, settings: Settings, image_id: str,
           images: dict[str, DecodedImage] | None = None) -> Rendered:
    """apply -> render (one CairoSVG parse, three sizes) -> encode.

    `images` are the request's decoded imageUrls by layer name (from load_images).
    """
    images = images or {}
    sizes = output_sizes(template, request.scale, settings)
    tree = apply_params(template, request.params, settings, images)
    check_tree(tree, settings)
    by_key = {**template.images, **{image.key: image for image in images.values()}}
    cairo_tree = parse_for_cairo(etree.tostring(tree))
    fmt = request.format
    warnings: list[str] = []
    with using_images(by_key), collecting_warnings(warnings), sharing_filter_results():
        # The image first, at full quality; then the thumbnails, larger first, which may sample
        # filtered layers down from a larger size drawn before (never up).
        order = [0] + sorted((1, 2), key=lambda i: -sizes[i].width)
        drawn: dict[int, OutputFile] = {}
        for index in order:
            variant, size = VARIANTS[index], sizes[index]
            if fmt in ("pdf", "svg") and variant == "":
                data = draw_pdf(cairo_tree, size) if fmt == "pdf" else standalone_svg(tree, by_key)
                drawn[index] = OutputFile(f"{image_id}.{fmt}", data, CONTENT_TYPES[fmt])
                continue
            raster = "png" if fmt in ("pdf", "svg") else fmt
            surface = draw_raster(cairo_tree, size,
                                  background="#ffffff" if raster == "jpeg" else None)
            drawn[index] = OutputFile(f"{image_id}{variant}.{raster}",
                                      encode_raster(surface, raster, settings),
                                      CONTENT_TYPES[raster])
    files = [drawn[i] for i in range(3)]
    return Rendered(files, sizes[0].width, sizes[0].height, warnings)


def new_image_id(storage: Storage) -> str:
    image_id = secrets.token_hex(5)
    while storage.get_record(image_id) is not None:
        image_id = secrets.token_hex(5)
    return image_id


def result_key(template: Template, request: RenderRequest,
               images: dict[str, DecodedImage]) -> str:
    """Same template version + params + format + scale + image contents = same files."""
    material = msgspec.json.encode({
        "template": [template.id, template.stamp[0], template.stamp[1]],
        "params": request.params, "format": request.format, "scale": request.scale,
        "images": {layer: image.key for layer, image in sorted(images.items())}})
    return hashlib.sha256(material).hexdigest()


def _answer(image_id: str, template: Template, request: RenderRequest, names: list[str],
            width: int, height: int, base_url: str) -> dict:
    base = base_url.rstrip("/")
    main, thumb, retina = names
    return {"id": image_id, "templateId": template.id,
            "imageUrl": f"{base}/files/{main}", "thumbnailUrl": f"{base}/files/{thumb}",
            "retinaThumbnailUrl": f"{base}/files/{retina}", "fileName": main,
            "metadata": request.metadata, "width": width, "height": height}


def from_cache(key: str, storage: Storage, template: Template, request: RenderRequest,
               image_id: str, base_url: str) -> tuple[dict, list[str]] | None:
    """A previous render's files, linked under the new id: no drawing at all."""
    previous_id = storage.get_alias(key)
    record = storage.get_record(previous_id) if previous_id else None
    if record is None:
        return None
    names = [name.replace(previous_id, image_id, 1) for name in record["files"]]
    try:
        for old, new in zip(record["files"], names):
            storage.link(old, new)
    except OSError:  # files deleted since: render again
        return None
    old = record["answer"]
    answer = _answer(image_id, template, request, names, old["width"], old["height"], base_url)
    storage.put_record(image_id, {"answer": answer, "files": names,
                                  "warnings": record.get("warnings", [])})
    return answer, record.get("warnings", [])


def store(rendered: Rendered, storage: Storage, template: Template, request: RenderRequest,
          image_id: str, base_url: str, key: str | None = None) -> dict:
    """Store the three files and the answer record; remember them under the result key."""
    for output in rendered.files:
        storage.put(output.name, output.data)
    names = [f.name for f in rendered.files]
    answer = _answer(image_id, template, request, names, rendered.width, rendered.height,
                     base_url)
    storage.put_record(image_id, {"answer": answer, "files": names,
                                  "warnings": rendered.warnings})
    if key:
        storage.put_alias(key, image_id)
    return answer
