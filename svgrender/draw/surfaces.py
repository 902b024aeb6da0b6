"""Rasterise an applied SVG tree with CairoSVG: one CairoSVG parse, drawn at several sizes."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import cairocffi as cairo
from cairosvg.parser import Tree
from cairosvg.url import parse_url
from lxml import etree
from cairosvg.surface import PDFSurface, PNGSurface

from svgrender.draw import seams
from svgrender.draw.context import RenderContext
from svgrender.draw.filters import group_extent
from svgrender.draw.text_box import FLOW_MARK
from svgrender.draw.walker import WalkerMixin
from svgrender.errors import RenderFailed
from svgrender.io.images import DecodedImage
from svgrender.notices import Notices


def render_context(drawing: "Drawing", warnings: list[str], fit: dict) -> RenderContext:
    """The one context of a render: its warnings and fit report collected, its images, filter
    results shared by its sizes, each text box laid out once, the lines drawn kept for the SVG
    output. Made once per render and handed to every surface it draws on."""
    return RenderContext(Notices(warnings), fit=fit, filter_results={}, layouts={},
                         text_lines=drawing.text_lines, images=drawing.images)


@dataclass(frozen=True)
class Size:
    width: int
    height: int


@dataclass
class Drawing:
    """One applied tree, parsed once for CairoSVG, drawn at every size of an answer."""

    tree: etree._Element  # the applied lxml tree (for vector writers)
    cairo_tree: Tree
    images: dict[str, DecodedImage]  # by key: the template's and the request's
    text_lines: dict = field(default_factory=dict)  # layer id -> lines as drawn (text.py)
    context: RenderContext | None = None  # the render's (render_context), for vector writers


def prepare_drawing(tree: etree._Element, images: dict[str, DecodedImage]) -> Drawing:
    # Flowed text is numbered so the SVG output can find what the raster sizes drew of it.
    for index, flowed in enumerate(tree.iter("{http://www.w3.org/2000/svg}flowRoot")):
        flowed.set(FLOW_MARK, str(index))
    return Drawing(tree, parse_for_cairo(etree.tostring(tree)), images)


class _GroupsInFilterExtent:
    """A filtered element drawn under a clip to what its filter reads (filters.group_extent):
    CairoSVG's group for it is then that small, not the canvas."""

    group_extent = staticmethod(group_extent)  # (a benchmark swaps it for the old way)

    def draw(self, node):
        name = node.get("filter")
        extent = self.group_extent(self, node, parse_url(name).fragment) \
            if name and self.stroke_and_fill else None
        if extent is None:
            return super().draw(node)
        context = self.context
        context.save()
        matrix = context.get_matrix()
        context.identity_matrix()
        context.rectangle(extent[0], extent[1], extent[2] - extent[0], extent[3] - extent[1])
        context.set_matrix(matrix)
        context.clip()
        try:
            return super().draw(node)
        finally:
            context.restore()


class RasterSurface(_GroupsInFilterExtent, WalkerMixin, PNGSurface):
    """CairoSVG's PNG surface with our walker additions (blend modes, isolation) and filtered
    groups only as large as their filter's extent."""


class VectorSurface(WalkerMixin, PDFSurface):
    """CairoSVG's PDF surface with our walker additions (and link annotations for <a>)."""

    links_annotated = True


def parse_for_cairo(svg_bytes: bytes) -> Tree:
    """CairoSVG's own tree, in safe mode (it fetches nothing but data: URLs)."""
    return Tree(bytestring=svg_bytes, unsafe=False)


class _OnBackdrop(RasterSurface):
    """A raster surface that starts as a copy of `backdrop` (drawn static layers)."""

    def __init__(self, *args, backdrop: cairo.ImageSurface, **kwargs):
        self.backdrop = backdrop  # before CairoSVG's __init__, which creates the surface
        super().__init__(*args, **kwargs)

    def _create_surface(self, width, height):
        surface, width, height = super()._create_surface(width, height)
        context = cairo.Context(surface)
        context.set_source_surface(self.backdrop, 0, 0)
        context.set_operator(cairo.OPERATOR_SOURCE)
        context.paint()
        return surface, width, height


def draw_raster(tree: Tree, size: Size, background: str | None = None,
                backdrop: cairo.ImageSurface | None = None,
                context: RenderContext | None = None) -> cairo.ImageSurface:
    """Draw at exactly size.width × size.height pixels; returns the ARGB32 surface. With
    `backdrop`, the drawing starts from a copy of it (and paints no background of its own)."""
    _require_seams()
    kind, extra = RasterSurface, {}
    if backdrop is not None:  # (not a class made per call: each would live until a full GC)
        kind, extra = _OnBackdrop, {"backdrop": backdrop}
        background = None
    try:
        surface = kind(tree, None, 96, output_width=size.width, output_height=size.height,
                       background_color=background, render_context=context, **extra)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, KeyError, IndexError) as exc:
        raise RenderFailed(f"the renderer could not draw this template: {exc}") from None
    surface.cairo.flush()
    return surface.cairo


def write_pdf(drawing: Drawing, size: Size) -> bytes:
    return draw_pdf(drawing.cairo_tree, size, drawing.context)


def draw_pdf(tree: Tree, size: Size, context: RenderContext | None = None) -> bytes:
    _require_seams()
    out = io.BytesIO()
    try:
        # Sizes are in CSS px; CairoSVG turns them into points (0.75 pt/px) for the page.
        surface = VectorSurface(tree, out, 96, output_width=size.width, output_height=size.height,
                                render_context=context)
        surface.finish()
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, KeyError, IndexError) as exc:
        raise RenderFailed(f"the renderer could not draw this template: {exc}") from None
    return out.getvalue()


def _require_seams() -> None:
    # Drawing with CairoSVG's own drawers would silently give wrong pictures.
    if not seams.installed():
        raise RuntimeError("svgrender.draw.seams.install() was not called at start-up")
