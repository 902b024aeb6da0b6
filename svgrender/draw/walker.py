"""Our additions to CairoSVG's walker (blend modes, isolation, flow regions) and the surfaces
that use it. Subclasses, not patches: nothing here changes CairoSVG itself."""

from __future__ import annotations

import cairocffi
from cairosvg import surface as cairo_surface

from svgrender.draw import leaf_shapes

# mix-blend-mode names -> cairo operators (cairo's blend modes follow the compositing spec).
BLEND_OPERATORS = {
    "multiply": cairocffi.OPERATOR_MULTIPLY, "screen": cairocffi.OPERATOR_SCREEN,
    "overlay": cairocffi.OPERATOR_OVERLAY, "darken": cairocffi.OPERATOR_DARKEN,
    "lighten": cairocffi.OPERATOR_LIGHTEN, "color-dodge": cairocffi.OPERATOR_COLOR_DODGE,
    "color-burn": cairocffi.OPERATOR_COLOR_BURN, "hard-light": cairocffi.OPERATOR_HARD_LIGHT,
    "soft-light": cairocffi.OPERATOR_SOFT_LIGHT, "difference": cairocffi.OPERATOR_DIFFERENCE,
    "exclusion": cairocffi.OPERATOR_EXCLUSION, "hue": cairocffi.OPERATOR_HSL_HUE,
    "saturation": cairocffi.OPERATOR_HSL_SATURATION, "color": cairocffi.OPERATOR_HSL_COLOR,
    "luminosity": cairocffi.OPERATOR_HSL_LUMINOSITY,
}


class WalkerMixin:
    """Our additions to CairoSVG's walker: `mix-blend-mode` and `isolation` (it ignores both),
    and Inkscape flow regions, which are a text box and not ink."""

    render_context = None  # the RenderContext of the render this surface draws for
    geometry_only = False  # True: measures where things are drawn, not in what colours (a plain
    # CairoSVG surface, which the seams also serve, has no such attribute: read with getattr)
    short_path = True  # plain shapes drawn by leaf_shapes.draw_shape (the same calls, fewer steps)

    def __init__(self, tree, output, dpi, parent_surface=None, *args, render_context=None,
                 **kwargs):
        # Set before CairoSVG's constructor, which draws the whole tree. A pattern tile's
        # surface draws for the render of the surface it is made from.
        self.render_context = render_context or getattr(parent_surface, "render_context", None)
        super().__init__(tree, output, dpi, parent_surface, *args, **kwargs)

    def draw(self, node):
        if node.tag == "flowRegion":
            return None
        if node.tag == "a" and self.links_annotated and node.get_href():
            return self._draw_link(node)
        if node.get("clip-path") and self.stroke_and_fill:
            self._clip_rule(node)
        mode = BLEND_OPERATORS.get((node.get("mix-blend-mode") or "normal").strip())
        isolate = (node.get("isolation") or "").strip() == "isolate" and bool(node.children)
        if mode is None and not isolate:
            if self.short_path and leaf_shapes.takes_short_path(self, node):
                return leaf_shapes.draw_shape(self, node)
            return super().draw(node)
        context = self.context
        context.push_group()
        try:
            super().draw(node)
        finally:
            context.pop_group_to_source()
            context.save()
            context.identity_matrix()  # the source is locked to user space already
            if mode is not None:
                context.set_operator(mode)
            context.paint()
            context.restore()
        return None


    links_annotated = False  # the PDF surface turns <a> into link annotations

    def _draw_link(self, node):
        """A PDF link annotation over whatever the link's children draw (cairo takes the area
        from the ink drawn between the tags). The URL was vetted as http(s) when applied;
        quotes and backslashes are escaped for cairo's attribute syntax all the same."""
        uri = node.get_href().replace("\\", "\\\\").replace("'", "\\'")
        self.context.tag_begin(cairocffi.TAG_LINK, f"uri='{uri}'")
        try:
            return super().draw(node)
        finally:
            self.context.tag_end(cairocffi.TAG_LINK)

    def _clip_rule(self, node) -> None:
        """`clip-rule: evenodd` (CairoSVG clips with the non-zero rule whatever the clip path
        says): set on the context before CairoSVG clips, which resets it right after."""
        from cairosvg.url import parse_url

        clip = self.paths.get(parse_url(node.get("clip-path")).fragment)
        if clip is not None and any(
                (child.get("clip-rule") or clip.get("clip-rule")) == "evenodd"
                for child in clip.children):
            self.context.set_fill_rule(cairocffi.FILL_RULE_EVEN_ODD)


class PatternTileSurface(WalkerMixin, cairo_surface.SVGSurface):
    """A pattern tile recorded, not written as SVG: CairoSVG's SVG-surface tiles are replayed
    slowly on every fill (a Figma photo fill cost more than the rest of the card)."""

    def _create_surface(self, width, height):
        extents = (0, 0, width, height)
        return cairocffi.RecordingSurface(cairocffi.CONTENT_COLOR_ALPHA, extents), width, height
