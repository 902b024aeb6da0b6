"""The state of one render, made once per render and handed down explicitly: the drawing
surfaces carry it (`surface.render_context`, walker.py) and every drawer reads it from there."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from svgrender.io.images import DecodedImage
from svgrender.notices import Notices


@dataclass
class RenderContext:
    notices: Notices = field(default_factory=Notices)
    # Per changed text layer, how its text was laid out (lines, font size, scale, cut).
    fit: dict | None = None
    # Filtered layers drawn at a larger size, reused by the smaller sizes (filters.py).
    filter_results: dict | None = None
    # One layout per text box for every size of the render (text_box.py, text_anchor.py).
    layouts: dict | None = None
    # layer id -> the lines each changed text layer was drawn with (for the SVG output).
    text_lines: dict | None = None
    # Decoded images by key, for the image drawer (drawers.py).
    images: dict[str, DecodedImage] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        self.notices.warn(message)

    def report_fit(self, layer: str, entry: dict) -> None:
        if self.fit is not None and layer not in self.fit:
            self.fit[layer] = entry

    def with_(self, **changes) -> "RenderContext":
        return replace(self, **changes)


def context_of(surface) -> RenderContext:
    """The render context a surface draws for (a fresh, non-collecting one outside a render)."""
    context = getattr(surface, "render_context", None)
    return context if context is not None else RenderContext()
