"""svgrender against Chromium on our own corpus of real exports (see README.md).

    python tests/corpus/own_corpus.py [NAME ...]

Each file is drawn at WIDTH px wide, the size of a thumbnail (a vector re-render, as the answer's
thumbnail is), and compared with Chromium's drawing of the same file at the same size. Prints the
per-file differences and the pass count.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from lxml import etree
from PIL import Image

from svgrender import render as pipeline
from svgrender.draw.fonts import GENERIC, add_font_dir, configured_substitutes, installed_families
from svgrender.params import RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

HERE = Path(__file__).resolve().parent
WIDTH = 600
MAX_MEAN = 3.0  # mean absolute difference per channel (0-255), the issue's bar for a match
PASS_SHARE = 0.9  # at least 90 % of the files must match
OFF_BY = 32


@dataclass(frozen=True)
class Source:
    name: str
    exporter: str
    kind: str
    repo: str
    path: str
    licence: str
    commit: str
    sha256: str


def sources() -> list[Source]:
    with open(HERE / "MANIFEST.tsv", newline="") as handle:
        return [Source(**{k: row[k] for k in Source.__dataclass_fields__})
                for row in csv.DictReader(handle, delimiter="\t")]


def svg_path(name: str) -> Path:
    return HERE / "files" / f"{name}.svg"


def ref_path(name: str) -> Path:
    return HERE / "refs" / f"{name}.webp"


def inkscape_ref_path(name: str) -> Path:
    """Inkscape's drawing of a file with flowed text (make_references.py --inkscape)."""
    return HERE / "refs-inkscape" / f"{name}.webp"


FONTS = HERE / "fonts"  # the brand fonts the OSGeo repository ships with its files (OFL)
PACKAGE_FONTS = Settings().fonts_dir  # the open families svgrender ships (fonts/), as served


def use_corpus_fonts() -> None:
    """The fonts a user of these files would upload (`POST /v1/fonts`); Chromium gets them too."""
    add_font_dir(FONTS)
    add_font_dir(PACKAGE_FONTS)


def settings() -> Settings:
    return replace(Settings(), thumb_width=WIDTH)


def size_of(name: str) -> tuple[int, int]:
    """The size both renderers draw at: the thumbnail's (WIDTH wide, the file's aspect)."""
    template = load_template(name, svg_path(name).read_bytes(), settings())
    return WIDTH, max(1, round(WIDTH * template.height / template.width))


def has_flowed_text(name: str) -> bool:
    return b"<flowRoot" in svg_path(name).read_bytes()


def without_flowed_text(data: bytes) -> bytes:
    """The file with its Inkscape flowed text removed: Chromium draws none of it (flowRoot was
    dropped from SVG 1.2), svgrender draws it (deliberately). Comparing the rest shows whether
    everything else matches."""
    root = etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))
    for flowed in root.iter("{http://www.w3.org/2000/svg}flowRoot"):
        flowed.getparent().remove(flowed)
    return etree.tostring(root)


FONT_FAMILY = re.compile(rb"""(font-family\s*(?::|=\s*["']?))([^;"'<>]*(?:'[^']*'[^;"'<>]*)*)""")
CHROMIUM_STANDARD_FONT = b"'Times New Roman'"  # Chromium's default when no family is found
# Families fontconfig's own metric aliases give both renderers (30-metric-aliases.conf).
METRIC_ALIASES = {"arial", "helvetica", "times", "times new roman", "courier", "courier new"}


def with_chromium_font_choices(data: bytes) -> bytes:
    """The file with every font-family list none of whose families is installed replaced by
    Chromium's standard font. Where a design names only fonts the machine lacks, Chromium draws
    Times (Liberation Serif), svgrender the generic family or sans-serif (issue #13); where it
    names a face by its PostScript or full name ("MiriamLibre-Bold"), svgrender draws that face,
    Chromium Times. Deliberate: this shows whether everything else matches. Families with a
    fontconfig alias (svgrender's substitutes, fontconfig's metric aliases) both draw alike."""
    found = installed_families() | GENERIC | METRIC_ALIASES | set(configured_substitutes())

    def replace(match: re.Match) -> bytes:
        names = [n.strip().strip("'\"").lower() for n in match.group(2).decode().split(",")]
        if any(n in found for n in names if n):
            return match.group(0)
        return match.group(1) + CHROMIUM_STANDARD_FONT

    return FONT_FAMILY.sub(replace, data)


@functools.lru_cache(maxsize=4)  # a file with flowed text is compared twice, drawn once
def render(name: str, flowed_text: bool = True,
           chromium_fonts: bool = False) -> tuple[np.ndarray, list[str]]:
    use_corpus_fonts()
    data = svg_path(name).read_bytes()
    if not flowed_text:
        data = without_flowed_text(data)
    if chromium_fonts:
        data = with_chromium_font_choices(data)
    template = load_template(name, data, settings())
    result = pipeline.render(template, RenderRequest(format="png"), settings())
    image = Image.open(io.BytesIO(result.files[1].data)).convert("RGBA")  # the thumbnail
    page = Image.new("RGBA", image.size, (255, 255, 255, 255))  # Chromium's page is white
    return np.asarray(Image.alpha_composite(page, image).convert("RGB"), dtype=np.int16), \
        result.warnings


def _pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def measure(name: str, flowed_text: bool = True,
            chromium_fonts: bool = False) -> tuple[float, float]:
    ours, _ = render(name, flowed_text, chromium_fonts)
    delta = np.abs(_pixels(ref_path(name)) - ours)
    return float(delta.mean()), float((delta.max(axis=-1) > OFF_BY).mean())


def against_inkscape(name: str) -> tuple[float, float] | None:
    """For a file with flowed text: (svgrender vs Inkscape, Chromium vs Inkscape), the mean
    differences from the drawing of the editor its designer used; None without that drawing."""
    if not inkscape_ref_path(name).exists():
        return None
    inkscape = _pixels(inkscape_ref_path(name))
    ours, _ = render(name)
    return (float(np.abs(inkscape - ours).mean()),
            float(np.abs(inkscape - _pixels(ref_path(name))).mean()))


def uses_fonts_chromium_lacks(name: str) -> bool:
    data = svg_path(name).read_bytes()
    return with_chromium_font_choices(data) != data


def deliberate_differences(name: str) -> list[str]:
    """What svgrender does differently from Chromium on purpose, in this file."""
    found = []
    if has_flowed_text(name):
        found.append("flowed text")
    if uses_fonts_chromium_lacks(name):
        found.append("font choice")
    return found


def measure_apart(name: str) -> float:
    """The mean difference with the deliberate differences set aside."""
    found = deliberate_differences(name)
    return measure(name, flowed_text="flowed text" not in found,
                   chromium_fonts="font choice" in found)[0]


def results(names: list[str] | None = None) -> dict[str, dict]:
    """Per file: the mean difference as is, and with the deliberate differences set aside."""
    out = {}
    for source in sources():
        if names and source.name not in names:
            continue
        start = time.perf_counter()
        mean, off = measure(source.name)
        took = (time.perf_counter() - start) * 1000
        found = deliberate_differences(source.name) if mean > MAX_MEAN else []
        inkscape = against_inkscape(source.name) if has_flowed_text(source.name) else None
        out[source.name] = {"mean": mean, "off": off, "ms": took, "deliberate": found,
                            "apart": measure_apart(source.name) if found else mean,
                            "inkscape": inkscape}
    return out


def table(rows: dict[str, dict]) -> str:
    exporters = {source.name: source.exporter for source in sources()}
    lines = [f"{'file':<28} {'exporter':<26} {'mean':>6} {'off %':>6} {'ms':>6}  match"]
    for name, row in rows.items():
        verdict = "yes" if row["mean"] <= MAX_MEAN else "NO"
        if row["deliberate"]:
            verdict += f": {' and '.join(row['deliberate'])}; apart from that {row['apart']:.2f}"
        if row.get("inkscape") and "flowed text" in row["deliberate"]:
            ours, browser = row["inkscape"]
            verdict += f"; against Inkscape {ours:.2f} (Chromium {browser:.2f})"
        lines.append(f"{name:<28} {exporters[name][:26]:<26} {row['mean']:>6.2f} "
                     f"{row['off'] * 100:>6.2f} {row['ms']:>6.0f}  {verdict}")
    matched = sum(row["mean"] <= MAX_MEAN for row in rows.values())
    apart = sum(row["mean"] > MAX_MEAN and row["apart"] <= MAX_MEAN for row in rows.values())
    lines.append(f"{matched} of {len(rows)} files match Chromium (mean ≤ {MAX_MEAN}) at {WIDTH} "
                 f"px wide; {apart} more match once the deliberate differences are set aside "
                 "(Inkscape flowed text, which Chromium does not draw; fonts Chromium cannot "
                 "find, drawn by Chromium in Times)")
    flowed = [row["inkscape"] for row in rows.values() if row.get("inkscape")]
    if flowed:
        closer = sum(ours < browser for ours, browser in flowed)
        lines.append(f"Files with flowed text, against Inkscape's drawing (the designer's "
                     f"view): svgrender is closer than Chromium on {closer} of {len(flowed)}")
    lines.append(f"{sum(matches_reference(row) for row in rows.values())} of {len(rows)} files "
                 f"match their reference (mean ≤ {MAX_MEAN}): Chromium, or for files with "
                 "Inkscape flowed text, which no browser draws, Inkscape")
    return "\n".join(lines)


def matches_reference(row: dict) -> bool:
    """Matches Chromium, or for a file with flowed text, the drawing of the editor it needs."""
    return row["mean"] <= MAX_MEAN or bool(row.get("inkscape")) and row["inkscape"][0] <= MAX_MEAN


if __name__ == "__main__":
    import json
    import sys

    from svgrender.draw import seams

    seams.install()
    as_json = "--json" in sys.argv
    measured = results([a for a in sys.argv[1:] if a != "--json"] or None)
    print(json.dumps(measured) if as_json else table(measured))
