"""CairoSVG's `parse_declarations` for `style` attributes, without tinycss2 for the plain ones.

Every element a stylesheet rule matched carries its declarations in `style` (svg/css.py inlines
them at load), and CairoSVG tokenises each with tinycss2 on every parse: about an eighth of
measuring an Illustrator export's layers and a twentieth of each render (issue 32). A style
made only of plain values (identifiers, numbers with common units, hex colours, `url(#id)`,
`rgb()`/`hsl()` of numbers, separated by spaces and commas) serialises back to its own text, so
it is split as text; anything else (quotes, escapes, comments, `!important`, other functions,
non-ASCII) goes to CairoSVG's own parser. tests/test_style_declarations.py checks the two agree.
"""

from __future__ import annotations

from cairosvg.css import parse_declarations as cairosvg_parse_declarations

from svgrender.svg.plain_css import PLAIN


def parse_declarations(value):
    """`(normal, important)` lists of `(lower name, value)`, as CairoSVG's own gives."""
    if not isinstance(value, str) or not PLAIN.fullmatch(value):
        return cairosvg_parse_declarations(value)
    normal = []
    for declaration in value.split(";"):
        if declaration.strip():
            name, text = declaration.split(":", 1)
            normal.append((name.strip().lower(), text.strip()))
    return normal, []
