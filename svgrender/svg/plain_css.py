"""Plain CSS, split as text: declarations and stylesheets tinycss2 would give back unchanged.

A declaration list made only of plain values (identifiers, numbers with common units, hex
colours, `url(#id)`, `rgb()`/`hsl()` of numbers, separated by spaces and commas) serialises back
to its own text, so it can be split on `;` and `:` (draw/style_declarations.py, for CairoSVG's
`style` parsing; tests/test_style_declarations.py checks it against tinycss2).

An Illustrator export's `<style>` is thousands of such lists, each behind one class
(`.cls-12{fill:url(#linear-gradient-11);opacity:0.6;}`). A sheet made only of `.name{…}` and
`#name{…}` rules with plain bodies is split the same way, at template load: tokenising it costs
about a tenth of loading such an export, twice (the sanitiser, then the inlining). Anything
else (other selectors, at-rules, comments, escapes, quotes, `!important`) is tokenised as before.
"""

from __future__ import annotations

import re

NUMBER = r"-?(?:\d+(?:\.\d+)?|\.\d+)"
ATOM = (rf"(?:{NUMBER}(?:px|em|ex|pt|pc|cm|mm|in|deg|rad|turn|ms|s|%)?"
        r"|[A-Za-z_][A-Za-z0-9_-]*|#[A-Za-z0-9_-]+|url\(#[A-Za-z0-9_-]+\)"
        rf"|(?:rgba?|hsla?)\( *{NUMBER}%? *(?:, *{NUMBER}%? *)*\))")
DECLARATION = rf" *[A-Za-z][A-Za-z0-9-]* *: *{ATOM}(?:[ ,]+{ATOM})* *"
PLAIN_BODY = rf"(?:{DECLARATION})?(?:;(?:{DECLARATION})?)*"
PLAIN = re.compile(PLAIN_BODY)

# One rule: `.name` (a class) or `#name` (an id: a hash token that is an identifier), its body.
RULE = rf"([.#])([A-Za-z_][A-Za-z0-9_-]*)\{{({PLAIN_BODY})\}}"
SPACE = "[ \t\r\n\f]*"  # CSS whitespace between rules (tinycss2 skips it)
PLAIN_SHEET = re.compile(rf"{SPACE}(?:{RULE}{SPACE})*")
RULES = re.compile(RULE)


def declarations(body: str) -> list[tuple[str, str]]:
    """`(name as written, value)` of a plain body, in order (empty declarations skipped)."""
    out = []
    for declaration in body.split(";"):
        if declaration.strip():
            name, text = declaration.split(":", 1)
            out.append((name.strip(), text.strip()))
    return out


def plain_sheet(text: str) -> list[tuple[str, str, list[tuple[str, str]]]] | None:
    """`(kind, name, declarations)` for each rule of a sheet of plain one-class/one-id rules,
    in order, with kind "class" or "id"; None for any other sheet."""
    if not PLAIN_SHEET.fullmatch(text):
        return None
    return [("class" if mark == "." else "id", name, declarations(body))
            for mark, name, body in RULES.findall(text)]
