"""Decode image bytes once into cairo-ready pixels, and cache them (LRU bounded by bytes).

Every image — `data:` URIs in params or templates, downloads — goes through `decode_image`:
the type is sniffed from the bytes, the pixel count is checked before pixels are decoded, EXIF
orientation is applied and every mode (P, LA, CMYK, 16-bit) becomes 8-bit RGB(A). The renderer
then paints the premultiplied pixels directly (no PNG re-encode inside CairoSVG).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import math
import threading
import urllib.parse
import warnings
from dataclasses import dataclass, field

import cairocffi as cairo
from lxml import etree
from PIL import Image, ImageOps

from svgrender.errors import ImageFetchError
from svgrender.io.colour import to_srgb
from svgrender.lru import ByteBoundedCache
from svgrender.svg.prepare import prepare_root, svg_size
from svgrender.svg.sanitize import DEFAULT_LIMITS
from svgrender.svg.xml import parse_svg

TOKEN_PREFIX = "svgrender-image:"  # href of a decoded image in an applied tree

EXIF_ORIENTATION = 0x0112
REDUCIBLE = 4  # embedded images up to 4× the pixel limit are decoded reduced, not dropped
RASTER_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF", "MPO"}


@dataclass(eq=False)
class DecodedImage:
    key: str  # content hash; the tree refers to it as TOKEN_PREFIX + key
    width: int
    height: int
    mime: str  # of `data`
    # Large buffers stay out of repr(): asyncio and loggers repr objects more often than you'd think.
    data: bytes = field(repr=False)  # original bytes (raster) or sanitised SVG, for vector outputs
    pixels: bytes | None = field(default=None, repr=False)  # premultiplied BGRA/BGRX; None: SVG
    opaque: bool = False
    _surface: cairo.ImageSurface | None = field(default=None, repr=False)
    _reduced: dict = field(default_factory=dict, repr=False)
    # What was worked out from the pixels (kinds/crops.py: faces, attention), kept with them.
    analyses: dict = field(default_factory=dict, repr=False)

    @property
    def token(self) -> str:
        return TOKEN_PREFIX + self.key

    @property
    def is_svg(self) -> bool:
        return self.mime == "image/svg+xml"

    @property
    def nbytes(self) -> int:
        return len(self.data) + (len(self.pixels) if self.pixels else 0)

    def data_uri(self) -> str:
        return f"data:{self.mime};base64," + base64.b64encode(self.data).decode()

    def _make_surface(self, pixels, width: int, height: int) -> cairo.ImageSurface:
        fmt = cairo.FORMAT_RGB24 if self.opaque else cairo.FORMAT_ARGB32
        return cairo.ImageSurface.create_for_data(bytearray(pixels), fmt, width, height,
                                                  width * 4)

    def surface(self) -> cairo.ImageSurface:
        """A cairo surface over the decoded pixels (made once, shared read-only)."""
        if self._surface is None:
            self._surface = self._make_surface(self.pixels, self.width, self.height)
        return self._surface

    def surface_for(self, device_width: float, device_height: float) -> cairo.ImageSurface:
        """The pixels reduced to about the drawn size when drawn much smaller (a 2000 px photo
        in a 480 px box): Pillow's reduction is both sharper and far cheaper than cairo
        filtering the full image on every draw. Reductions are cached per size."""
        if device_width * 2 > self.width or device_height * 2 > self.height:
            return self.surface()
        size = (max(1, round(device_width)), max(1, round(device_height)))
        reduced = self._reduced.get(size)
        if reduced is None:
            # Premultiplied BGRA resampled channel by channel stays correctly premultiplied.
            # Pillow's "RGBa" mode does exactly that; "RGBA" would weight colours by the 4th
            # byte, which is 0 (unused) in opaque BGRX pixels: black thumbnails.
            full = Image.frombuffer("RGBa", (self.width, self.height), self.pixels, "raw",
                                    "RGBa", 0, 1)
            small = full.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            reduced = self._make_surface(small.tobytes(), *size)
            if len(self._reduced) >= 6:
                self._reduced.pop(next(iter(self._reduced)))
            self._reduced[size] = reduced
        return reduced


def _fail(layer: str, message: str, code: str) -> ImageFetchError:
    return ImageFetchError(f"layer {layer!r}: {message}", layer=layer, field="imageUrl", code=code)


def _to_8bit(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        return image.point(lambda v: v * (1 / 257)).convert("L")  # 16-bit grey, scaled not clipped
    if image.mode == "F":
        return image.convert("L")
    return image


def decode_image(data: bytes, layer: str, *, max_pixels: int, source: str = "",
                 reserve=None, pixels: bool = True, reduce: bool = False) -> DecodedImage:
    """`reserve(pixels)`, if given, is called with the image's size before its pixels are
    decoded (a request's total budget), and raises to stop it. With `pixels=False` only the
    header is read (size, format, limits): the API process of a server whose worker processes
    do the decoding never holds an image's pixels. With `reduce` (images a template embeds),
    an image over `max_pixels` (up to REDUCIBLE times over) is decoded reduced to fit."""
    try:
        return _decode(data, layer, max_pixels, reserve, pixels, reduce)
    except ImageFetchError as exc:
        if source:
            exc.message = f"{exc.message} (from {source[:200]!r})"
            exc.args = (exc.message,)
        raise


def _decode(data: bytes, layer: str, max_pixels: int, reserve=None,
            want_pixels: bool = True, reduce: bool = False) -> DecodedImage:
    key = hashlib.sha256(data).hexdigest()[:32]
    head = data[:1024].lstrip()
    if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
        # Without pixels (the API process of a server with workers): only its size, from a
        # hardened parse; sanitising and drawing happen in the worker.
        image = _decode_svg(data, key, layer) if want_pixels else _svg_size_only(data, key, layer)
        if reserve:
            reserve(image.width * image.height)
        return image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
            if image.format not in RASTER_FORMATS:
                raise _fail(layer, f"{image.format} images are not accepted", "invalid_image")
            fmt = image.format
            width, height = image.size
            factor = 1
            if width * height > max_pixels:
                if not reduce or width * height > REDUCIBLE * max_pixels:
                    raise _fail(layer, f"image is {width}×{height} = {width * height:,} pixels; "
                                f"the limit is {max_pixels:,}", "image_too_large")
                # An embedded image larger than anything the template can draw: decoded
                # reduced to the limit (JPEG decodes at the smaller size directly).
                factor = math.ceil((width * height / max_pixels) ** 0.5)
                width, height = -(-width // factor), -(-height // factor)
            if reserve:
                reserve(width * height)
            if not want_pixels:
                if image.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8):
                    width, height = height, width  # drawn rotated a quarter turn
                return DecodedImage(key, width, height, Image.MIME.get(fmt, "image/png"), data)
            image.seek(0)  # animated GIF/WebP: the first frame
            if factor > 1 and fmt == "JPEG":
                image.draft(image.mode, (width, height))
            image.load()
            info = dict(image.info)  # the colour profile / gamma, before any copy drops it
            if factor > 1 and image.width * image.height > max_pixels:
                if image.mode in ("1", "P"):
                    image = image.convert("RGBA" if "transparency" in image.info else "RGB")
                image = image.reduce(math.ceil((image.width * image.height / max_pixels) ** 0.5))
            image = to_srgb(_to_8bit(ImageOps.exif_transpose(image)), info)
            has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa") or (
                image.mode == "P" and "transparency" in image.info)
            if has_alpha:
                pixels = image.convert("RGBA").tobytes("raw", "BGRa")
            else:
                pixels = image.convert("RGB").tobytes("raw", "BGRX")
    except ImageFetchError:
        raise
    except Image.DecompressionBombError:  # Pillow's own (process-wide) bomb check, left as is
        raise _fail(layer, f"image is larger than the limit of {max_pixels:,} pixels",
                    "image_too_large") from None
    except Image.UnidentifiedImageError:
        kind = "HTML" if b"<html" in head.lower() else "no known image format"
        raise _fail(layer, f"not an image: the bytes are {kind}", "invalid_image") from None
    except Exception as exc:  # Pillow raises many types for broken or hostile input
        raise _fail(layer, f"not a decodable image ({type(exc).__name__}: {exc})"[:300],
                    "invalid_image") from None
    mime = Image.MIME.get(fmt or "", "application/octet-stream")
    return DecodedImage(key, image.width, image.height, mime, data, pixels, not has_alpha)


def _svg_size_only(data: bytes, key: str, layer: str) -> DecodedImage:
    try:
        width, height = svg_size(parse_svg(data))
    except Exception as exc:
        raise _fail(layer, f"not a usable SVG image ({exc})"[:300], "invalid_image") from None
    return DecodedImage(key, max(1, round(width)), max(1, round(height)), "image/svg+xml", data)


def _decode_svg(data: bytes, key: str, layer: str) -> DecodedImage:
    try:
        root = parse_svg(data)  # an SVG image goes through the template sanitiser
        prepare_root(root, DEFAULT_LIMITS)
        width, height = svg_size(root)
        if root.get("viewBox") is None:  # without one CairoSVG draws it unscaled, not fitted
            root.set("viewBox", f"0 0 {width:g} {height:g}")
    except Exception as exc:
        raise _fail(layer, f"not a usable SVG image ({exc})"[:300], "invalid_image") from None
    return DecodedImage(key, max(1, round(width)), max(1, round(height)), "image/svg+xml",
                        etree.tostring(root))


def data_uri_bytes(url: str, layer: str, max_bytes: int) -> bytes:
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise _fail(layer, "malformed data: URI (no comma)", "invalid_image_url")
    if len(payload) > max_bytes * 4 // 3 + 8:
        raise _fail(layer, f"image is over the limit of {max_bytes:,} bytes", "image_too_large")
    try:
        data = (base64.b64decode(payload) if header.endswith(";base64")
                else urllib.parse.unquote_to_bytes(payload))
    except (binascii.Error, ValueError):
        raise _fail(layer, "data: URI is not valid base64", "invalid_image_url") from None
    if len(data) > max_bytes:
        raise _fail(layer, f"image is {len(data):,} bytes; the limit is {max_bytes:,}",
                    "image_too_large")
    return data


class ImageCache(ByteBoundedCache):
    """Decoded images by key (their content hash), bounded by total bytes."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024):
        super().__init__(max_bytes)


def decode_cached(data: bytes, layer: str, cache: ImageCache, *, max_pixels: int,
                  source: str = "", reserve=None, pixels: bool = True) -> DecodedImage:
    key = hashlib.sha256(data).hexdigest()[:32]
    cached = cache.get(key)
    if cached is None:
        cached = decode_image(data, layer, max_pixels=max_pixels, source=source, reserve=reserve,
                              pixels=pixels)
        cache.put(key, cached, cached.nbytes)
    elif reserve:
        reserve(cached.width * cached.height)
    return cached


class PixelBudget:
    """Decoded pixels one request may use, over all its images (thread-safe)."""

    def __init__(self, total: int):
        self.left = total
        self.total = total
        self._lock = threading.Lock()

    def for_layer(self, layer: str):
        def reserve(pixels: int) -> None:
            with self._lock:
                if pixels > self.left:
                    raise _fail(layer, f"the request's images add up to more than "
                                f"{self.total:,} decoded pixels (SVGRENDER_MAX_REQUEST_IMAGE_"
                                "PIXELS)", "images_too_large")
                self.left -= pixels
        return reserve
