"""Output formats, one entry each: the single place a new format is added.

Params validation (names and aliases), drawing (raster encoder or vector writer), storage file
names, `/files/` media types and the OpenAPI enum all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable



def _lazy(module: str, name: str) -> Callable:
    """The encoder or writer `module.name`, imported when first used: naming formats (params,
    the CLI's --help) needs no cairo, Pillow or drawing code."""
    def call(*args, **kwargs):
        import importlib
        return getattr(importlib.import_module(module), name)(*args, **kwargs)
    call.__name__ = name
    return call


write_pdf = _lazy("svgrender.draw.surfaces", "write_pdf")
write_svg = _lazy("svgrender.draw.svg_output", "write_svg")


class _Lazily:
    """`module.name` attributes as lazy callables (`encode.encode_png`, `animate.animate_gif`)."""

    def __init__(self, module: str):
        self.module = module

    def __getattr__(self, name: str) -> Callable:
        return _lazy(self.module, name)


encode = _Lazily("svgrender.io.encode")
animate = _Lazily("svgrender.io.animate")


def video_available() -> bool:
    """PyAV (the `av` extra) installed: MP4 is offered (found without importing it)."""
    import importlib.util
    return importlib.util.find_spec("av") is not None


@dataclass(frozen=True)
class Format:
    name: str  # also the file extension
    media_type: str
    aliases: tuple[str, ...] = ()
    # Raster formats: cairo ARGB32 surface -> bytes. `opaque` ones are drawn over white.
    encode: Callable | None = None
    opaque: bool = False
    # Raster formats that can re-encode only what changed from a kept picture: `encoded_kept`
    # (surface, settings) -> a kept form of its file (with nbytes(), counted in the cache);
    # `encode_changed` (surface, settings, that kept form, box) -> `encode(surface)` byte for
    # byte, when the surface differs from the kept picture only inside the box.
    encoded_kept: Callable | None = None
    encode_changed: Callable | None = None
    # ... and the pixel rows (top, bottom) of the surface `encode_changed` reads for a box
    # (None: none); outside them the surface need not be the answer's picture.
    changed_rows: Callable | None = None
    # Vector formats: (VectorInput) -> bytes; their thumbnails are PNG.
    write: Callable | None = None
    # Animated formats: (Pillow images, durations in ms, settings) -> bytes, for `frames`.
    animate: Callable | None = None

    @property
    def vector(self) -> bool:
        return self.write is not None

    @property
    def thumbnail(self) -> "Format":
        return FORMATS["png"] if self.vector or self.encode is None else self


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("jpeg", "image/jpeg", aliases=("jpg",), encode=encode.encode_jpeg, opaque=True,
           encoded_kept=encode.jpeg_rows_of, encode_changed=encode.encode_jpeg_changed,
           changed_rows=encode.jpeg_changed_rows),
    Format("png", "image/png", encode=encode.encode_png),
    Format("webp", "image/webp", encode=encode.encode_webp),
    Format("avif", "image/avif", encode=encode.encode_avif),
    Format("pdf", "application/pdf", write=write_pdf),
    Format("svg", "image/svg+xml", write=write_svg),
    # A still without `frames`, an animation with them (svgrender/animation.py).
    Format("gif", "image/gif", encode=animate.encode_gif, opaque=True,
           animate=animate.animate_gif),
    Format("apng", "image/apng", encode=encode.encode_png, animate=animate.animate_apng),
    # Frames only; listed when PyAV (the `av` extra: H.264 through its FFmpeg) is installed.
    *([Format("mp4", "video/mp4", opaque=True, animate=animate.animate_mp4)]
      if video_available() else []),
)}
FORMATS["webp"] = replace(FORMATS["webp"], animate=animate.animate_webp)
NEEDS_FRAMES = {f.name for f in FORMATS.values() if f.encode is None and f.write is None}
BY_NAME: dict[str, Format] = {alias: f for f in FORMATS.values() for alias in (f.name, *f.aliases)}


AUTO = "auto"  # render links only: AVIF, WebP or JPEG, whichever the client's Accept takes


def negotiate(accept: str) -> str:
    """The format a render link's `auto` answers with, from the client's Accept header: AVIF,
    else WebP, when the client names it (with q > 0); JPEG for everyone else."""
    taken = set()
    for part in accept.lower().split(","):
        media, *options = [piece.strip() for piece in part.split(";")]
        quality = next((o[2:] for o in options if o.startswith("q=")), "1")
        try:
            if float(quality) > 0:
                taken.add(media)
        except ValueError:
            continue
    return next((name for name in ("avif", "webp") if f"image/{name}" in taken), "jpeg")


def lookup(name: str) -> Format | None:
    return BY_NAME.get(name.lower()) if isinstance(name, str) else None


def media_type(file_name: str) -> str:
    found = FORMATS.get(file_name.rsplit(".", 1)[-1])
    return found.media_type if found else "application/octet-stream"
