"""The lean install serves: `pip install -e .` brings everything `svgrender/` imports, `.[test]`
adds only the test stack, and the README's step 1 is the lean one (CI installs the test stack)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
README = (ROOT / "README.md").read_text()
TEST_ONLY = {"pytest", "hypothesis", "schemathesis", "playwright", "moto"}


def closure(requirements: list[str], extras: tuple[str, ...] = ()) -> set[str]:
    """Every distribution these requirements install (as installed here), with their extras."""
    seen: set[str] = set()
    todo = [(Requirement(text), extras) for text in requirements]
    while todo:
        requirement, wanted = todo.pop()
        if requirement.marker and not any(
                requirement.marker.evaluate({"extra": extra}) for extra in wanted or ("",)):
            continue
        name = canonicalize_name(requirement.name)
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue
        todo += [(Requirement(text), tuple(requirement.extras))
                 for text in dist.requires or []]
    return {key.split("[")[0] for key in seen}


def third_party_imports() -> dict[str, str]:
    """Top-level modules imported anywhere in svgrender/ (inside functions too) → a file."""
    stdlib = set(sys.stdlib_module_names)
    found: dict[str, str] = {}
    for path in (ROOT / "svgrender").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in stdlib and top not in ("svgrender", "__future__"):
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


# Optional features whose modules import their extra only when used (`svgrender mcp`, /mcp is
# mounted only when the extra is installed): the lean install serves without them.
OPTIONAL = {"mcp": "svgrender/mcp/", "av": "svgrender/io/animate.py",
            "cv2": "svgrender/kinds/crops.py", "pyvips": "svgrender/kinds/crops.py",
            "vl_convert": "svgrender/kinds/vegalite.py"}
EXTRA_OF = {"cv2": "crops", "pyvips": "crops", "vl_convert": "charts"}  # the extra that installs a module, where named


def importers(module: str) -> list[str]:
    """Every file of svgrender/ importing `module` at the top level of its name."""
    out = []
    for path in (ROOT / "svgrender").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module
                and not node.level else [])
            if any(name.split(".")[0] == module for name in names):
                out.append(str(path.relative_to(ROOT)))
    return out


def test_everything_svgrender_imports_comes_with_the_lean_install():
    base = closure(PROJECT["dependencies"])
    providers = metadata.packages_distributions()
    missing = {}
    for module, where in third_party_imports().items():
        if module in OPTIONAL and all(path.startswith(OPTIONAL[module])
                                      for path in importers(module)):
            assert EXTRA_OF.get(module, module) in PROJECT["optional-dependencies"], module
            continue
        names = {canonicalize_name(d) for d in providers.get(module, [])}
        assert names, f"{module} (imported in {where}) is not installed at all"
        if not names & base:
            missing[module] = where
    assert not missing, f"imported by svgrender/ but only installed by an extra: {missing}"


def test_the_test_stack_is_an_extra_only():
    base = {canonicalize_name(Requirement(text).name) for text in PROJECT["dependencies"]}
    assert not base & TEST_ONLY
    assert not closure(PROJECT["dependencies"]) & TEST_ONLY
    test = {canonicalize_name(Requirement(text).name)
            for text in PROJECT["optional-dependencies"]["test"]}
    assert TEST_ONLY <= test
    assert not test & base, "already in the base dependencies: drop it from [test]"


def test_readme_step_one_is_the_lean_install_and_ci_the_full_one():
    step1 = README.split("1. ", 1)[1].split("2. ", 1)[0]
    installs = re.findall(r"pip install (-e \S+)", step1)
    assert installs == ["-e ."], installs
    assert "svgrender serve" in step1
    step2 = README.split("2. ", 1)[1].split("```", 2)[1]
    assert "pip install -e '.[test]'" in step2 and "pytest" in step2
    assert "pip install -q --disable-pip-version-check -e '.[test]'" in (
        ROOT / ".ci" / "run").read_text()
