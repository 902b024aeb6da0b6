"""Statements in the README that the code can contradict: ports, what exists, counts, the
messages' English."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from helpers import ROOT
from svgrender.io import storage
from svgrender.words import article, counted

README = (ROOT / "README.md").read_text()


def test_every_server_url_uses_the_default_port():
    ports = {(host, int(port)) for host, port in re.findall(
        r"\b(localhost|127\.0\.0\.1|0\.0\.0\.0):(\d+)", README)}
    wrong = {f"{host}:{port}" for host, port in ports if port not in (9333, 6379)}  # 6379: Redis
    assert not wrong, f"the server listens on 9333 (svgrender serve --port): {wrong}"
    assert "--port\", type=int, default=9333" in (ROOT / "svgrender" / "cli.py").read_text()


def test_object_storage_is_not_a_future():
    assert "storage_url" in (ROOT / "svgrender" / "settings.py").read_text()
    assert not re.search(r"until object storage|object storage lands", README)


def test_method_counts_match_the_protocols():
    """'implements the N methods of FileStore / RecordStore' must count them right, if said."""
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10}
    for said, name in re.findall(r"\b(\w+) methods of `(\w+)`", README):
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
