"""Where we extend CairoSVG, as data: one table of (owner, name, replacement, expected original).

Written against CairoSVG 2.9.x (pinned in pyproject.toml). Importing this module changes
nothing; `install()` checks every original is still there and is the function we wrote against,
keeps it, and replaces it; `uninstall()` puts the originals back. The app, the CLI and the render
workers call `install()` at start-up — never an import.
"""

from __future__ import annotations

import threading
import types
from dataclasses import dataclass

import cairosvg
from cairosvg import css as cairo_css
from cairosvg import defs as cairo_defs
from cairosvg import helpers as cairo_helpers
from cairosvg import parser as cairo_parser
from cairosvg import path as cairo_path
from cairosvg import surface as cairo_surface

from svgrender.draw import (cursor_copy, defs_index, drawers, fast_xml, parse_nodes, sizes,
                            style_declarations, text_layers, urls)

SUPPORTED_CAIROSVG = "2.9."


@dataclass(frozen=True, eq=False)  # hashed by identity: the owner may be a dict
class Seam:
    owner: object  # a module or class (attribute seam) or a dict (CairoSVG's TAGS table)
    name: str
    replacement: object
    expected: str  # `module.qualname` of CairoSVG's original

    def current(self):
        if isinstance(self.owner, dict):
            return self.owner.get(self.name)
        return getattr(self.owner, self.name, None)

    def assign(self, value) -> None:
        if isinstance(self.owner, dict):
            self.owner[self.name] = value
        else:
            setattr(self.owner, self.name, value)

    @property
    def where(self) -> str:
        owner = "cairosvg.surface.TAGS" if isinstance(self.owner, dict) else self.owner.__name__
        return f"{owner}[{self.name!r}]" if isinstance(self.owner, dict) else f"{owner}.{self.name}"


def qualified(function) -> str:
    if isinstance(function, types.ModuleType):  # a module CairoSVG imported (`copy`)
        return function.__name__
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', '?')}"


TAGS = cairo_surface.TAGS
SEAMS: tuple[Seam, ...] = (
    Seam(TAGS, "rect", drawers.rounded_rect, "cairosvg.shapes.rect"),
    Seam(TAGS, "image", drawers.draw_image, "cairosvg.image.image"),
    Seam(TAGS, "text", text_layers.draw_text, "cairosvg.text.text"),
    Seam(TAGS, "flowRoot", text_layers.draw_text, "?.?"),  # CairoSVG has no flowRoot drawer
    Seam(TAGS, "tspan", text_layers.skip, "cairosvg.text.text"),  # drawn by their <text>
    # CairoSVG draws <a> as text; a link draws only its children (walker.py annotates it)
    Seam(TAGS, "a", text_layers.skip, "cairosvg.text.text"),
    Seam(TAGS, "textPath", text_layers.skip, "cairosvg.text.text"),
    Seam(TAGS, "flowPara", text_layers.skip, "?.?"),
    Seam(TAGS, "flowSpan", text_layers.skip, "?.?"),
    Seam(cairo_defs, "draw_pattern", drawers.draw_pattern, "cairosvg.defs.draw_pattern"),
    Seam(cairo_defs, "draw_gradient", drawers.draw_gradient, "cairosvg.defs.draw_gradient"),
    Seam(cairo_surface, "prepare_filter", drawers.skip_prepare_filter,
         "cairosvg.defs.prepare_filter"),
    Seam(cairo_surface, "apply_filter_before_painting", drawers.filter_before_painting,
         "cairosvg.defs.apply_filter_before_painting"),
    Seam(cairo_surface, "apply_filter_after_painting", drawers.filter_after_painting,
         "cairosvg.defs.apply_filter_after_painting"),
    Seam(cairo_surface, "paint_mask", drawers.paint_mask, "cairosvg.defs.paint_mask"),
    Seam(cairo_css, "parse_stylesheets", drawers.parse_stylesheets,
         "cairosvg.css.parse_stylesheets"),
    # The same results; absent references (most elements) answered without urlparse.
    Seam(cairo_surface, "parse_url", urls.parse_url, "cairosvg.url.parse_url"),
    Seam(cairo_path, "parse_url", urls.parse_url, "cairosvg.url.parse_url"),
    # Paint and gradient references (`url(#g)`), parsed once per string rather than per use.
    Seam(cairo_helpers, "parse_url", urls.parse_url, "cairosvg.url.parse_url"),
    Seam(cairo_defs, "parse_url", urls.parse_url, "cairosvg.url.parse_url"),
    # The same text-cursor copies, made directly (CairoSVG deep-copies it per element and size).
    Seam(cairo_surface, "copy", cursor_copy.module, "copy"),
    # The same lengths; the default font size (most elements) without re-normalising "12pt".
    Seam(cairo_surface, "size", sizes.size, "cairosvg.helpers.size"),
    # The same trees, parsed in C where there is no DOCTYPE (nothing for defusedxml to refuse).
    Seam(cairo_parser, "ElementTree", fast_xml.module, "defusedxml.ElementTree"),
    # The same definitions registered, the tree walked for them once rather than per surface.
    Seam(cairo_surface, "parse_all_defs", defs_index.parse_all_defs,
         "cairosvg.defs.parse_all_defs"),
    # The same nodes parsed; what children inherit filtered once per parent, not per child.
    Seam(cairo_parser.Node, "__init__", parse_nodes.node_init, "cairosvg.parser.Node.__init__"),
    # The same declarations; plain `style` attributes split without tinycss2.
    Seam(cairo_css, "parse_declarations", style_declarations.parse_declarations,
         "cairosvg.css.parse_declarations"),
)

_originals: dict[Seam, object] = {}
_lock = threading.Lock()


class SeamMoved(RuntimeError):
    """CairoSVG changed under us: a seam's original is missing or is not what we wrote against."""


def check() -> list[str]:
    """What differs from the CairoSVG we wrote against (empty when every seam is in place)."""
    problems = []
    if not cairosvg.__version__.startswith(SUPPORTED_CAIROSVG):
        problems.append(f"CairoSVG {cairosvg.__version__}; the seams were written for "
                        f"{SUPPORTED_CAIROSVG}x")
    for seam in SEAMS:
        original = _originals.get(seam, seam.current())
        if seam.expected == "?.?":
            if original is not None and original is not seam.replacement:
                problems.append(f"{seam.where} now exists in CairoSVG ({qualified(original)})")
            continue
        if original is None:
            problems.append(f"{seam.where} is missing")
        elif qualified(original) != seam.expected:
            problems.append(f"{seam.where} is {qualified(original)}, expected {seam.expected}")
    return problems


def installed() -> bool:
    return bool(_originals)


def install() -> None:
    """Replace CairoSVG's originals with ours (idempotent); refuse if any seam moved."""
    with _lock:
        if _originals:
            return
        problems = check()
        if problems:
            raise SeamMoved("svgrender's CairoSVG seams do not fit: " + "; ".join(problems))
        for seam in SEAMS:
            _originals[seam] = seam.current()
            seam.assign(seam.replacement)


def uninstall() -> None:
    """Put every original back (tests; the plain-CairoSVG baseline of the benchmark)."""
    with _lock:
        for seam, original in _originals.items():
            if original is None and isinstance(seam.owner, dict):
                seam.owner.pop(seam.name, None)
            else:
                seam.assign(original)
        _originals.clear()
