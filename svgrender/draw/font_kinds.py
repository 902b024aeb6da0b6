"""What kind of typeface a family is, so a missing one is drawn with the closest installed face.

A design names a typeface the machine may lack (Oswald, Poppins, Playfair Display…). Drawing it
in the one default font turns a condensed poster title into a wide sans and a wedding script into
a book face. svgrender draws it instead with an installed face of the same *kind*:

    serif · sans · slab · mono · script · display

refined where it matters to the eye by a *style* (condensed sans, geometric sans, humanist sans,
grotesque sans, old-style serif, casual or formal script, condensed display).

The kind of a family comes from, in order:

1. `KNOWN`, the table below: well-known families (Google Fonts' most used, the commercial
   families exports name most, the system fonts of Windows and macOS), matched ignoring case,
   blanks and a PostScript style suffix (`Oswald-Bold` is Oswald);
2. its name: `… Mono`/`… Code` are mono, `… Script`/`… Hand` script, `… Slab` slab,
   `… Condensed`/`… Narrow` condensed sans, `… Serif` (not `Sans Serif`) serif, `… Sans` sans
   (`NAME_RULES`, mirrored exactly by the fontconfig rules fonts.py loads);
3. for an installed or uploaded font file, its own metadata (`classify_font`): OS/2
   `sFamilyClass` (IBM class), then PANOSE (family type, serif style, proportion), the fixed
   pitch flag, and OS/2 `usWidthClass` for the width.

`CANDIDATES` lists, per kind and style, the installed faces to draw with, best first (each from a
Debian package of the README's install command); fonts added to `fonts/` or uploaded and
classified by their metadata come after them. Weight, slant and width of the text are kept:
fontconfig picks the face of the chosen family closest to the ones asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

KINDS = ("serif", "sans", "slab", "mono", "script", "display")


@dataclass(frozen=True)
class Kind:
    kind: str  # one of KINDS
    style: str = ""  # condensed, geometric, humanist, grotesque, oldstyle, casual, formal

    @property
    def label(self) -> str:
        """How a warning says it: 'condensed sans', 'slab serif', 'script', 'monospace'."""
        if self.kind == "mono":
            return "monospace"
        if self.kind == "slab":
            return "slab serif"
        if self.kind in ("script", "display"):
            return f"{self.style} {self.kind}" if self.style else self.kind
        return f"{self.style} {self.kind}" if self.style else self.kind


# The table: family -> kind[/style]. One line per family; documented in the module docstring.
_TABLE = """
# sans: grotesque / neo-grotesque
Helvetica: sans/grotesque
Helvetica Neue: sans/grotesque
Arial: sans/grotesque
Roboto: sans/grotesque
Inter: sans/grotesque
SF Pro Display: sans/grotesque
SF Pro Text: sans/grotesque
San Francisco: sans/grotesque
Akzidenz Grotesk: sans/grotesque
Neue Haas Grotesk: sans/grotesque
Univers: sans/grotesque
Work Sans: sans/grotesque
IBM Plex Sans: sans/grotesque
Space Grotesk: sans/grotesque
Archivo: sans/grotesque
Public Sans: sans/grotesque
Rubik: sans/grotesque
Heebo: sans/grotesque
Arimo: sans/grotesque
Liberation Sans: sans/grotesque
Nimbus Sans: sans/grotesque
Arial Black: sans/grotesque
# sans: humanist
Open Sans: sans/humanist
Lato: sans/humanist
Source Sans Pro: sans/humanist
Source Sans 3: sans/humanist
Fira Sans: sans/humanist
Ubuntu: sans/humanist
Noto Sans: sans/humanist
PT Sans: sans/humanist
Myriad Pro: sans/humanist
Myriad: sans/humanist
Frutiger: sans/humanist
Segoe UI: sans/humanist
Calibri: sans/humanist
Verdana: sans/humanist
Tahoma: sans/humanist
Trebuchet MS: sans/humanist
Gill Sans: sans/humanist
Gill Sans MT: sans/humanist
Optima: sans/humanist
Cabin: sans/humanist
Nunito Sans: sans/humanist
Mulish: sans/humanist
Hind: sans/humanist
Oxygen: sans/humanist
Cantarell: sans/humanist
Karla: sans/humanist
Titillium Web: sans/humanist
Asap: sans/humanist
Droid Sans: sans/humanist
DejaVu Sans: sans/humanist
Sintony: sans/humanist
Miriam: sans/humanist
Miriam Libre: sans/humanist
# sans: geometric
Montserrat: sans/geometric
Poppins: sans/geometric
Futura: sans/geometric
Futura PT: sans/geometric
Avenir: sans/geometric
Avenir Next: sans/geometric
Gotham: sans/geometric
Century Gothic: sans/geometric
ITC Avant Garde Gothic: sans/geometric
Avant Garde: sans/geometric
Raleway: sans/geometric
Josefin Sans: sans/geometric
Quicksand: sans/geometric
Comfortaa: sans/geometric
Nunito: sans/geometric
Varela Round: sans/geometric
Product Sans: sans/geometric
Google Sans: sans/geometric
Manrope: sans/geometric
Sora: sans/geometric
Outfit: sans/geometric
Urbanist: sans/geometric
Lexend: sans/geometric
DM Sans: sans/geometric
Plus Jakarta Sans: sans/geometric
Mukta: sans/geometric
Exo: sans/geometric
Exo 2: sans/geometric
Dosis: sans/geometric
Circular: sans/geometric
Proxima Nova: sans/geometric
Museo Sans: sans/geometric
Gilroy: sans/geometric
Brandon Grotesque: sans/geometric
Kanit: sans/geometric
# sans: condensed
Oswald: sans/condensed
Roboto Condensed: sans/condensed
Open Sans Condensed: sans/condensed
Barlow Condensed: sans/condensed
Fira Sans Condensed: sans/condensed
PT Sans Narrow: sans/condensed
Arial Narrow: sans/condensed
Helvetica Neue Condensed: sans/condensed
Helvetica Condensed: sans/condensed
Franklin Gothic: sans/condensed
Franklin Gothic Medium: sans/condensed
News Gothic: sans/condensed
Pathway Gothic One: sans/condensed
Saira Condensed: sans/condensed
Teko: sans/condensed
Fjalla One: sans/condensed
Yanone Kaffeesatz: sans/condensed
Ubuntu Condensed: sans/condensed
Nimbus Sans Narrow: sans/condensed
Barlow: sans/grotesque
# serif: transitional / modern
Times: serif
Times New Roman: serif
Georgia: serif
Cambria: serif
Merriweather: serif
Lora: serif
PT Serif: serif
Noto Serif: serif
Source Serif Pro: serif
Source Serif 4: serif
Libre Baskerville: serif
Baskerville: serif
Playfair Display: serif
Playfair: serif
Bodoni: serif
Bodoni 72: serif
Didot: serif
DM Serif Display: serif
Abril Fatface: serif
Crimson Text: serif
Crimson Pro: serif
Cormorant Garamond: serif/oldstyle
Cormorant: serif/oldstyle
Libre Caslon Text: serif/oldstyle
Spectral: serif
Noticia Text: serif
Old Standard TT: serif
Prata: serif
Cinzel: serif
Trajan Pro: serif
Charter: serif
Book Antiqua: serif/oldstyle
Century Schoolbook: serif
Century: serif
Liberation Serif: serif
DejaVu Serif: serif
Tinos: serif
Droid Serif: serif
Vollkorn: serif/oldstyle
IBM Plex Serif: serif
# serif: old-style / Garamond
Garamond: serif/oldstyle
EB Garamond: serif/oldstyle
Adobe Garamond Pro: serif/oldstyle
Minion Pro: serif/oldstyle
Minion: serif/oldstyle
Caslon: serif/oldstyle
Adobe Caslon Pro: serif/oldstyle
Palatino: serif/oldstyle
Palatino Linotype: serif/oldstyle
Sabon: serif/oldstyle
Bembo: serif/oldstyle
Goudy Old Style: serif/oldstyle
Linux Libertine: serif/oldstyle
Alegreya: serif/oldstyle
# slab
Roboto Slab: slab
Zilla Slab: slab
Arvo: slab
Rockwell: slab
Museo Slab: slab
Josefin Slab: slab
Bitter: slab
Crete Round: slab
Slabo 27px: slab
Slabo 13px: slab
Aleo: slab
Noto Serif Display: serif
Courier Prime: mono
American Typewriter: slab
Clarendon: slab
Memphis: slab
Egyptienne: slab
Domine: serif
# mono
Courier: mono
Courier New: mono
Consolas: mono
Menlo: mono
Monaco: mono
SF Mono: mono
Source Code Pro: mono
Fira Code: mono
Fira Mono: mono
JetBrains Mono: mono
Roboto Mono: mono
IBM Plex Mono: mono
Space Mono: mono
Ubuntu Mono: mono
Inconsolata: mono
DejaVu Sans Mono: mono
Liberation Mono: mono
Lucida Console: mono
Andale Mono: mono
PT Mono: mono
Noto Sans Mono: mono
Cousine: mono
Hack: mono
Anonymous Pro: mono
Cascadia Code: mono
Overpass Mono: mono
# script
Dancing Script: script/casual
Pacifico: script/casual
Lobster: script/casual
Kaushan Script: script/casual
Satisfy: script/casual
Caveat: script/casual
Sacramento: script/formal
Great Vibes: script/formal
Allura: script/formal
Alex Brush: script/formal
Pinyon Script: script/formal
Parisienne: script/formal
Tangerine: script/formal
Edwardian Script ITC: script/formal
Snell Roundhand: script/formal
Zapfino: script/formal
Zapf Chancery: script/formal
Apple Chancery: script/formal
Monotype Corsiva: script/formal
Lucida Handwriting: script/casual
Brush Script MT: script/casual
Brush Script: script/casual
SignPainter: script/casual
SignPainter-HouseScript: script/casual
Mission Script: script/casual
Yellowtail: script/casual
Cookie: script/casual
Courgette: script/casual
Shadows Into Light: script/casual
Indie Flower: script/casual
Amatic SC: script/casual
Permanent Marker: script/casual
Homemade Apple: script/casual
Comic Sans MS: script/casual
Comic Sans: script/casual
Comic Neue: script/casual
Segoe Script: script/casual
Z003: script/formal
# display
Bebas Neue: display/condensed
Bebas: display/condensed
Anton: display/condensed
Impact: display/condensed
League Gothic: display/condensed
Blanch: display/condensed
Blanch Caps: display/condensed
Alfa Slab One: slab
Bungee: display
Fredoka One: display
Fredoka: display
Righteous: display
Bangers: display/condensed
Passion One: display/condensed
Black Ops One: display
Staatliches: display/condensed
Monoton: display
Press Start 2P: display
Cooper Black: display
League Spartan: display
Abolition: display/condensed
Knockout: display/condensed
Chunkfive: slab
Ultra: slab
"""


def normalized(name: str) -> str:
    """How names are compared (as fontconfig does): case and blanks ignored."""
    return re.sub(r"\s+", "", name.strip().strip("'\"")).lower()


def _parse_table(text: str) -> dict[str, Kind]:
    table: dict[str, Kind] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, kind = line.rpartition(":")
        kind, _, style = kind.strip().partition("/")
        assert kind in KINDS, line
        table[normalized(name)] = Kind(kind, style)
    return table


KNOWN: dict[str, Kind] = _parse_table(_TABLE)
# The names as written (for the fontconfig rules and the documentation).
KNOWN_NAMES: tuple[str, ...] = tuple(
    line.rpartition(":")[0].strip() for line in _TABLE.splitlines()
    if line.strip() and not line.strip().startswith("#"))

# Name rules, in order: (fontconfig "contains" word on the first family, words it must not
# contain, kind). fonts.py loads the same rules into fontconfig, so the face Pango draws is the
# one the warning names.
NAME_RULES: tuple[tuple[str, tuple[str, ...], Kind], ...] = (
    ("mono", (), Kind("mono")),
    ("code", (), Kind("mono")),
    ("script", (), Kind("script", "casual")),
    ("handwrit", (), Kind("script", "casual")),
    ("brush", (), Kind("script", "casual")),
    ("slab", (), Kind("slab")),
    ("condensed", ("serif",), Kind("sans", "condensed")),
    ("narrow", ("serif",), Kind("sans", "condensed")),
    ("compressed", ("serif",), Kind("sans", "condensed")),
    ("serif", ("sans",), Kind("serif")),
    ("garamond", (), Kind("serif", "oldstyle")),
    ("grotesk", (), Kind("sans", "grotesque")),
    ("grotesque", (), Kind("sans", "grotesque")),
    ("sans", (), Kind("sans")),
    ("gothic", (), Kind("sans")),
)

# PostScript style suffixes: 'Oswald-Bold', 'Poppins-SemiBoldItalic', 'ArialMT'.
_SUFFIX = re.compile(
    r"[-_ ]?(?:(?:thin|hairline|extralight|ultralight|light|book|regular|roman|normal|medium|"
    r"semibold|demibold|demi|bold|extrabold|ultrabold|heavy|black|it|italic|oblique|"
    r"condensed|cond|cn|narrow)+|mt|ps|std|pro)$", re.IGNORECASE)


def base_names(name: str) -> list[str]:
    """`name` without what PDF imports and PostScript names add to a family: ' embedded'
    (Inkscape's PDF import), then style suffixes: 'MiriamLibre-Bold embedded' ->
    ['MiriamLibre-Bold', 'MiriamLibre']."""
    out: list[str] = []
    base = re.sub(r"\s+embedded$", "", name.strip().strip("'\""), flags=re.IGNORECASE)
    if base != name.strip().strip("'\""):
        out.append(base)
    for _ in range(3):
        stripped = _SUFFIX.sub("", base)
        if stripped == base or not stripped:
            break
        base = stripped
        out.append(base)
    return out


def classify_name(name: str) -> Kind | None:
    """The kind the table or the name gives `name`, or None when neither knows it."""
    key = normalized(name)
    if key in KNOWN:
        return KNOWN[key]
    for base in base_names(name):  # 'Oswald-BoldItalic' -> 'Oswald'; 'MinionPro-Regular'
        if normalized(base) in KNOWN:  # -> 'Minion'
            return KNOWN[normalized(base)]
    return classify_by_words(name)


def classify_by_words(name: str) -> Kind | None:
    """The kind `name`'s words give (NAME_RULES), as fontconfig's rules decide it."""
    lowered = name.lower()
    for word, unless, kind in NAME_RULES:
        if word in lowered and not any(other in lowered for other in unless):
            return kind
    return None


# --- a font file's own metadata -------------------------------------------------------------

# OS/2 sFamilyClass (IBM font class), high byte.
_IBM_CLASS = {1: Kind("serif", "oldstyle"), 2: Kind("serif"), 3: Kind("serif"),
              4: Kind("slab"), 5: Kind("slab"), 7: Kind("serif"), 8: Kind("sans"),
              9: Kind("display"), 10: Kind("script")}


@dataclass(frozen=True)
class FontFacts:
    family: str
    kind: Kind | None
    weight: int  # OS/2 usWeightClass
    width: int  # OS/2 usWidthClass, 5 = normal
    italic: bool
    source: str  # where the kind came from: "sFamilyClass", "PANOSE", "fixed pitch", "name"


def classify_font(path: Path | str, font_number: int = 0) -> FontFacts | None:
    """A font file's kind from its own metadata (fontTools): the fixed-pitch flag or PANOSE
    proportion 'monospaced' -> mono; OS/2 sFamilyClass (oldstyle/transitional/modern/clarendon/
    slab/freeform serif, sans, ornamental, script); else PANOSE (family type 3 script, 4
    decorative; for Latin text the serif style: square -> slab, 2-10 -> serif, 11-15 -> sans);
    else the family name's words. usWidthClass ≤ 4 makes a sans or display 'condensed'. None
    when the file is no font fontTools reads."""
    try:
        from fontTools.ttLib import TTFont

        font = TTFont(str(path), fontNumber=font_number, lazy=True)
    except Exception:  # noqa: BLE001 - any unreadable file: no facts
        return None
    try:
        name_table = font["name"] if "name" in font else None
        family = ""
        if name_table is not None:
            family = str(name_table.getBestFamilyName() or "")
        os2 = font["OS/2"] if "OS/2" in font else None
        fixed = bool("post" in font and font["post"].isFixedPitch)
        weight = int(getattr(os2, "usWeightClass", 400) or 400)
        width = int(getattr(os2, "usWidthClass", 5) or 5)
        italic = bool(getattr(os2, "fsSelection", 0) & 1)
        ibm = (int(getattr(os2, "sFamilyClass", 0)) >> 8) if os2 is not None else 0
        panose = getattr(os2, "panose", None)
        family_type = getattr(panose, "bFamilyType", 0)
        serif_style = getattr(panose, "bSerifStyle", 0)
        proportion = getattr(panose, "bProportion", 0)
    except Exception:  # noqa: BLE001
        return None
    finally:
        font.close()
    kind, source = None, ""
    if fixed or (family_type == 2 and proportion == 9):
        # (colour emoji fonts set the flag too: their name says what they are)
        kind, source = Kind("mono"), "fixed pitch" if fixed else "PANOSE"
        if "emoji" in family.lower():
            kind, source = None, ""
    if kind is None and ibm in _IBM_CLASS:
        kind, source = _IBM_CLASS[ibm], "sFamilyClass"
        if ibm == 1:
            kind = Kind("serif", "oldstyle")
    if kind is None and family_type == 3:
        kind, source = Kind("script"), "PANOSE"
    elif kind is None and family_type == 4:
        kind, source = Kind("display"), "PANOSE"
    elif kind is None and family_type == 2 and serif_style:
        if serif_style == 6:  # square serifs
            kind, source = Kind("slab"), "PANOSE"
        elif 2 <= serif_style <= 10:
            kind, source = Kind("serif"), "PANOSE"
        elif serif_style >= 11:
            kind, source = Kind("sans"), "PANOSE"
    if kind is None:
        kind = classify_name(family) if family else None
        source = "name" if kind else ""
    if kind is not None and kind.kind in ("sans", "display") and width <= 4 \
            and kind.style != "condensed":
        kind = Kind(kind.kind, "condensed")
    return FontFacts(family, kind, weight, width, italic, source)


# --- what to draw with ------------------------------------------------------------------------

# Per kind/style: installed families to draw with, best first (Debian packages of the install
# command). A style falls back to its kind's list, a kind to FALLBACK_KIND's, then to fontconfig's
# generic family for it (GENERIC_FOR).
CANDIDATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("sans", ""): ("Open Sans", "Roboto", "Lato", "Noto Sans", "DejaVu Sans"),
    ("sans", "grotesque"): ("Nimbus Sans", "Roboto", "Inter", "Liberation Sans"),
    ("sans", "humanist"): ("Open Sans", "Lato", "Cabin", "Noto Sans"),
    ("sans", "geometric"): ("Manrope", "URW Gothic", "Sora", "Quicksand"),
    ("sans", "condensed"): ("Roboto Condensed", "Nimbus Sans Narrow", "Open Sans Condensed",
                            "DejaVu Sans Condensed"),
    ("serif", ""): ("Noto Serif", "Liberation Serif", "DejaVu Serif"),
    ("serif", "oldstyle"): ("EB Garamond", "Linux Libertine O", "Vollkorn", "P052"),
    ("slab", ""): ("Roboto Slab", "C059"),
    ("mono", ""): ("DejaVu Sans Mono", "Liberation Mono", "JetBrains Mono", "Noto Sans Mono",
                   "Nimbus Mono PS"),
    ("script", ""): ("Dancing Script", "Kaushan Script", "Z003"),
    ("script", "casual"): ("Dancing Script", "Kaushan Script", "Z003"),
    ("script", "formal"): ("Z003", "Dancing Script"),
    ("display", ""): ("League Spartan", "Bebas Neue", "Roboto Condensed"),
    ("display", "condensed"): ("Bebas Neue", "Roboto Condensed", "Nimbus Sans Narrow"),
}
FALLBACK_KIND = {"slab": "serif", "script": "serif", "display": "sans", "mono": "",
                 "serif": "", "sans": ""}
GENERIC_FOR = {"serif": "serif", "sans": "sans-serif", "slab": "serif", "mono": "monospace",
               "script": "cursive", "display": "sans-serif"}


def choose(kind: Kind, installed: set[str] | frozenset[str],
           extra: dict[Kind, list[str]] | None = None) -> str | None:
    """The installed family to draw a missing family of `kind` with, or None when nothing of
    its kind is installed. `installed`: lower-cased installed families; `extra`: families
    classified by their files' metadata (fonts/ and uploads), tried after the table's."""
    extra = extra or {}
    tried: list[tuple[str, str]] = [(kind.kind, kind.style), (kind.kind, "")]
    if FALLBACK_KIND.get(kind.kind):
        tried.append((FALLBACK_KIND[kind.kind], ""))
    for key in dict.fromkeys(tried):
        for family in CANDIDATES.get(key, ()):
            if family.lower() in installed:
                return family
        for facts_kind, families in extra.items():
            if (facts_kind.kind, facts_kind.style) == key or (
                    key[1] == "" and facts_kind.kind == key[0]):
                for family in families:
                    if family.lower() in installed:
                        return family
    return None
