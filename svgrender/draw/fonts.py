"""Fonts: add fonts/ to fontconfig at start-up, list families, vet requested ones."""

from __future__ import annotations

import ctypes
import ctypes.util
import difflib
import re
import functools
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from svgrender.draw.font_kinds import (KNOWN, NAME_RULES, Kind, base_names, choose,
                                       classify_font, classify_name)
from svgrender.errors import InvalidParam

GENERIC = {"serif", "sans-serif", "sans", "monospace", "cursive", "fantasy", "system-ui",
           "emoji", "math"}
_added: set[str] = set()
_added_files: set[str] = set()
SUBSTITUTES = Path(__file__).with_name("font_substitutes.conf")
_substitutes_loaded = threading.Event()


def generation() -> int:
    """Changes whenever fonts are added: drawings cached before then may look different."""
    return len(_added) + len(_added_files) + _substitutes_loaded.is_set()


@functools.lru_cache(maxsize=1)
def _fontconfig():
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    lib = ctypes.CDLL(name)
    lib.FcConfigAppFontAddDir.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.FcConfigAppFontAddDir.restype = ctypes.c_int
    lib.FcConfigAppFontAddFile.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.FcConfigAppFontAddFile.restype = ctypes.c_int
    lib.FcConfigParseAndLoad.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.FcConfigParseAndLoad.restype = ctypes.c_int
    lib.FcConfigGetCurrent.restype = ctypes.c_void_p
    lib.FcPatternCreate.restype = ctypes.c_void_p
    lib.FcPatternAddString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    lib.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    lib.FcFontMatch.restype = ctypes.c_void_p
    lib.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                       ctypes.POINTER(ctypes.c_char_p)]
    lib.FcPatternGetString.restype = ctypes.c_int
    lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    return lib


_substitutes_lock = threading.Lock()


def load_substitutes() -> None:
    """Free faces for the commercial families exports name (font_substitutes.conf: Helvetica
    Neue -> Nimbus Sans, Gill Sans -> Gillius ADF, ArialMT -> Liberation Sans, ...), loaded
    into this process's fontconfig once, before the first layout."""
    if _substitutes_loaded.is_set():
        return
    with _substitutes_lock:
        if not _substitutes_loaded.is_set():
            lib = _fontconfig()  # (NULL for "the current config" crashes fontconfig 2.14)
            lib.FcConfigParseAndLoad(lib.FcConfigGetCurrent(), str(SUBSTITUTES).encode(), 1)
            _choose_kind_picks()
            _substitutes_loaded.set()
            _faces.cache_clear()
            _clear_match_caches()


@functools.lru_cache(maxsize=1)
def configured_substitutes() -> dict[str, str]:
    """Lower-cased family -> its substitute, as font_substitutes.conf names them."""
    from lxml import etree

    root = etree.parse(str(SUBSTITUTES), etree.XMLParser(resolve_entities=False,
                                                         no_network=True)).getroot()
    return {alias.findtext("family").lower(): alias.findtext("prefer/family")
            for alias in root.iter("alias")}


def add_font_dir(directory: Path) -> bool:
    """Make every font in `directory` usable by family name (cairo and Pango use the same config)."""
    directory = Path(directory).resolve()
    if str(directory) in _added or not directory.is_dir():
        return False
    ok = bool(_fontconfig().FcConfigAppFontAddDir(None, str(directory).encode()))
    if ok:
        _added.add(str(directory))
        _fonts_changed()
    return ok


def add_font_file(path: Path) -> bool:
    """One font file made usable by family name (fonts uploaded at run time)."""
    ok = bool(_fontconfig().FcConfigAppFontAddFile(None, str(Path(path).resolve()).encode()))
    if ok:
        _added_files.add(str(Path(path).resolve()))
        _fonts_changed()
    return ok


def _fonts_changed() -> None:
    available_families.cache_clear()
    _faces.cache_clear()
    if _substitutes_loaded.is_set():
        with _substitutes_lock:
            _choose_kind_picks()  # an added font may be the closest of its kind now
    _clear_match_caches()
    _reset_pango_font_map()


_thread_generation = threading.local()


def fresh_font_map() -> None:
    """Pango's default font map is per thread and keeps the fonts it saw first: a thread that
    has not drawn since fonts were added drops its map, so its next layout sees them."""
    load_substitutes()
    if getattr(_thread_generation, "value", None) != generation():
        _reset_pango_font_map()
        _thread_generation.value = generation()


def _reset_pango_font_map() -> None:
    """Pango keeps the font list it saw first: drop (this thread's) default map so the next
    layout sees the fonts just added (at start-up this is a no-op)."""
    try:
        from pangocairocffi import ffi, pangocairo
    except ImportError:  # pragma: no cover - Pango is a hard dependency, but stay safe
        return
    pangocairo.pango_cairo_font_map_set_default(ffi.NULL)


@functools.lru_cache(maxsize=1)
def available_families() -> tuple[str, ...]:
    """Families fontconfig knows, system fonts and fonts/ alike."""
    families: set[str] = set()
    try:
        out = subprocess.run(["fc-list", "--format", "%{family}\n"], capture_output=True,
                             text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    for line in out.splitlines():
        for name in line.split(","):
            if name.strip():
                families.add(name.strip())
    for directory in sorted(_added | _added_files):  # fc-list runs in its own process: ask
        # it about our folders and files too
        try:
            out = subprocess.run(["fc-scan", "--format", "%{family}\n", directory],
                                 capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        families.update(n.strip() for line in out.splitlines() for n in line.split(",") if n.strip())
    return tuple(sorted(families, key=str.lower))


@dataclass(frozen=True)
class Face:
    family: str
    weight: int  # CSS 100-950
    italic: bool


# fontconfig weights -> CSS weights (fontconfig.h: THIN 0 ... REGULAR 80 ... BOLD 200, BLACK 210)
FC_WEIGHTS = ((0, 100), (40, 200), (50, 300), (55, 350), (75, 380), (80, 400), (100, 500),
              (180, 600), (200, 700), (205, 800), (210, 900), (215, 950))


def _css_weight(fc_weight: float) -> int:
    return min(FC_WEIGHTS, key=lambda pair: abs(pair[0] - fc_weight))[1]


@functools.lru_cache(maxsize=1)
def _faces() -> dict[str, Face]:
    """Installed faces by lower-cased PostScript and full name ("MiriamLibre-Bold", "Sintony
    Bold"): Illustrator and Inkscape often write those as the font-family, and browsers find
    the face by them."""
    form = "%{family[0]}|%{postscriptname}|%{fullname[0]}|%{weight}|%{slant}\n"
    outputs = []
    for command in [["fc-list", "--format", form]] + [
            ["fc-scan", "--format", form, directory] for directory in sorted(_added | _added_files)]:
        try:
            outputs.append(subprocess.run(command, capture_output=True, text=True,
                                          timeout=20).stdout)
        except (OSError, subprocess.SubprocessError):
            continue
    faces: dict[str, Face] = {}
    for line in "\n".join(outputs).splitlines():
        parts = line.split("|")
        if len(parts) != 5 or not parts[0]:
            continue
        family, postscript, full, weight, slant = parts
        try:
            face = Face(family, _css_weight(float(weight.split()[0].strip("[]"))),
                        float(slant or 0) > 0)
        except ValueError:
            continue
        for name in (postscript, full):
            if name:
                faces.setdefault(name.lower(), face)
    return faces


def face_named(name: str) -> Face | None:
    """The installed face whose PostScript or full name is `name`, if `name` is no family."""
    if not name or name.lower() in installed_families():
        return None
    return _faces().get(name.lower())


def installed_families() -> frozenset[str]:
    """Lower-cased installed family names (cached with available_families)."""
    return _lowered(available_families())


@functools.lru_cache(maxsize=4)
def _lowered(families: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f.lower() for f in families)


@functools.lru_cache(maxsize=256)
def substitute_for(family: str) -> str:
    """The family fontconfig draws instead of a missing one (asked in this process: the
    substitutes and fonts/ loaded here count; the fallback by kind is ours: drawn_with)."""
    load_substitutes()
    return _match((family,)) or "the default sans-serif font"


def _clear_match_caches() -> None:
    substitute_for.cache_clear()
    _drawn_with.cache_clear()
    missing_family_message.cache_clear()


def _match(families: tuple[str, ...]) -> str:
    """The family fontconfig matches for a font-family list (as Pango asks it: one pattern,
    every family strong)."""
    lib = _fontconfig()
    pattern = lib.FcPatternCreate()
    try:
        for family in families:
            lib.FcPatternAddString(pattern, b"family", family.encode())
        lib.FcConfigSubstitute(None, pattern, 0)  # FcMatchPattern
        lib.FcDefaultSubstitute(pattern)
        result = ctypes.c_int()
        match = lib.FcFontMatch(None, pattern, ctypes.byref(result))
        if not match:
            return ""
        name = ctypes.c_char_p()
        found = lib.FcPatternGetString(match, b"family", 0, ctypes.byref(name)) == 0
        out = name.value.decode() if found and name.value else ""
        lib.FcPatternDestroy(match)
    finally:
        lib.FcPatternDestroy(pattern)
    return out


NO_SUCH_FAMILY = "svgrender-no-such-family"


def deliberate_substitute(family: str) -> str | None:
    """The face fontconfig puts in place of `family` on purpose — a metric-compatible alias
    (Arial -> Liberation Sans) or one of font_substitutes.conf — or None when it would only
    fall back to the default font, as for any unknown name."""
    chosen = substitute_for(family)
    return None if chosen == substitute_for(NO_SUCH_FAMILY) else chosen


# A family name: letters (any script), digits, spaces, '-', '_', '.', and quotes around it.
FAMILY_NAME = re.compile(r"^\s*(['\"]?)[\w][\w .-]*\1\s*$", re.UNICODE)


def check_family(value: str, layer: str) -> str:
    """The CSS font-family list, rebuilt from validated names (so nothing but names can reach
    the style attribute), if its first family exists; else 422 with close matches."""
    names = value.split(",") if isinstance(value, str) else []
    if not value or len(value) > 200 or len(names) > 10 or not all(
            FAMILY_NAME.match(name) for name in names):
        raise InvalidParam(f"layer {layer!r}: fontFamily must be a comma-separated list of "
                           "family names (letters, digits, spaces, '-', '_', '.')",
                           layer=layer, field="fontFamily", code="invalid_font_family")
    families = [name.strip().strip("'\"").strip() for name in names]
    value = ", ".join(f"'{f}'" if " " in f else f for f in families)
    first = families[0]
    families = available_families()
    lowered = {f.lower(): f for f in families}
    if first.lower() in GENERIC or first.lower() in lowered or not families:
        return value
    if deliberate_substitute(first):  # Arial, Helvetica, Gill Sans…: drawn with the
        return value  # metric-compatible or configured face, named in the warnings
    near = difflib.get_close_matches(first.lower(), list(lowered), n=5, cutoff=0.5)
    hint = ("; close matches: " + ", ".join(lowered[n] for n in near)) if near else ""
    raise InvalidParam(f"layer {layer!r}: font family {first!r} is not installed{hint}. "
                       "GET /v1/fonts lists the families", layer=layer, field="fontFamily",
                       code="unknown_font")


# --- the fallback by kind (font_kinds.py) -----------------------------------------------------

_kind_picks: dict[Kind, str] = {}  # kind -> the installed family drawn for it
# Inkscape's and CSS's generic names: never a missing font, never re-chosen by kind.
GENERIC_NAMES = GENERIC | {"mono", "sans serif", "sansserif", "default"}


def _metadata_kinds() -> dict[Kind, list[str]]:
    """Families of fonts/ and uploaded fonts by the kind their own metadata gives."""
    out: dict[Kind, list[str]] = {}
    paths: list[Path] = []
    for entry in sorted(_added | _added_files):
        entry_path = Path(entry)
        if entry_path.is_dir():
            paths += sorted(p for p in entry_path.rglob("*")
                            if p.suffix.lower() in (".ttf", ".otf", ".ttc", ".otc"))
        else:
            paths.append(entry_path)
    for path in paths[:500]:
        facts = classify_font(path)
        if facts and facts.kind and facts.family:
            out.setdefault(facts.kind, [])
            if facts.family not in out[facts.kind]:
                out[facts.kind].append(facts.family)
    return out


class _MetadataKinds:
    """_metadata_kinds(), read only when a kind has no table candidate installed: classifying
    every file of fonts/ with fontTools costs ~4 ms a file (0.2 s for the shipped families) at
    each start, and a full install has a table face for nearly every kind."""

    def __init__(self) -> None:
        self._kinds: dict[Kind, list[str]] | None = None

    def items(self):
        if self._kinds is None:
            self._kinds = _metadata_kinds()
        return self._kinds.items()


def _choose_kind_picks() -> None:
    """For each kind of the table and the name rules, the installed face to draw a missing
    family of that kind with (font_kinds.choose: the table's candidates, then fonts/ and
    uploaded fonts by their metadata). Called with _substitutes_lock held, and again when fonts
    are added."""
    global _kind_picks
    installed = installed_families()
    picks: dict[Kind, str] = {}
    extra = _MetadataKinds()
    for kind in set(KNOWN.values()) | {kind for _, _, kind in NAME_RULES}:
        chosen = choose(kind, installed, extra) if installed else None
        if chosen:
            picks[kind] = chosen
    _kind_picks = picks  # (swapped whole: a render in another thread sees old or new)


def kind_fallback(family: str) -> tuple[str, Kind] | None:
    """The installed face a missing `family` is drawn with because of its kind, and the kind;
    None when its kind is unknown or nothing of its kind is installed."""
    kind = classify_name(family)
    if kind is None or family.strip().lower() in GENERIC_NAMES:
        return None
    load_substitutes()
    chosen = _kind_picks.get(kind)
    return (chosen, kind) if chosen else None


def _split(families: str) -> tuple[str, ...]:
    return tuple(n.strip().strip("'\"").strip() for n in families.split(",")
                 if n.strip().strip("'\"").strip())


@dataclass(frozen=True)
class Drawn:
    """How the first family of a font-family list is drawn."""
    family: str  # the family drawn
    how: str  # real · face · base · generic · listed · substitute · kind · fallback
    why: str  # for the warning: "condensed sans", "metric-compatible", ...

    @property
    def missing(self) -> bool:
        return self.how in ("substitute", "kind", "fallback")


# Families fontconfig's metric aliases and font_substitutes.conf draw with the same metrics.
METRIC_FACES = {"liberation sans", "liberation serif", "liberation mono", "liberation sans narrow",
                "nimbus sans", "nimbus roman", "nimbus mono ps", "nimbus sans narrow", "p052",
                "c059", "urw bookman", "urw gothic", "z003", "carlito", "caladea", "arimo",
                "tinos", "cousine", "tex gyre heros", "tex gyre termes", "tex gyre cursor"}


# Faces with no letters: never a substitute for a typeface.
SYMBOL_FACES = {"d050000l", "standard symbols ps", "fontawesome", "noto color emoji",
                "opensymbol", "dingbats"}


@functools.lru_cache(maxsize=512)
def _drawn_with(families: tuple[str, ...], generation_: int) -> Drawn:
    installed = installed_families()
    first = families[0] if families else "sans-serif"
    if first.lower() in GENERIC_NAMES:
        return Drawn(_match((first,)) or first, "generic", "generic family")
    if first.lower() in installed:
        return Drawn(first, "real", "")
    later = [f for f in families[1:] if f.lower() not in GENERIC_NAMES and (
        f.lower() in installed or deliberate_substitute(f))]
    face = face_named(first)
    if face and not any(f.lower() in installed for f in families[1:]):
        return Drawn(face.family, "face", "")
    if later:  # the designer's own next choice, as browsers draw it
        return Drawn(_match(families) or later[0], "listed", "next family in the list")
    for base in base_names(first):  # 'Sintony embedded' (PDF imports), 'Oswald-Bold':
        if base.lower() in installed:  # the family itself
            return Drawn(base, "base", "")
        face = face_named(base)
        if face:  # 'MiriamLibre-Bold embedded': that face's family
            return Drawn(face.family, "base", "")
    substitute = deliberate_substitute(first)
    if substitute and substitute.lower() not in SYMBOL_FACES:  # (fontconfig sends Impact to
        # 'fantasy', which is Zapf Dingbats' clone here: no letters at all)
        why = "metric-compatible" if substitute.lower() in METRIC_FACES else "substitute"
        return Drawn(substitute, "substitute", why)
    by_kind = kind_fallback(first)
    if by_kind:
        return Drawn(by_kind[0], "kind", by_kind[1].label)
    generic = next((f for f in families[1:] if f.lower() in GENERIC_NAMES), None)
    drawn = _match(families) or "the default sans-serif font"
    if generic:
        return Drawn(drawn, "fallback", f"the list's {generic}")
    return Drawn(drawn, "fallback", "default font")


def drawn_with(families: str) -> Drawn:
    """How a font-family list's first family is drawn: itself, an installed face of that name,
    the next family of the list, a metric-compatible or configured substitute, the closest
    installed face of its kind, or (fallback) a generic family or the default font."""
    load_substitutes()
    names = _split(families) or ("sans-serif",)
    if len(names) > 1 and names[0].lower() not in installed_families():
        drawn = _drawn_with(names[:1] + names[2:], generation())  # the list
        if drawn.how in ("kind", "base") and drawn.family == names[1]:  # with_kind_fallback
            names = names[:1] + names[2:]  # made: as designed
    return _drawn_with(names, generation())


@functools.lru_cache(maxsize=512)
def missing_family_message(families: str) -> str | None:
    """The warning for a font-family list whose first family the machine lacks (None when it
    is drawn as named): which face is drawn instead, and why."""
    if not installed_families():
        return None
    drawn = drawn_with(families)
    if not drawn.missing:
        return None
    first = (_split(families) or ("",))[0]
    if drawn.how == "kind":
        return f"font {first!r} is not installed: drawn with {drawn.family!r} ({drawn.why})"
    return f"font {first!r} is not installed: drawn with {drawn.family} ({drawn.why})"


def warn_missing_family(families: str, notices) -> None:
    """Warn once per render (`notices`, a notices.Notices) that the first family of `families`
    is missing (a text of many lines and spans asks for each)."""
    message = missing_family_message(families)
    # Layouts measured before the drawing (as fit does) are drawn later, inside the render:
    # told then, once (Notices.warn keeps one of each).
    if message is not None and notices.collecting:
        notices.warn(message)


def with_kind_fallback(families: str) -> str:
    """A font-family list (as Pango takes it, comma-separated) with the closest installed face
    of its first family's kind put right after it, when that family is missing and nothing the
    list names next is installed: `Oswald,sans-serif` -> `Oswald,Roboto Condensed,sans-serif`.
    Weight, slant and width stay the text's: fontconfig picks the face of that family closest
    to them."""
    names = _split(families)
    if not names or names[0].lower() in GENERIC_NAMES:
        return families
    drawn = drawn_with(families)
    if drawn.how not in ("kind", "base") or names[1:2] == (drawn.family,):
        return families
    return ",".join((names[0], drawn.family) + names[1:])
