"""Settings are declared once: the environment, the defaults, the README and the docs agree."""

import re
from pathlib import Path

import pytest

from helpers import ROOT
from svgrender.settings import SettingError, Settings, declared

# The README and every page of the documentation site (the configuration reference itself is
# generated from the declarations at build time: tests/test_docs.py).
TEXTS = {path.name: path.read_text() for path in [ROOT / "README.md",
                                                  *sorted((ROOT / "docs").glob("*.md"))]}


def test_defaults_are_the_same_with_and_without_the_environment():
    assert Settings.from_env({}) == Settings()


def test_every_declared_setting_is_read_from_its_variable():
    samples = {"int": "7", "float": "2.5", "Path": "/tmp/x", "Path | None": "/tmp/y",
               "str | None": "https://img.example.com", "str": "agent/1",
               "tuple[str, ...]": "a, b,,c", "bool": "yes"}
    environ = {spec.env: samples[spec.type] for spec in declared()}
    settings = Settings.from_env(environ)
    for spec in declared():
        value = getattr(settings, spec.name)
        assert value != spec.default, f"{spec.env} was not read"
    assert settings.api_keys == ("a", "b", "c")
    assert settings.cache_dir == Path("/tmp/y")


def test_booleans_read_the_usual_spellings():
    for text, expected in (("1", True), ("true", True), ("On", True), ("0", False),
                           ("no", False), ("", False)):
        assert Settings.from_env({"SVGRENDER_UNSIGNED_LINKS": text}).unsigned_links is expected
    with pytest.raises(SettingError, match="SVGRENDER_UNSIGNED_LINKS"):
        Settings.from_env({"SVGRENDER_UNSIGNED_LINKS": "maybe"})


def test_an_unreadable_value_names_its_variable():
    with pytest.raises(SettingError, match="SVGRENDER_WORKERS"):
        Settings.from_env({"SVGRENDER_WORKERS": "many"})


def test_readme_and_docs_mention_no_undeclared_variable():
    known = {spec.env for spec in declared()}
    for name, text in TEXTS.items():
        mentioned = set(re.findall(r"SVGRENDER_[A-Z_]+[A-Z]", text))
        # Prefix forms in prose like `SVGRENDER_MAX_IMAGE_BYTES` / `_PIXELS` are whole names.
        assert mentioned <= known, f"{name}: {sorted(mentioned - known)}"
