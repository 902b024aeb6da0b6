"""The documentation site builds (`mkdocs build --strict`), its generated references say what the
code says, and what the pages claim about the CLI is what `svgrender --help` knows."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys

import pytest

from helpers import ROOT
from svgrender.api.openapi import document
from svgrender.api.routes import ENDPOINTS
from svgrender.cli import build_parser
from svgrender.settings import declared

DOCS = ROOT / "docs"
PAGES = {path.name: path.read_text() for path in sorted(DOCS.glob("*.md"))}
README = (ROOT / "README.md").read_text()


def hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site as `mkdocs build --strict` writes it (a warning, a dead link: a failure)."""
    out = tmp_path_factory.mktemp("site")
    mkdocs = shutil.which("mkdocs", path=str(ROOT / ".venv" / "bin")) or shutil.which("mkdocs")
    command = [mkdocs] if mkdocs else [sys.executable, "-m", "mkdocs"]
    done = subprocess.run([*command, "build", "--strict", "--site-dir", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**{k: v for k, v in os.environ.items()
                                  if k != "PROMETHEUS_MULTIPROC_DIR"},
                               "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr[-4000:]
    return out


def test_the_site_builds_strictly_with_every_page(site):
    for name in PAGES:
        page = site / name.removesuffix(".md") / "index.html"
        if name == "index.md":
            page = site / "index.html"
        assert page.exists(), f"{name} was not built"
    assert (site / "configuration" / "index.html").exists()
    assert (site / "api" / "index.html").exists()
    assert not (site / "hooks.py").exists(), "the hook file is not a page"


def test_every_page_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    missing = [name for name in PAGES if f" {name}" not in nav]
    assert not missing, f"pages missing from mkdocs.yml's nav: {missing}"


def test_the_built_configuration_page_lists_every_setting(site):
    html = (site / "configuration" / "index.html").read_text()
    for spec in declared():
        assert spec.env in html, f"{spec.env} missing from the configuration reference"
    # The default is the one declared (an integer default appears as written in the code).
    page = hooks().configuration_page()
    row = next(line for line in page.splitlines() if "`SVGRENDER_MAX_TEXT_CHARS`" in line)
    assert "`10000`" in row and "characters per text param" in row


def test_configuration_sections_follow_the_comments_of_settings_py():
    sections = hooks().setting_sections()
    assert sections["templates_dir"] == "Where things are"
    assert sections["max_body_bytes"] == "Request limits: every size and count has one"
    assert set(sections) == {spec.name for spec in declared()}


def test_the_built_api_page_has_every_operation_and_schema(site):
    html = (site / "api" / "index.html").read_text()
    spec = document(ENDPOINTS, secured=False)
    for path, item in spec["paths"].items():
        for method in set(item) & set(hooks().METHODS):
            shown = f"{method.upper()} {path}"
            assert shown in html, f"{shown} missing from the API reference"
    for name in spec["components"]["schemas"]:
        assert f'id="{name.lower()}"' in html, f"schema {name} missing"


def test_the_api_page_is_the_app_own_document():
    """Built from the app's /openapi.json (in-process, default settings: no keys)."""
    assert hooks().openapi_document() == document(ENDPOINTS, secured=False)


def commands_in_docs() -> list[tuple[str, str]]:
    """(page, command line) for every `svgrender …` written as code in the README and docs."""
    found = []
    for name, text in {"README.md": README, **PAGES}.items():
        blocks = re.findall(r"```(?:sh|bash)?\n(.*?)```", text, re.S)
        lines = [line for block in blocks for line in block.splitlines()]
        lines += re.findall(r"`([^`\n]*svgrender [a-z|]+[^`\n]*)`", text)
        for line in lines:
            for match in re.finditer(r"(?:^|[\s/])svgrender ((?:[a-z]+\|)*[a-z]+)([^&]*)",
                                     line.split("  #")[0]):
                found.append((name, match.group(0).strip()))
    return found


def test_every_cli_command_and_option_in_the_docs_exists():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    seen = 0
    for page, line in commands_in_docs():
        words = line.split()
        names = words[1].split("|")
        for name in names:
            assert name in commands, f"{page}: `{line}`: no command {name!r}"
            options = set(commands[name]._option_string_actions)
            for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", " ".join(words[2:])):
                assert option in options, f"{page}: `{line}`: {name} has no {option}"
            seen += 1
    assert seen >= 10, "the docs show the CLI"


def test_the_cli_page_names_every_command_that_help_lists():
    parser = build_parser()
    help_text = parser.format_help()
    listed = re.findall(r"^    (\w+)", help_text, re.M)
    assert set(listed) == set(parser._subparsers._group_actions[0].choices), help_text
    for command in listed:
        assert f"svgrender {command}" in PAGES["cli.md"], f"cli.md does not show {command}"


def test_generated_pages_are_not_committed_by_hand():
    assert "configuration.md" not in PAGES and "api.md" not in PAGES
