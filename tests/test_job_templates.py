"""A queued job names its template by id and version (issue 27): a Dramatiq worker that does not
have that template (its own templates folder, a fresh start) or has another version of it fetches
the queued version instead of failing rows with template_not_found. Real redis-server, a real
`svgrender worker` process started after the batch was queued and the template changed."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from dataclasses import replace

from PIL import Image
from starlette.testclient import TestClient

from svgrender.api.app import create_app
from test_batches import wait_for
from test_batches_redis import redis_settings, redis_url  # noqa: F401 (fixtures)

CARD = ('<svg xmlns="http://www.w3.org/2000/svg" width="60" height="30">'
        '<rect id="canvas" width="60" height="30" fill="{fill}"/>'
        '<text id="label" x="2" y="20" font-size="10">hi</text></svg>')


def rows_csv(rows: int) -> str:
    return "label.text,fileName\n" + "".join(f"Row {n},card-{n}\n" for n in range(1, rows + 1))


def worker_with_own_templates(settings, templates_dir) -> subprocess.Popen:
    """A worker on another machine: the same Redis and image storage, but its own (empty)
    templates folder, so it has never seen the uploaded template."""
    env = {**os.environ, "SVGRENDER_REDIS_URL": settings.redis_url,
           "SVGRENDER_STORAGE_DIR": str(settings.storage_dir),
           "SVGRENDER_TEMPLATES_DIR": str(templates_dir),
           "SVGRENDER_WORKER_HEARTBEAT_TIMEOUT": "2"}
    return subprocess.Popen([sys.executable, "-m", "svgrender", "worker", "--threads", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def colours(client, status: dict) -> list[tuple[int, int, int]]:
    archive = zipfile.ZipFile(io.BytesIO(client.get(status["zipUrl"]).content))
    names = sorted(archive.namelist())
    return names, [Image.open(io.BytesIO(archive.read(n))).convert("RGB").getpixel((55, 3))
                   for n in names]


def test_a_worker_without_the_template_renders_the_queued_version(redis_settings, tmp_path):
    api_templates = tmp_path / "api-templates"
    api_templates.mkdir()
    settings = replace(redis_settings, templates_dir=api_templates)
    worker = None
    try:
        with TestClient(create_app(settings)) as client:
            assert client.put("/templates/card", content=CARD.format(fill="#ff0000")
                              ).status_code == 200
            answer = client.post("/batches/card", content=rows_csv(20),
                                 params={"format": "png"}, headers={"Content-Type": "text/csv"})
            assert answer.status_code == 202, answer.text
            queued_version = answer.json()["templateVersion"]
            # Changed after the batch was queued: the batch still draws the version it named.
            assert client.put("/templates/card", content=CARD.format(fill="#0000ff")
                              ).status_code == 200
            worker_dir = tmp_path / "worker-templates"
            worker_dir.mkdir()
            worker = worker_with_own_templates(settings, worker_dir)
            status = wait_for(client, answer.json()["statusUrl"], seconds=120)
            assert (status["state"], status["done"], status["failed"]) == ("finished", 20, 0), \
                status["errors"][:3]
            assert status["templateVersion"] == queued_version
            names, pixels = colours(client, answer.json())
            assert names == sorted(f"card-{n}.png" for n in range(1, 21))
            assert all(p == (255, 0, 0) for p in pixels), pixels

            later = client.post("/batches/card", content=rows_csv(3), params={"format": "png"},
                                headers={"Content-Type": "text/csv"})
            status = wait_for(client, later.json()["statusUrl"], seconds=60)
            assert (status["done"], status["failed"]) == (3, 0), status["errors"]
            assert status["templateVersion"] != queued_version
            assert set(colours(client, later.json())[1]) == {(0, 0, 255)}
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def test_the_embedded_engine_draws_the_queued_version_in_its_render_processes(settings,
                                                                                tmp_path):
    """Rows still queued when the template changes are drawn, by the server's render processes
    (which load templates from the store by version), with the version the batch was queued
    with."""
    templates = tmp_path / "templates"
    templates.mkdir()
    settings = replace(settings, templates_dir=templates, workers=1, batch_concurrency=1)
    with TestClient(create_app(settings)) as client:
        assert client.put("/templates/card", content=CARD.format(fill="#ff0000")
                          ).status_code == 200
        answer = client.post("/batches/card", content=rows_csv(20), params={"format": "png"},
                             headers={"Content-Type": "text/csv"})
        assert answer.status_code == 202, answer.text
        assert client.put("/templates/card", content=CARD.format(fill="#0000ff")
                          ).status_code == 200
        status = wait_for(client, answer.json()["statusUrl"], seconds=120)
        assert (status["done"], status["failed"]) == (20, 0), status["errors"][:3]
        names, pixels = colours(client, answer.json())
        assert len(names) == 20 and set(pixels) == {(255, 0, 0)}, pixels
