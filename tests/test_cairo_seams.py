"""The CairoSVG internals we extend must still be where we hook in, and nothing is patched
until `install()` is called."""

import subprocess
import sys

import cairosvg
import pytest
from cairosvg import defs, surface

from svgrender.draw import seams


def test_every_seam_fits_the_installed_cairosvg():
    assert cairosvg.__version__.startswith(seams.SUPPORTED_CAIROSVG)
    assert seams.check() == []


def test_install_replaces_every_seam_and_uninstall_restores_them():
    seams.install()  # idempotent (the session fixture already installed)
    for seam in seams.SEAMS:
        assert seam.current() is seam.replacement, seam.where
    originals = {seam: seams._originals[seam] for seam in seams.SEAMS}
    seams.uninstall()
    try:
        assert surface.TAGS["rect"].__module__ == "cairosvg.shapes"
        assert "flowRoot" not in surface.TAGS
        for seam, original in originals.items():
            if original is not None:
                assert seam.current() is original, seam.where
    finally:
        seams.install()
    assert surface.TAGS["rect"] is seam_replacement("rect")


def seam_replacement(name):
    return next(s.replacement for s in seams.SEAMS if s.name == name)


@pytest.mark.parametrize("owner, name", [(surface, "prepare_filter"),
                                         (surface, "apply_filter_before_painting"),
                                         (surface, "paint_mask"), (defs, "draw_pattern")])
def test_a_moved_seam_is_reported_and_refused(monkeypatch, owner, name):
    """As if a CairoSVG upgrade had removed the function we hook into."""
    seams.uninstall()
    try:
        monkeypatch.delattr(owner, name)
        problems = seams.check()
        assert any(name in problem and "missing" in problem for problem in problems)
        with pytest.raises(seams.SeamMoved):
            seams.install()
    finally:
        monkeypatch.undo()
        seams.install()


def test_a_changed_original_is_reported(monkeypatch):
    seams.uninstall()
    try:
        monkeypatch.setitem(surface.TAGS, "rect", lambda surface, node: None)
        assert any("TAGS['rect']" in problem for problem in seams.check())
    finally:
        monkeypatch.undo()
        seams.install()


def test_importing_any_module_leaves_cairosvg_untouched():
    """In a fresh interpreter: import every svgrender module, then compare CairoSVG's tables."""
    code = """
import pkgutil, importlib, svgrender
import cairosvg.surface as s, cairosvg.defs as d
before = (dict(s.TAGS), d.draw_pattern, s.prepare_filter, s.apply_filter_before_painting,
          s.apply_filter_after_painting, s.paint_mask)
for info in pkgutil.walk_packages(svgrender.__path__, 'svgrender.'):
    if not info.name.endswith('__main__'):
        importlib.import_module(info.name)
after = (dict(s.TAGS), d.draw_pattern, s.prepare_filter, s.apply_filter_before_painting,
         s.apply_filter_after_painting, s.paint_mask)
assert before == after, 'importing svgrender patched CairoSVG'
from svgrender.draw import seams
assert not seams.installed()
seams.install()
assert s.TAGS['rect'] is not before[0]['rect']
print('ok')
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")


def test_empty_stylesheets_are_not_asked_about_every_element():
    """Rules inlined at load leave CairoSVG's matchers empty: those are skipped; a document
    that still has rules keeps CairoSVG's own matchers (and its rules still apply)."""
    from svgrender.draw.drawers import NO_RULES
    from svgrender.draw.surfaces import parse_for_cairo

    empty = parse_for_cairo(b'<svg xmlns="http://www.w3.org/2000/svg"><style></style>'
                            b'<rect width="4" height="4"/></svg>')
    assert empty.style == (NO_RULES, NO_RULES)
    styled = parse_for_cairo(b'<svg xmlns="http://www.w3.org/2000/svg"><style>.a{fill:#f00}'
                             b'</style><rect class="a" width="4" height="4"/></svg>')
    assert styled.style[0] is not NO_RULES
    assert styled.children[-1].get("fill") == "#f00"
