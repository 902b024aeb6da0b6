"""Which typeface draws each font family the corpora name (issue #33).

    .venv/bin/python tests/corpus/font_report.py [--names 'Oswald' 'Poppins' ...]

Reads every `font-family` (attributes, `style`, `<style>` sheets) of tests/corpus/files,
../shared/corpus and templates/, and prints per family how svgrender draws it:

- real: the family is installed (or, for a PostScript or full name such as `MiriamLibre-Bold`,
  the face of that name is);
- metric substitute: a metric-compatible or configured free face (fontconfig's aliases,
  svgrender/draw/font_substitutes.conf: Arial -> Liberation Sans, Gill Sans -> Gillius ADF);
- same-kind fallback: the closest installed face of its kind (svgrender/draw/font_kinds.py);
- generic fallback: the default font (or the list's generic family).

Generic families (`sans-serif`, Inkscape's `Sans`) are no missing fonts: listed apart. The
corpus's own brand fonts (tests/corpus/fonts: Sintony, Miriam Libre) count as uploaded, as in
own_corpus.py. Counts are of distinct family names and of the times a file names them. Runs
against whichever svgrender is first on the path (PYTHONPATH=/work/main: the code before the
fallback by kind).
"""

from __future__ import annotations

import collections
import html
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPORA = {
    "tests/corpus": HERE / "files",
    "../shared/corpus": ROOT.parent / "shared" / "corpus",
    "templates": ROOT / "templates",
}
FAMILY = re.compile(r"""font-family\s*(?::|=\s*["'])\s*([^;"<>}]*(?:'[^']*'[^;"<>}]*)*)""")
CATEGORIES = ("real", "metric substitute", "same-kind fallback", "generic fallback")


def named_families() -> tuple[collections.Counter, dict[str, set[str]]]:
    """Every family name (as written, first spelling kept) -> times named, and where."""
    counts: collections.Counter = collections.Counter()
    where: dict[str, set[str]] = collections.defaultdict(set)
    spelling: dict[str, str] = {}
    for corpus, folder in CORPORA.items():
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.svg")):
            text = html.unescape(path.read_text(encoding="utf-8", errors="replace"))
            for match in FAMILY.finditer(text):
                for name in match.group(1).split(","):
                    name = name.strip().strip("'\"").strip()
                    if not name or len(name) > 100:
                        continue
                    name = spelling.setdefault(name.lower(), name)
                    counts[name] += 1
                    where[name].add(corpus)
    return counts, where


def category(name: str) -> tuple[str, str]:
    """(category, what draws it) for one family name."""
    from svgrender.draw import fonts

    if hasattr(fonts, "drawn_with"):  # with the fallback by kind (issue #33)
        drawn = fonts.drawn_with(name)
        return {"real": "real", "face": "real", "base": "real", "generic": "generic family",
                "listed": "real", "substitute": "metric substitute",
                "kind": "same-kind fallback"}.get(drawn.how, "generic fallback"), \
            f"{drawn.family}" + (f" ({drawn.why})" if drawn.why else "")
    # before: fontconfig's substitute or the default font
    if name.lower() in fonts.GENERIC | {"mono", "sans serif"}:
        return "generic family", fonts.substitute_for(name)
    if name.lower() in fonts.installed_families():
        return "real", name
    face = fonts.face_named(name)
    if face:
        return "real", face.family
    substitute = fonts.deliberate_substitute(name)
    if substitute:
        return "metric substitute", substitute
    return "generic fallback", fonts.substitute_for(name)


def report(extra: list[str]) -> str:
    from svgrender.draw import fonts
    from svgrender.settings import Settings

    fonts.add_font_dir(HERE / "fonts")  # the corpus's brand fonts, as a user uploads them
    fonts.add_font_dir(Settings().fonts_dir)  # the families svgrender ships, as the service does
    counts, where = named_families()
    for name in extra:
        counts.setdefault(name, 0)
        where[name].add("--names")
    rows = []
    by_category: collections.Counter = collections.Counter()
    uses: collections.Counter = collections.Counter()
    for name, times in sorted(counts.items(), key=lambda item: (-item[1], item[0].lower())):
        kind, drawn = category(name)
        rows.append(f"{name[:34]:<34} {times:>5}  {kind:<19} {drawn[:44]:<44} "
                    f"{', '.join(sorted(where[name]))}")
        if kind != "generic family":
            by_category[kind] += 1
            uses[kind] += times
    total, total_uses = sum(by_category.values()), sum(uses.values())
    lines = [f"{'family':<34} {'named':>5}  {'drawn as':<19} {'with':<44} where"] + rows + [""]
    for kind in CATEGORIES:
        lines.append(f"{kind:<19} {by_category[kind]:>3} of {total} families "
                     f"({100 * by_category[kind] / max(total, 1):.0f} %), "
                     f"{uses[kind]:>5} of {total_uses} mentions")
    generic = [name for name in counts if category(name)[0] == "generic family"]
    lines.append(f"generic families (not counted): {', '.join(generic)}")
    return "\n".join(lines)


if __name__ == "__main__":
    args = sys.argv[1:]
    names = args[args.index("--names") + 1:] if "--names" in args else []
    print(report(names))
