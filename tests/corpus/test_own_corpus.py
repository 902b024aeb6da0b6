"""Our corpus of real exports against Chromium (issue #13). `own_corpus.py` prints the table.

Measured in a child process: the corpus's brand fonts (Sintony, Miriam Libre) must not become
installed fonts for the rest of the test session.
"""

import hashlib
import json
import subprocess
import sys

import pytest

from own_corpus import (HERE, MAX_MEAN, PASS_SHARE, has_flowed_text, inkscape_ref_path,
                        matches_reference, ref_path, sources, svg_path)

# Files that do not match even with the deliberate differences set aside, with the cause.
MISSES: dict[str, str] = {
    "osgeo-geoserver-a4": "its three embedded map images, drawn 2.9× reduced: ours (Pillow "
                          "Lanczos to the drawn size, then placed at a fractional pixel) are "
                          "softer than Chromium's; mean 3.3",
}


@pytest.fixture(scope="module")
def measured():
    """The corpus measured by two children at once, each half of the files (two cores)."""
    names = [source.name for source in sources()]
    children = [subprocess.Popen([sys.executable, str(HERE / "own_corpus.py"), "--json",
                                  *names[half::2]], stdout=subprocess.PIPE, text=True)
                for half in (0, 1)]
    rows = {}
    for child in children:
        out, _ = child.communicate(timeout=900)
        assert child.returncode == 0, "own_corpus.py failed (its error is above)"
        rows.update(json.loads(out))
    return {name: rows[name] for name in names}


@pytest.mark.parametrize("source", sources(), ids=lambda source: source.name)
def test_file_matches_chromium(measured, source):
    row = measured[source.name]
    # With Inkscape flowed text (Chromium draws none) or fonts Chromium cannot find (it draws
    # Times) set aside, everything else must match.
    mean = row["apart"]
    if source.name in MISSES:
        pytest.xfail(MISSES[source.name])
    assert mean <= MAX_MEAN, f"{source.name}: mean abs diff {mean:.2f} against Chromium"


# Files that match as they are (no difference set aside): 30 of 40 since the substitutes for
# commercial fonts (font_substitutes.conf). The rest: Inkscape flowed text (8), a PostScript
# face name Chromium does not resolve (osgeo-postgis-letter), the embedded maps above.
MATCH_AS_IS = 30


@pytest.mark.parametrize("source", [s for s in sources() if has_flowed_text(s.name)],
                         ids=lambda source: source.name)
def test_flowed_text_is_drawn_as_in_inkscape(measured, source):
    """Inkscape flowed text against Inkscape's own drawing (the designer's view; no browser
    draws it). Before line heights, typed spaces, the region's end, Inkscape's first baseline
    and text on a path were modelled, 7 of these 9 files were over 3.0 (4.6-14.4)."""
    assert inkscape_ref_path(source.name).exists()
    ours, chromium = measured[source.name]["inkscape"]
    assert ours < chromium, f"{source.name}: {ours:.2f} from Inkscape, Chromium {chromium:.2f}"
    assert ours <= MAX_MEAN, f"{source.name}: mean abs diff {ours:.2f} against Inkscape"


def test_ninety_percent_match_their_reference(measured):
    """Chromium's drawing, or Inkscape's for files with flowed text."""
    matching = [name for name, row in measured.items() if matches_reference(row)]
    assert len(matching) >= PASS_SHARE * len(measured), sorted(set(measured) - set(matching))


def test_files_that_match_as_they_are(measured):
    matching = sorted(name for name, row in measured.items() if row["mean"] <= MAX_MEAN)
    assert len(matching) >= MATCH_AS_IS, matching


def test_at_least_ninety_percent_match():
    assert len(sources()) >= 40
    assert len(MISSES) <= (1 - PASS_SHARE) * len(sources())


@pytest.mark.parametrize("source", sources(), ids=lambda source: source.name)
def test_file_is_the_published_one(source):
    data = svg_path(source.name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == source.sha256
    assert source.repo and source.path and len(source.commit) == 40 and source.licence
    assert ref_path(source.name).exists()
