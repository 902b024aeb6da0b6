"""Outages of Redis and the object storage (issue 27): short deadlines, honest answers. A real
redis-server and moto's S3 server on loopback, stopped with SIGSTOP (hung) and SIGKILL (gone):
a render that needs neither still works, routes that need them answer 503 with Retry-After
within seconds, and /readyz answers within 2 s naming what is down."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from svgrender.api.app import create_app
from test_batches import certificate_csv

AWS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
       "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def process_on_port(argv: list[str], port: int, ready):
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                ready()
                break
            except Exception:
                time.sleep(0.05)
        yield process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
            process.kill()
        process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = shutil.which("redis-server")
    assert server, ".ci/run installs Debian's redis-server"
    port = free_port()
    argv = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
            "no", "--dir", str(tmp_path)]
    with process_on_port(argv, port, lambda: socket.create_connection(
            ("127.0.0.1", port), timeout=0.2).close()) as process:
        yield f"redis://127.0.0.1:{port}/0", process


@pytest.fixture
def s3_server(monkeypatch):
    server = Path(sys.executable).parent / "moto_server"
    assert server.exists(), "moto[server] is a test dependency"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with process_on_port([str(server), "-H", "127.0.0.1", "-p", str(port)], port,
                         lambda: httpx.get(url, timeout=1)) as process:
        import boto3

        boto3.client("s3", endpoint_url=url, aws_access_key_id="test",
                     aws_secret_access_key="test", region_name="us-east-1").create_bucket(
            Bucket="renders")
        for name, value in {**AWS, "AWS_ENDPOINT_URL": url}.items():
            monkeypatch.setenv(name, value)
        yield url, process


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def check_render_works(client):
    answer, took = timed(lambda: client.post("/designs/certificate", json={
        "format": "png", "params": [{"name": "recipient", "text": f"R {time.time_ns()}"}]}))
    assert answer.status_code == 201, answer.text
    assert took < 4, took
    return answer


def check_batches_refused(client):
    answer, took = timed(lambda: client.post("/batches/certificate", content=certificate_csv(3),
                                             headers={"Content-Type": "text/csv"}))
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "dependency_unavailable"
    assert answer.headers["Retry-After"]
    assert took < 4, took


def check_readyz_names(client, down: str, up: str):
    answer, took = timed(lambda: client.get("/readyz"))
    assert took < 2, took
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks[down]["ok"] is False and checks[down]["error"]
    assert checks[up]["ok"] is True


@pytest.mark.parametrize("how", ["hung", "killed"])
def test_redis_down_renders_go_on_and_jobs_are_a_503(settings, redis_server, how):
    url, process = redis_server
    settings = replace(settings, redis_url=url, redis_socket_timeout=0.5,
                       redis_connect_timeout=0.5)
    with TestClient(create_app(settings)) as client:
        check_render_works(client)
        assert client.get("/readyz").status_code == 200
        if how == "hung":
            os.kill(process.pid, signal.SIGSTOP)
        else:
            process.kill()
            process.wait(timeout=10)
        for _ in range(2):  # the second time too: nothing was left waiting
            check_render_works(client)
            check_batches_refused(client)
            check_readyz_names(client, "redis", "storage")
        if how == "hung":  # before the app stops: its shutdown must not wait on a hung Redis
            process.kill()
            process.wait(timeout=10)


def test_a_hung_bucket_is_a_quick_503_and_readyz_says_so(settings, s3_server):
    url, process = s3_server
    settings = replace(settings, storage_url=f"s3://renders/t{time.monotonic_ns()}",
                       s3_connect_timeout=0.5, s3_read_timeout=0.5, s3_max_attempts=1)
    with TestClient(create_app(settings)) as client:
        check_render_works(client)
        os.kill(process.pid, signal.SIGSTOP)
        try:
            answer, took = timed(lambda: client.post("/designs/certificate", json={
                "params": [{"name": "recipient", "text": "while the bucket hangs"}]}))
            assert answer.status_code == 503, answer.text
            assert answer.json()["code"] in ("storage_unavailable", "dependency_unavailable")
            assert answer.headers["Retry-After"]
            assert took < 5, took
            answer, took = timed(lambda: client.get("/readyz"))
            assert took < 2, took
            assert answer.status_code == 503
            assert answer.json()["checks"]["storage"]["ok"] is False
        finally:
            os.kill(process.pid, signal.SIGCONT)
        time.sleep(0.5)
        check_render_works(client)  # back when the bucket is
