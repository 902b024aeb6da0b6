"""Statements in the README and the docs that the code can contradict: ports, what exists,
counts, the libraries, the messages' English; and the README's example, run against a real
`svgrender serve`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

import httpx
import pytest
from packaging.requirements import Requirement

from helpers import ROOT
from live import served
from svgrender.io import storage
from svgrender.words import article, counted

README = (ROOT / "README.md").read_text()
# The README and every page of the documentation site.
TEXTS = {path.name: path.read_text() for path in [ROOT / "README.md",
                                                  *sorted((ROOT / "docs").glob("*.md"))]}
ALL = "\n".join(TEXTS.values())


def test_readme_is_short():
    assert len(README.splitlines()) <= 250


def test_readme_links_to_docs_that_exist():
    for target in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (ROOT / target).exists(), target


def test_readme_says_why_each_library_beyond_the_core_six():
    """Every dependency, base or extra, has a row in the README's library table."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {Requirement(text).name.lower() for text in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {Requirement(text).name.lower() for text in extra}
    core = {"lxml", "cairosvg", "pillow", "msgspec", "starlette", "uvicorn"}
    table = README.split("## Why each library", 1)[1].split("\n## ", 1)[0].lower()
    named = set(re.findall(r"`([\w.-]+)(?:\[[\w,]+\])?`", table))
    assert not (wanted - core) - named, sorted((wanted - core) - named)
    for name in core:
        assert f"**{name}**" in table, name


def example() -> tuple[str, dict]:
    """The README's curl command and the answer printed under it."""
    after = README.split("this works as pasted:", 1)[1]
    command = after.split("```sh\n", 1)[1].split("```", 1)[0]
    answer = json.loads(after.split("```json\n", 1)[1].split("```", 1)[0])
    return command, answer


def test_readme_example_works_as_pasted_against_a_real_server(tmp_path):
    command, expected = example()
    assert "http://127.0.0.1:9333/" in command
    with served({"SVGRENDER_STORAGE_DIR": str(tmp_path),
                 "SVGRENDER_TEMPLATES_DIR": str(ROOT / "templates")}) as url:
        done = subprocess.run(["bash", "-c", command.replace("http://127.0.0.1:9333", url)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        assert set(answer) == set(expected), (sorted(answer), sorted(expected))
        for field in ("templateId", "metadata", "width", "height", "layout"):
            assert answer[field] == expected[field], field
        image_id = answer["id"]
        assert answer["fileName"] == f"{image_id}.jpeg"
        for field, suffix in (("imageUrl", ".jpeg"), ("thumbnailUrl", "-thumb.jpeg"),
                              ("retinaThumbnailUrl", "-thumb-2x.jpeg")):
            assert answer[field] == f"{url}/files/{image_id}{suffix}"
            assert expected[field] == f"http://127.0.0.1:9333/files/{expected['id']}{suffix}"
        image = httpx.get(answer["imageUrl"], timeout=30)
        assert image.status_code == 200 and image.content[:3] == b"\xff\xd8\xff"


def test_every_server_url_uses_the_default_port():
    ports = {(host, int(port)) for host, port in re.findall(
        r"\b(localhost|127\.0\.0\.1|0\.0\.0\.0):(\d+)", ALL)}
    wrong = {f"{host}:{port}" for host, port in ports if port not in (9333, 6379)}  # 6379: Redis
    assert not wrong, f"the server listens on 9333 (svgrender serve --port): {wrong}"
    assert "--port\", type=int, default=9333" in (ROOT / "svgrender" / "cli.py").read_text()


def test_object_storage_is_not_a_future():
    assert "storage_url" in (ROOT / "svgrender" / "settings.py").read_text()
    assert not re.search(r"until object storage|object storage lands", ALL)


def test_method_counts_match_the_protocols():
    """'implements the N methods of FileStore / RecordStore' must count them right, if said."""
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10}
    for said, name in re.findall(r"\b(\w+) methods of `(\w+)`", ALL):
        protocol = getattr(storage, name)
        methods = [m for m in vars(protocol) if not m.startswith("_")]
        assert words.get(said, said) == len(methods), f"{name} has {len(methods)} methods"


@pytest.mark.parametrize("word, expected", [("image", "an"), ("text", "a"), ("group", "a"),
                                             ("canvas", "a"), ("shape", "a")])
def test_articles(word, expected):
    assert article(word) == expected


def test_counts_agree_with_their_nouns():
    assert counted(1, "layer") == "1 layer" and counted(2, "layer") == "2 layers"
    assert counted(0, "file") == "0 files"


def test_a_property_refused_on_an_image_layer_says_an_image_layer(client):
    answer = client.post("/designs/social-card", json={"params": [
        {"name": "image", "text": "x"}]})
    assert answer.status_code == 422, answer.text
    message = answer.json()["message"]
    assert "is an image layer" in message and "a image" not in message


def test_cli_listing_says_1_layer(tmp_path):
    (tmp_path / "one.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="20" '
                                      'height="20"><circle cx="5" cy="5" r="4"/></svg>')
    done = subprocess.run([sys.executable, "-m", "svgrender", "templates", "--templates",
                           str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert re.search(r"one\s+20×20\s+1 layer$", done.stdout, re.M), done.stdout  # the canvas


def test_studio_counts_with_the_right_noun():
    script = (ROOT / "svgrender" / "studio" / "app.js").read_text()
    assert not re.search(r"\$\{[^}]+\} (layers|templates)`", script)


def said(pattern: str) -> int:
    """The number the docs give in `pattern` (one group), the same wherever it is said."""
    numbers = {int(n) for n in re.findall(pattern, ALL)}
    assert len(numbers) == 1, f"{pattern}: {numbers or 'not said'}"
    return numbers.pop()


def test_counts_of_test_cases_match_the_suites():
    import importlib.util

    spec = importlib.util.spec_from_file_location("hostile_cases",
                                                  ROOT / "tests" / "hostile" / "cases.py")
    cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cases)
    hostile = len(cases.TEMPLATES) + len(cases.UPLOADS) + len(cases.REQUESTS)
    assert said(r"`tests/hostile/` throws (\d+) hostile inputs") == hostile
    fidelity = len(list((ROOT / "tests" / "fidelity" / "cases").glob("*.svg")))
    assert said(r"`tests/fidelity/` holds (\d+) cases") == fidelity
    corpus = len(list((ROOT / "tests" / "corpus" / "files").iterdir()))
    assert said(r"our own corpus of (\d+) real exports") == corpus


def test_the_font_kind_table_size_is_the_one_said():
    from svgrender.draw.font_kinds import KNOWN

    assert said(r"a table of (\d+) well-known families") == len(KNOWN)


def test_the_code_points_to_no_readme_section_that_moved():
    """The README is short now: what the code says is 'in the README' must still be there."""
    for path in (ROOT / "svgrender").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"see (the )?README\b", text), path


def test_ci_runs_what_the_readme_set_up_says():
    """.ci/run installs every Debian package the README's two commands name, the same pip
    install as step 2, and runs step 2's test command."""
    ci = (ROOT / ".ci" / "run").read_text()
    steps = re.findall(r"```sh\n(.*?)```", README.split("## Set up", 1)[1], re.S)[:2]
    assert len(steps) == 2 and "svgrender serve" in steps[0] and "pytest" in steps[1]
    for step in steps:
        for packages in re.findall(r"apt-get install -y ([^&]+)", step):
            for package in packages.split():
                assert re.search(rf"\s{re.escape(package)}(\s|$)", ci), package
    assert ".venv/bin/python -m pytest" in steps[1] and ".venv/bin/python -m pytest" in ci
