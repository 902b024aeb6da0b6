"""Text style: a text element's font, size, weight and spacing (Style), the Pango layouts and
font options every text uses, and the checks that its fonts and glyphs exist (split from
text.py)."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

import cairocffi as cairo
import pangocairocffi
import pangocffi
from cairosvg.helpers import size
from pangocffi import ffi as pango_ffi
from pangocffi import gobject, pango

from svgrender.draw.fonts import (face_named, fresh_font_map, generation, installed_families,
                                  warn_missing_family, with_kind_fallback)
from svgrender.draw.context import context_of
from svgrender.notices import Notices

SCALE = pangocffi.units_from_double(1)  # PANGO_SCALE
SPAN_TAGS = {"tspan", "flowPara", "flowSpan", "textPath", "a"}
WEIGHTS = {"normal": 400, "bold": 700, "bolder": 700, "lighter": 300}


def _font_options():
    options = cairo.FontOptions()
    options.set_hint_metrics(cairo.HINT_METRICS_OFF)  # same layout at every scale
    options.set_hint_style(cairo.HINT_STYLE_SLIGHT)  # vertical snapping only, as Chromium
    options.set_antialias(cairo.ANTIALIAS_GRAY)
    return options


_OPTIONS = _font_options()


# An identity-matrix context every layout is made on, whatever it is drawn on: so text is laid
# out in template units, the same lines at 1x, in the thumbnail and at 2x. Pango only reads it
# while making a layout's context (its matrix and options), one thread at a time.
_REFERENCE = cairo.Context(cairo.ImageSurface(cairo.FORMAT_A8, 1, 1))
_reference_lock = threading.Lock()


def new_layout(context: cairo.Context | None = None) -> pangocffi.Layout:
    """A layout in template units (`context` is where it will be drawn; it does not matter)."""
    fresh_font_map()
    with _reference_lock:
        pango_context = pangocairocffi.create_context(_REFERENCE)
    # pangocffi's Context frees nothing (no _GC_METHOD): without this every layout leaked its
    # PangoContext, ~0.5 KB, and a worker's RSS grew by ~27 MB per 1,000 renders. The layout
    # holds its own reference.
    pango_context._pointer = pango_ffi.gc(pango_context._pointer, gobject.g_object_unref)
    pointer = pango_ffi.cast("void *", cairo.ffi.cast("uintptr_t", _OPTIONS._pointer))
    pangocairocffi.set_font_options(pango_context, pointer)
    # Unrounded glyph positions: Pango would round them to whole template units, which in a
    # mm-unit document moves letters by a visible fraction of a glyph ("D ecember").
    pango.pango_context_set_round_glyph_positions(pango_context._pointer, False)
    layout = pangocffi.Layout(pango_context)
    pango.pango_layout_set_auto_dir(layout._pointer, True)
    return layout


@dataclass
class Style:
    family: str
    size: float
    weight: int
    italic: bool
    letter_spacing: float
    # Where the warnings of the text drawn in this style go: the render's (context.py).
    notices: Notices = field(default_factory=Notices, compare=False, repr=False)

    def description(self, size: float | None = None) -> pangocffi.FontDescription:
        desc = pangocffi.FontDescription()
        desc.family = self.family
        desc.set_absolute_size(pangocffi.units_from_double(size or self.size))
        desc.weight = self.weight
        desc.style = pangocffi.Style.ITALIC if self.italic else pangocffi.Style.NORMAL
        return desc


def _families(value: str) -> str:
    names = [n.strip().strip("'\"") for n in (value or "sans-serif").split(",") if n.strip()]
    return ",".join(names) or "sans-serif"


def style_of(surface, node) -> Style:
    weight = str(node.get("font-weight", "normal")).strip()
    weight_value = WEIGHTS.get(weight) or (int(weight) if weight.isdigit() else 400)
    italic = node.get("font-style") in ("italic", "oblique")
    families = _families(node.get("font-family", "sans-serif"))
    first, _, rest = families.partition(",")
    installed = installed_families()
    face = None if any(name.strip().lower() in installed for name in rest.split(",")) \
        else face_named(first)
    if face:  # "MiriamLibre-Bold" (as Illustrator writes fonts): the face of that name. A
        # family installed further down the list wins, as in browsers and Inkscape.
        families = ",".join([face.family] + ([rest] if rest else []))
        weight_value, italic = face.weight, face.italic
    families = with_kind_fallback(families)  # 'Oswald' missing: Roboto Condensed next
    spacing = node.get("letter-spacing", "normal")
    return Style(families,
                 max(size(surface, node.get("font-size", "16px")), 0.01) if node.get(
                     "font-size") else surface.font_size,
                 max(1, min(1000, weight_value)), italic,
                 0.0 if spacing in (None, "normal") else size(surface, spacing),
                 context_of(surface).notices)


def _is_private_use(char: str) -> bool:
    code = ord(char)
    return 0xE000 <= code <= 0xF8FF or code >= 0xF0000


@functools.lru_cache(maxsize=1024)
def _named_font_has(family: str, weight: int, italic: bool, char: str, fonts: int) -> bool:
    """Whether the first family named has a glyph for `char`, without fallback fonts."""
    first = family.split(",", 1)[0].strip().lower()
    if first not in installed_families():
        return False
    probe = new_layout()
    probe.font_description = Style(family, 16.0, weight, italic, 0.0).description()
    probe.text = char
    attrs = pangocffi.AttrList()
    attrs.insert(pangocffi.Attribute.from_fallback(False, 0, len(char.encode())))
    probe.attributes = attrs
    return pango.pango_layout_get_unknown_glyphs_count(probe._pointer) == 0


def _own_private_use(text: str, style: Style) -> str:
    """Private-use characters (icon fonts: FontAwesome's U+F000…) only from the font named:
    from any other font that happens to claim the code point they are a random glyph."""
    if not any(_is_private_use(char) for char in text):
        return text
    lacking = {char for char in text if _is_private_use(char) and not _named_font_has(
        style.family, style.weight, style.italic, char, generation())}
    if not lacking:
        return text
    codes = ", ".join(f"U+{ord(char):04X}" for char in sorted(lacking)[:20])
    first = style.family.split(',')[0]
    style.notices.warn(f"private-use characters {codes} are not in font {first!r}: "
                       "not drawn (icon fonts draw their own code points only)")
    return "".join(char for char in text if char not in lacking)


def _layout_for(context, run_text: str, style: Style, size_override: float | None = None,
                private_use_checked: bool = False):
    if not private_use_checked:
        run_text = _own_private_use(run_text, style)
    layout = new_layout(context)
    layout.font_description = style.description(size_override)
    layout.text = run_text
    if style.letter_spacing:
        attrs = pangocffi.AttrList()
        attrs.insert(pangocffi.Attribute.from_letter_spacing(
            pangocffi.units_from_double(style.letter_spacing), 0, len(run_text.encode())))
        layout.attributes = attrs
    return layout


def _check_family(style: Style) -> None:
    """A family the machine lacks is drawn with a substitute or the closest face of its kind:
    say which and why, once per render (fonts.py)."""
    warn_missing_family(style.family, style.notices)


def _check_glyphs(context, layout, text: str, style: Style) -> tuple[str, ...]:
    """Warn about the family and the characters no installed font draws; returns those."""
    _check_family(style)
    missing = missing_glyphs(context, layout, text, style)
    warn_missing_glyphs(style, missing)
    return missing


def missing_glyphs(context, layout, text: str, style: Style) -> tuple[str, ...]:
    if pango.pango_layout_get_unknown_glyphs_count(layout._pointer) <= 0:
        return ()
    missing = []
    for char in dict.fromkeys(text):
        if len(missing) >= 20:
            break
        probe = _layout_for(context, char, style)
        if pango.pango_layout_get_unknown_glyphs_count(probe._pointer) > 0:
            missing.append(f"U+{ord(char):04X}")
    return tuple(missing)


def warn_missing_glyphs(style: Style, missing: tuple[str, ...]) -> None:
    if missing:
        style.notices.warn(f"no installed font has glyphs for {', '.join(missing)} "
                           f"(family {style.family!r})")


def line_iterator(layout: pangocffi.Layout) -> pangocffi.LayoutIter:
    """layout.get_iter() that is freed: pangocffi's LayoutIter never frees its iterator (its
    _GC_METHOD is annotated, not assigned), and each kept its whole layout alive: ~25 KB a
    render that no cache bound."""
    iterator = layout.get_iter()
    iterator._pointer = pango_ffi.gc(iterator._pointer, pango.pango_layout_iter_free)
    return iterator
