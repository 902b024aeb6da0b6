"""Rasterise an applied SVG tree with CairoSVG: one CairoSVG parse, drawn at several sizes."""

from __future__ import annotations

import io
from dataclasses import dataclass

import cairocffi as cairo
from cairosvg.parser import Tree
from cairosvg.surface import PDFSurface, PNGSurface

from contextlib import contextmanager

from . import cairo_seams
from .errors import RenderFailed
from .images import DecodedImage
from .notices import current_warnings

cairo_seams.install()


@contextmanager
def collecting_warnings(warnings: list[str]):
    """Collect renderer warnings (unsupported primitives…) raised by the draws inside."""
    token = current_warnings.set(warnings)
    try:
        yield warnings
    finally:
        current_warnings.reset(token)


@contextmanager
def sharing_filter_results():
    """Let the sizes of one render reuse filtered layers drawn at a larger size."""
    from .filters import current_results

    token = current_results.set({})
    try:
        yield
    finally:
        current_results.reset(token)


@contextmanager
def using_images(images: dict[str, DecodedImage]):
    """Make decoded images (by key) visible to the image drawer for the draws inside."""
    token = cairo_seams.current_images.set(images)
    try:
        yield
    finally:
        cairo_seams.current_images.reset(token)


@dataclass(frozen=True)
class Size:
    width: int
    height: int


class RasterSurface(cairo_seams.WalkerMixin, PNGSurface):
    """CairoSVG's PNG surface with our walker additions (blend modes, isolation)."""


class VectorSurface(cairo_seams.WalkerMixin, PDFSurface):
    """CairoSVG's PDF surface with our walker additions."""


def parse_for_cairo(svg_bytes: bytes) -> Tree:
    """CairoSVG's own tree, in safe mode (it fetches nothing but data: URLs)."""
    return Tree(bytestring=svg_bytes, unsafe=False)


def draw_raster(tree: Tree, size: Size, background: str | None = None) -> cairo.ImageSurface:
    """Draw at exactly size.width × size.height pixels; returns the ARGB32 surface."""
    try:
        surface = RasterSurface(tree, None, 96, output_width=size.width, output_height=size.height,
                             background_color=background)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, KeyError, IndexError) as exc:
        raise RenderFailed(f"the renderer could not draw this template: {exc}") from None
    surface.cairo.flush()
    return surface.cairo


def draw_pdf(tree: Tree, size: Size) -> bytes:
    out = io.BytesIO()
    try:
        # Sizes are in CSS px; CairoSVG turns them into points (0.75 pt/px) for the page.
        surface = VectorSurface(tree, out, 96, output_width=size.width, output_height=size.height)
        surface.finish()
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, KeyError, IndexError) as exc:
        raise RenderFailed(f"the renderer could not draw this template: {exc}") from None
    return out.getvalue()
