"""Cairo surface pixels -> Pillow -> bytes, without a PNG round trip."""

from __future__ import annotations

import io

import cairocffi as cairo
from PIL import Image, ImageFile

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
    if _jpeg_from_cairo_works():
        return _jpeg_from_cairo(surface, settings.jpeg_quality)
    return _jpeg_through_pillow(surface, settings.jpeg_quality)


def _jpeg_through_pillow(surface: cairo.ImageSurface, quality: int) -> bytes:
    """Pillow's public way: cairo's BGRX unpacked into a new RGB image, then encoded."""
    out = io.BytesIO()
    # 4:2:0 subsampling: the usual web trade (smaller files; fine detail in red text softens).
    surface_to_image(surface, opaque=True).save(out, "JPEG", quality=quality, subsampling=2,
                                                optimize=False)
    return out.getvalue()


def _jpeg_from_cairo(surface: cairo.ImageSurface, quality: int) -> bytes:
    """The same JPEG with no copy of the pixels: cairo's buffer is mapped as it is (an "RGBX"
    image whose R and B are swapped: memory order is B, G, R, X) and the JPEG encoder packs
    each row as "BGR", which puts the channels right as it reads them. The encoder settings
    are those JpegImagePlugin._save passes for quality, 4:2:0 and nothing else (a private
    Pillow interface, so _jpeg_from_cairo_works() checks it against the public one)."""
    size = (surface.get_width(), surface.get_height())
    image = Image.frombuffer("RGBX", size, surface.get_data(), "raw", "RGBX",
                             surface.get_stride(), 1)
    image.encoderconfig = (quality, False, 0, False, False, 0, [0, 0], 2, 0, 0, None, None,
                           b"", b"")
    out = io.BytesIO()
    ImageFile._save(image, out, [ImageFile._Tile("jpeg", (0, 0, *size), 0, "BGR")])
    return out.getvalue()


_checked: list[bool] = []


def _jpeg_from_cairo_works() -> bool:
    """Once per process: does the mapped encode give Pillow's public bytes on a probe with
    every channel distinct (and an odd size)? If not (another Pillow), the public way."""
    if not _checked:
        probe = cairo.ImageSurface(cairo.FORMAT_RGB24, 19, 11)
        context = cairo.Context(probe)
        gradient = cairo.LinearGradient(0, 0, 19, 11)
        gradient.add_color_stop_rgb(0, 0.9, 0.4, 0.1)
        gradient.add_color_stop_rgb(1, 0.1, 0.5, 0.8)
        context.set_source(gradient)
        context.paint()
        probe.flush()
        try:
            same = _jpeg_from_cairo(probe, 85) == _jpeg_through_pillow(probe, 85)
        except Exception:  # noqa: BLE001 - any failure of the private interface: public way
            same = False
        _checked.append(same)
    return _checked[0]


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
