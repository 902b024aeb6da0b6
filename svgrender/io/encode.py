"""Cairo surface pixels -> Pillow -> bytes, without a PNG round trip."""

from __future__ import annotations

import io

import cairocffi as cairo
from PIL import Image, ImageFile

from svgrender.io import jpeg_rows
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
    return _jpeg_rows(surface, settings.jpeg_quality, 0, surface.get_height())


def encode_jpeg_changed(surface: cairo.ImageSurface, settings: Settings, kept: jpeg_rows.Rows,
                        box) -> bytes:
    """encode_jpeg(surface), byte for byte, when `surface` differs from the picture `kept` was
    encoded from only inside `box` (x0, y0, x1, y1; None: nowhere): only the MCU rows meeting
    the box are encoded (io/jpeg_rows.py)."""
    if box is None:
        return kept.joined()
    top, bottom = jpeg_changed_rows(box, surface.get_height())
    strip = _jpeg_rows(surface, settings.jpeg_quality, top, bottom)
    return jpeg_rows.spliced(kept, top // jpeg_rows.MCU_HEIGHT, jpeg_rows.cut(strip))


def jpeg_changed_rows(box, height: int) -> tuple[int, int] | None:
    """The pixel rows encode_jpeg_changed reads for `box`: its MCU rows (None: no box)."""
    if box is None:
        return None
    first, end = jpeg_rows.row_span(box, height)
    return first * jpeg_rows.MCU_HEIGHT, min(end * jpeg_rows.MCU_HEIGHT, height)


def jpeg_rows_of(surface: cairo.ImageSurface, settings: Settings) -> jpeg_rows.Rows:
    """A kept picture's JPEG, cut at its MCU rows for encode_jpeg_changed."""
    return jpeg_rows.cut(encode_jpeg(surface, settings))


def _jpeg_rows(surface: cairo.ImageSurface, quality: int, top: int, bottom: int) -> bytes:
    """The JPEG of the surface's pixel rows top..bottom (all of them: the file itself)."""
    if _jpeg_from_cairo_works():
        return _jpeg_from_cairo(surface, quality, top, bottom)
    return _jpeg_through_pillow(surface, quality, top, bottom)


def _jpeg_through_pillow(surface: cairo.ImageSurface, quality: int, top: int = 0,
                         bottom: int | None = None) -> bytes:
    """Pillow's public way: cairo's BGRX unpacked into a new RGB image, then encoded."""
    out = io.BytesIO()
    image = surface_to_image(surface, opaque=True)
    if top or bottom not in (None, surface.get_height()):
        image = image.crop((0, top, surface.get_width(), bottom))
    # 4:2:0 subsampling: the usual web trade (smaller files; fine detail in red text softens).
    # A restart marker after each MCU row (a few bytes a row) lets an answer re-encode only
    # the rows that changed (jpeg_rows.py).
    image.save(out, "JPEG", quality=quality, subsampling=2, optimize=False,
               restart_marker_rows=jpeg_rows.RESTART_ROWS)
    return out.getvalue()


def _jpeg_from_cairo(surface: cairo.ImageSurface, quality: int, top: int = 0,
                     bottom: int | None = None) -> bytes:
    """The same JPEG with no copy of the pixels: cairo's buffer is mapped as it is (an "RGBX"
    image whose R and B are swapped: memory order is B, G, R, X) and the JPEG encoder packs
    each row as "BGR", which puts the channels right as it reads them. The encoder settings
    are those JpegImagePlugin._save passes for quality, 4:2:0, restart rows and nothing else
    (a private Pillow interface, so _jpeg_from_cairo_works() checks it against the public one)."""
    bottom = surface.get_height() if bottom is None else bottom
    size, stride = (surface.get_width(), bottom - top), surface.get_stride()
    image = Image.frombuffer("RGBX", size, memoryview(surface.get_data())[top * stride:
                                                                           bottom * stride],
                             "raw", "RGBX", stride, 1)
    image.encoderconfig = (quality, False, 0, False, False, 0, [0, 0], 2, 0,
                           jpeg_rows.RESTART_ROWS, None, None, b"", b"")
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
