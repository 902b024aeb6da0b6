"""A full disk is a normal event: on a real, small filesystem (a tmpfs this test mounts), a render
answers 507 with nothing half-written, a cache hit still answers, and once space is freed the
same render succeeds without a restart."""

from __future__ import annotations

import errno
import os
import subprocess
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from svgrender.api.app import create_app


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()[:120]}); the ENOSPC path "
                    "is still covered by tests/test_storage.py with /dev/full")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(directory) -> None:
    """Write until the filesystem says ENOSPC."""
    with open(directory / "filler", "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def card(text: str) -> dict:
    return {"format": "png", "params": [{"name": "title", "text": text}]}


def test_a_full_disk_answers_507_and_recovers(settings, small_disk):
    on_small = replace(settings, storage_dir=small_disk / "images",
                       cache_dir=settings.cache_dir)
    with TestClient(create_app(on_small)) as client:
        first = client.post("/designs/social-card", json=card("Before the disk filled"))
        assert first.status_code == 201
        fill(small_disk)
        full = client.post("/designs/social-card", json=card("No room for me"))
        assert full.status_code == 507 and full.json()["code"] == "storage_full"
        leftovers = [p.name for p in (small_disk / "images").rglob("*")
                     if p.name.startswith(".tmp-")]
        assert leftovers == []  # nothing half-written
        records = {p.stem for p in (small_disk / "images" / "_records").iterdir()}
        assert records == {first.json()["id"]}  # no record for the failed render
        again = client.post("/designs/social-card", json=card("Before the disk filled"))
        assert again.status_code == 201  # a cache hit still answers
        assert client.get(again.json()["imageUrl"]).status_code == 200
        os.unlink(small_disk / "filler")  # space returns: no restart needed
        later = client.post("/designs/social-card", json=card("No room for me"))
        assert later.status_code == 201, later.text
        assert client.get(later.json()["imageUrl"]).status_code == 200
