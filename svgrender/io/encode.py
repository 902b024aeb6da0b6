"""Cairo surface pixels -> Pillow -> bytes, without a PNG round trip."""

from __future__ import annotations

import io

import cairocffi as cairo
from PIL import Image

from svgrender.settings import Settings

def surface_to_image(surface: cairo.ImageSurface, opaque: bool) -> Image.Image:
    """ARGB32 (premultiplied, native-endian BGRA in memory) to an RGB or RGBA Pillow image."""
    size = (surface.get_width(), surface.get_height())
    stride = surface.get_stride()
    data = surface.get_data()
    if opaque:  # drawn over an opaque background: alpha is 255 everywhere
        return Image.frombuffer("RGB", size, data, "raw", "BGRX", stride, 1)
    return Image.frombuffer("RGBA", size, data, "raw", "BGRa", stride, 1)


def encode_jpeg(surface: cairo.ImageSurface, settings: Settings) -> bytes:
    out = io.BytesIO()
    # 4:2:0 subsampling: the usual web trade (smaller files; fine detail in red text softens).
    surface_to_image(surface, opaque=True).save(out, "JPEG", quality=settings.jpeg_quality,
                                                subsampling=2, optimize=False)
    return out.getvalue()


def encode_png(surface: cairo.ImageSurface, settings: Settings) -> bytes:
    out = io.BytesIO()
    surface_to_image(surface, opaque=False).save(out, "PNG",
                                                 compress_level=settings.png_compress_level)
    return out.getvalue()


def encode_avif(surface: cairo.ImageSurface, settings: Settings) -> bytes:
    out = io.BytesIO()
    surface_to_image(surface, opaque=False).save(out, "AVIF", quality=settings.avif_quality,
                                                 speed=settings.avif_speed)
    return out.getvalue()


def encode_webp(surface: cairo.ImageSurface, settings: Settings) -> bytes:
    out = io.BytesIO()
    surface_to_image(surface, opaque=False).save(out, "WEBP", quality=settings.webp_quality,
                                                 method=4)
    return out.getvalue()
