"""Cairo surface pixels -> Pillow -> bytes, without a PNG round trip."""

from __future__ import annotations

import io

import cairocffi as cairo
from PIL import Image

from .settings import Settings

CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
                 "pdf": "application/pdf", "svg": "image/svg+xml"}


def surface_to_image(surface: cairo.ImageSurface, opaque: bool) -> Image.Image:
    """ARGB32 (premultiplied, native-endian BGRA in memory) to an RGB or RGBA Pillow image."""
    size = (surface.get_width(), surface.get_height())
    stride = surface.get_stride()
    data = surface.get_data()
    if opaque:  # drawn over an opaque background: alpha is 255 everywhere
        return Image.frombuffer("RGB", size, data, "raw", "BGRX", stride, 1)
    return Image.frombuffer("RGBA", size, data, "raw", "BGRa", stride, 1)


def encode_raster(surface: cairo.ImageSurface, fmt: str, settings: Settings) -> bytes:
    out = io.BytesIO()
    if fmt == "jpeg":
        image = surface_to_image(surface, opaque=True)
        # 4:2:0 subsampling: the usual web trade (smaller files; fine detail in red text softens).
        image.save(out, "JPEG", quality=settings.jpeg_quality, subsampling=2, optimize=False)
    elif fmt == "webp":
        surface_to_image(surface, opaque=False).save(out, "WEBP", quality=settings.webp_quality,
                                                     method=4)
    elif fmt == "png":
        surface_to_image(surface, opaque=False).save(out, "PNG",
                                                     compress_level=settings.png_compress_level)
    else:
        raise ValueError(f"not a raster format: {fmt}")
    return out.getvalue()
