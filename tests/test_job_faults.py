"""Batches through outages mid-batch (issue 27), with real processes: Debian's redis-server
(append-only file, appendfsync everysec, as docs/jobs.md recommends) hung with SIGSTOP and
killed with SIGKILL then started again on the same port, under a real `svgrender worker`; moto's
S3 server hung and killed under the embedded engine. Afterwards every row is done exactly once:
no row lost or failed, one stored image set per row (counted in the storage), one webhook
delivery and POST; while the dependency was down the API answered 503 dependency_unavailable /
storage_unavailable with Retry-After, quickly."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from svgrender.api.app import create_app
from svgrender.jobs.manager import row_image_id
from test_batches import Receiver, certificate_csv, wait_for
from test_batches_redis import free_port, start_worker

ROWS = 24
IMAGE_FILE = re.compile(r"^([0-9a-f]{10})(-thumb|-thumb-2x)?\.[a-z0-9]+$")


class RedisWithAof:
    """redis-server persisting to an append-only file, restartable on the same port."""

    def __init__(self, directory: Path):
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--save", "", "--appendonly", "yes",
             "--appendfsync", "everysec"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
        self.process.wait(timeout=10)


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def check_refused_quickly(answer_and_time, codes=("dependency_unavailable",)) -> None:
    answer, took = answer_and_time
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] in codes
    assert int(answer.headers["Retry-After"]) > 0
    assert took < 5, took


def image_sets(names: list[str]) -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {}
    for name in names:
        found = IMAGE_FILE.match(name)
        if found:
            sets.setdefault(found.group(1), []).append(name)
    return sets


def check_once(client, receiver: Receiver, status_url: str, batch_id: str,
               stored, complete=True) -> None:
    """Every row done once; each row's image stored under its one id, nothing else stored."""
    status = wait_for(client, status_url, seconds=240)
    assert (status["state"], status["done"], status["failed"]) == ("finished", ROWS, 0), \
        status["errors"][:3]
    rows = {row_image_id(batch_id, n) for n in range(1, ROWS + 1)}
    sets = image_sets(stored())
    assert set(sets) <= rows  # no image stored under a second id
    assert sets and all(len(files) == 3 for files in sets.values())  # image and 2 thumbnails
    if complete:
        assert set(sets) == rows
    delivered = wait_for(client, status_url, until=lambda s: s["webhook"]["deliveries"] and all(
        d["state"] != "pending" for d in s["webhook"]["deliveries"]), seconds=60)
    deliveries = delivered["webhook"]["deliveries"]
    assert len(deliveries) == 1 and deliveries[0]["state"] == "delivered"
    time.sleep(1.5)  # a second delivery would have arrived by now
    assert len(receiver.posts) == 1


@pytest.mark.parametrize("how", ["hung", "killed"])
def test_redis_hung_or_killed_mid_batch_every_row_once(settings, tmp_path, how):
    redis = RedisWithAof(tmp_path)
    settings = replace(settings, redis_url=redis.url, storage_dir=tmp_path / "shared-images",
                       redis_socket_timeout=0.5, redis_connect_timeout=0.5,
                       worker_heartbeat_timeout=2.0, job_stall_seconds=6.0,
                       webhook_secret="webhook-secret",
                       webhook_retry_seconds=0.2, allow_private_networks=("127.0.0.1/32",))
    receiver, worker = Receiver(failures=0), start_worker(settings)
    try:
        with TestClient(create_app(settings)) as client:
            answer = client.post("/batches/certificate", content=certificate_csv(ROWS),
                                 params={"webhookUrl": receiver.url})
            assert answer.status_code == 202, answer.text
            url, batch_id = answer.json()["statusUrl"], answer.json()["id"]
            wait_for(client, url, until=lambda s: s["done"] >= 4, seconds=120)
            if how == "hung":
                os.kill(redis.process.pid, signal.SIGSTOP)
            else:
                redis.process.kill()
                redis.process.wait(timeout=10)
            for _ in range(2):
                check_refused_quickly(timed(lambda: client.get(url)))
                check_refused_quickly(timed(lambda: client.post(
                    "/batches/certificate", content=certificate_csv(2))))
            time.sleep(3)  # rows in hand wait; nothing is decided while Redis is away
            if how == "hung":
                os.kill(redis.process.pid, signal.SIGCONT)
            else:
                redis.start()  # same port, same directory: the append-only file is replayed
            check_once(client, receiver, url, batch_id, lambda: [
                p.name for p in settings.storage_dir.iterdir() if p.is_file()])
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        receiver.close()
        redis.stop()


class Moto:
    """moto's standalone S3 server, restartable on the same port (it keeps objects in memory:
    a restart loses them, as a bucket restored empty would)."""

    def __init__(self, monkeypatch):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
                            "AWS_ENDPOINT_URL": self.url}.items():
            monkeypatch.setenv(name, value)
        self.start()

    def start(self) -> None:
        import boto3
        import httpx

        server = Path(sys.executable).parent / "moto_server"
        self.process = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                httpx.get(self.url, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        self.client = boto3.client("s3", endpoint_url=self.url)
        self.client.create_bucket(Bucket="renders")

    def names(self, prefix: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket="renders",
                                                                      Prefix=prefix)
        return [item["Key"].rsplit("/", 1)[1] for page in pages
                for item in page.get("Contents", [])]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
        self.process.wait(timeout=10)


@pytest.mark.parametrize("how", ["hung", "killed"])
def test_object_storage_hung_or_killed_mid_batch_every_row_once(settings, monkeypatch, how):
    moto = Moto(monkeypatch)
    prefix = f"t{time.monotonic_ns()}"
    settings = replace(settings, storage_url=f"s3://renders/{prefix}", s3_connect_timeout=0.5,
                       s3_read_timeout=0.5, s3_max_attempts=1, batch_concurrency=2,
                       webhook_secret="webhook-secret", webhook_retry_seconds=0.2,
                       allow_private_networks=("127.0.0.1/32",))
    receiver = Receiver(failures=0)
    try:
        with TestClient(create_app(settings)) as client:
            answer = client.post("/batches/certificate", content=certificate_csv(ROWS),
                                 params={"webhookUrl": receiver.url})
            assert answer.status_code == 202, answer.text
            url, batch_id = answer.json()["statusUrl"], answer.json()["id"]
            wait_for(client, url, until=lambda s: s["done"] >= 4, seconds=120)
            if how == "hung":
                os.kill(moto.process.pid, signal.SIGSTOP)
            else:
                moto.process.kill()
                moto.process.wait(timeout=10)
            for _ in range(2):
                check_refused_quickly(timed(lambda: client.post("/designs/certificate", json={
                    "params": [{"name": "recipient", "text": f"R {time.time_ns()}"}]})),
                    ("storage_unavailable", "dependency_unavailable"))
            assert client.get(url).status_code == 200  # the job state does not live there
            time.sleep(12)  # longer than a row's three tries (2 s, then 8 s apart) would last
            if how == "hung":
                os.kill(moto.process.pid, signal.SIGCONT)
            else:
                moto.start()  # empty: the files stored before the kill are gone with it
            # Killed, only the rows stored after the restart can be counted; each of those
            # still has exactly its one image set.
            check_once(client, receiver, url, batch_id,
                       lambda: moto.names(f"{prefix}/files/"), complete=how == "hung")
    finally:
        receiver.close()
        moto.stop()
