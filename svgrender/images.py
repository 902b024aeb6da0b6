"""Image sources for image layers: decode and vet `data:` URIs (http(s) fetching comes later)."""

from __future__ import annotations

import base64
import binascii
import io
import urllib.parse
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from .errors import ImageFetchError
from .svgxml import parse_svg

Image.MAX_IMAGE_PIXELS = None  # we enforce our own limit (settings) before decoding pixels


@dataclass(frozen=True)
class DecodedImage:
    data_uri: str  # what the renderer is given: PNG/JPEG bytes or a sanitised SVG
    width: int
    height: int


def _payload(url: str, layer: str) -> tuple[str, bytes]:
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise ImageFetchError(f"layer {layer!r}: malformed data: URI (no comma)", layer=layer,
                              field="imageUrl", code="invalid_image_url")
    mime = header.split(";", 1)[0].strip().lower()
    try:
        if header.endswith(";base64"):
            return mime, base64.b64decode(payload, validate=False)
        return mime, urllib.parse.unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise ImageFetchError(f"layer {layer!r}: data: URI is not valid base64", layer=layer,
                              field="imageUrl", code="invalid_image_url") from None


def decode_image_bytes(data: bytes, layer: str, *, max_pixels: int) -> DecodedImage:
    """Sniff the real type from the bytes, enforce the pixel limit, return renderer-ready data."""
    head = data[:512].lstrip()
    if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
        from .templates import svg_size  # local import: templates imports this module
        root = parse_svg(data)
        width, height = svg_size(root)
        from lxml import etree
        clean = etree.tostring(root)
        return DecodedImage("data:image/svg+xml;base64," + base64.b64encode(clean).decode(),
                            max(1, round(width)), max(1, round(height)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageFetchError(
                    f"layer {layer!r}: image is {width}×{height} = {width * height:,} pixels; "
                    f"the limit is {max_pixels:,}", layer=layer, field="imageUrl",
                    code="image_too_large")
            image.load()
    except ImageFetchError:
        raise
    except Exception as exc:  # Pillow raises many types for broken input
        raise ImageFetchError(f"layer {layer!r}: not a decodable image ({exc})", layer=layer,
                              field="imageUrl", code="invalid_image") from None
    fmt = image.format
    oriented = ImageOps.exif_transpose(image)
    if fmt in ("PNG", "JPEG") and oriented is image and image.mode in ("RGB", "RGBA", "L", "LA"):
        mime = "image/png" if fmt == "PNG" else "image/jpeg"
        return DecodedImage(f"data:{mime};base64," + base64.b64encode(data).decode(), width, height)
    # Everything else (WebP, GIF's first frame, CMYK, 16-bit, rotated…) becomes plain RGBA PNG.
    converted = oriented.convert("RGBA")
    out = io.BytesIO()
    converted.save(out, "PNG", compress_level=1)
    return DecodedImage("data:image/png;base64," + base64.b64encode(out.getvalue()).decode(),
                        converted.width, converted.height)


def load_image_url(url: str, layer: str, *, max_bytes: int, max_pixels: int) -> DecodedImage:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        mime, data = _payload(url, layer)
        if len(data) > max_bytes:
            raise ImageFetchError(f"layer {layer!r}: image is {len(data):,} bytes; the limit is "
                                  f"{max_bytes:,}", layer=layer, field="imageUrl",
                                  code="image_too_large")
        return decode_image_bytes(data, layer, max_pixels=max_pixels)
    if scheme in ("http", "https"):
        raise ImageFetchError(
            f"layer {layer!r}: fetching http(s) image URLs is not enabled in this version; "
            "send the image as a data: URI", layer=layer, field="imageUrl",
            code="image_fetch_unsupported")
    raise ImageFetchError(f"layer {layer!r}: only data: (and later http/https) image URLs are "
                          f"allowed, got {url[:80]!r}", layer=layer, field="imageUrl",
                          code="invalid_image_url")
