"""Batches on many machines: Debian's redis-server (started here on a loopback port), Dramatiq,
two `svgrender worker` processes; one is killed mid-batch and every row still lands once."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import replace

import pytest
from PIL import Image
from starlette.testclient import TestClient

from helpers import TEMPLATES
from svgrender.api.app import create_app
from test_batches import Receiver, certificate_csv, check_signature, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    assert server, ".ci/run installs Debian's redis-server"
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def redis_settings(settings, redis_url, tmp_path):
    return replace(settings, redis_url=redis_url, storage_dir=tmp_path / "shared-images",
                   worker_heartbeat_timeout=2.0, webhook_secret="webhook-secret",
                   webhook_retry_seconds=0.2, allow_private_networks=("127.0.0.1/32",))


def start_worker(settings) -> subprocess.Popen:
    env = {**os.environ, "SVGRENDER_REDIS_URL": settings.redis_url,
           "SVGRENDER_STORAGE_DIR": str(settings.storage_dir),
           "SVGRENDER_TEMPLATES_DIR": str(TEMPLATES), "SVGRENDER_WORKER_HEARTBEAT_TIMEOUT": "2",
           "SVGRENDER_WEBHOOK_SECRET": "webhook-secret", "SVGRENDER_WEBHOOK_RETRY_SECONDS": "0.2",
           "SVGRENDER_ALLOW_PRIVATE_NETWORKS": "127.0.0.1/32"}
    return subprocess.Popen([sys.executable, "-m", "svgrender", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def workers(redis_settings):
    started = [start_worker(redis_settings) for _ in range(2)]
    yield started
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def check_zip(client, status: dict, rows: int) -> None:
    archive = zipfile.ZipFile(io.BytesIO(client.get(status["zipUrl"]).content))
    assert sorted(archive.namelist()) == sorted(f"cert-{n}.jpeg" for n in range(1, rows + 1))
    for name in archive.namelist()[::20]:
        assert Image.open(io.BytesIO(archive.read(name))).size == (1123, 794)


def test_a_200_row_batch_through_two_workers(redis_settings, workers):
    receiver = Receiver(failures=1)
    try:
        with TestClient(create_app(redis_settings)) as client:
            answer = client.post("/batches/certificate", content=certificate_csv(201, {9}),
                                 params={"webhookUrl": receiver.url})
            assert answer.status_code == 202, answer.text
            status = wait_for(client, answer.json()["statusUrl"], seconds=180)
            assert (status["done"], status["failed"]) == (200, 1)
            assert status["errors"][0]["row"] == 9
            assert status["errors"][0]["code"] == "invalid_color"
            archive = zipfile.ZipFile(io.BytesIO(client.get(status["zipUrl"]).content))
            assert len(archive.namelist()) == 200 and "cert-9.jpeg" not in archive.namelist()
            delivered = wait_for(client, answer.json()["statusUrl"], until=lambda s: s[
                "webhook"]["deliveries"] and s["webhook"]["deliveries"][0]["state"] != "pending")
        attempts = delivered["webhook"]["deliveries"][0]["attempts"]
        assert [a.get("status") for a in attempts] == [500, 200]  # retried by Dramatiq
        for headers, body in receiver.posts:
            check_signature(headers, body)
    finally:
        receiver.close()


def test_killing_a_worker_mid_batch_still_renders_every_row_once(redis_settings, workers):
    with TestClient(create_app(redis_settings)) as client:
        answer = client.post("/batches/certificate", content=certificate_csv(200))
        url = answer.json()["statusUrl"]
        wait_for(client, url, until=lambda s: s["done"] >= 30, seconds=120)
        workers[0].send_signal(signal.SIGKILL)  # no goodbye: its unacknowledged rows are lost
        workers[0].wait()
        status = wait_for(client, url, seconds=180)
        assert (status["state"], status["done"], status["failed"]) == ("finished", 200, 0)
        check_zip(client, answer.json(), 200)


def test_async_render_through_a_worker(redis_settings, workers):
    with TestClient(create_app(redis_settings)) as client:
        answer = client.post("/designs/certificate?async=1", json={
            "params": [{"name": "recipient", "text": "Async via Redis"}]})
        assert answer.status_code == 202
        done = wait_for(client, answer.json()["statusUrl"], until=lambda s: "imageUrl" in s)
        image = Image.open(io.BytesIO(client.get(done["imageUrl"]).content))
        assert image.size == (1123, 794)


def test_a_set_batch_through_the_workers(redis_settings, workers):
    """A set row carries its member in its body: the workers render each row's own template."""
    csv = "title.text,canvas.backgroundColor,fileName\nA,#0a84ff,a\nB,#ff3b30,b\n"
    sizes = {"social-card": (1200, 630), "social-square": (1080, 1080),
             "social-story": (1080, 1920)}
    with TestClient(create_app(redis_settings)) as client:
        answer = client.post("/sets/campaign/batches?format=png", content=csv)
        assert answer.status_code == 202, answer.text
        status = wait_for(client, answer.json()["statusUrl"], seconds=180)
        assert (status["state"], status["done"], status["failed"]) == ("finished", 6, 0)
        archive = zipfile.ZipFile(io.BytesIO(client.get(status["zipUrl"]).content))
        assert sorted(archive.namelist()) == sorted(f"{row}-{member}.png" for row in "ab"
                                                    for member in sizes)
        for name in archive.namelist():
            picture = Image.open(io.BytesIO(archive.read(name))).convert("RGB")
            assert picture.size == sizes[name[2:-4]], name
            assert picture.getpixel((5, 5)) == ((10, 132, 255) if name[0] == "a"
                                                else (255, 59, 48)), name
