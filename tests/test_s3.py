"""Object storage: moto's standalone S3 server (speaking the S3 HTTP protocol, started here on a
loopback port) shared by two `svgrender serve` processes, as two replicas would share a bucket."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from helpers import TEMPLATES
from live import free_port, served

SAFE = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        b'<rect id="canvas" width="40" height="20" fill="#ffffff"/>'
        b'<text id="label" x="2" y="14" font-size="10">hi</text></svg>')
AWS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
       "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = Path(sys.executable).parent / "moto_server"
    assert server.exists(), "moto[server] is a test dependency"
    port = free_port()
    process = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        import boto3

        boto3.client("s3", endpoint_url=url, **{
            "aws_access_key_id": "test", "aws_secret_access_key": "test",
            "region_name": "us-east-1"}).create_bucket(Bucket="renders")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def replicas(s3_endpoint, tmp_path):
    """Two servers on different ports, different local disks, one bucket."""
    templates = tmp_path / "operator-templates"
    shutil.copytree(TEMPLATES, templates)
    prefix = f"t{time.monotonic_ns()}"
    env = {**AWS, "AWS_ENDPOINT_URL": s3_endpoint, "SVGRENDER_TEMPLATES_DIR": str(templates),
           "SVGRENDER_STORAGE_URL": f"s3://renders/{prefix}",
           "SVGRENDER_TEMPLATE_REFRESH_SECONDS": "0.5"}
    with served({**env, "SVGRENDER_STORAGE_DIR": str(tmp_path / "a")}) as a, \
            served({**env, "SVGRENDER_STORAGE_DIR": str(tmp_path / "b")}) as b:
        yield a, b, prefix


def draws(server: str) -> float:
    text = httpx.get(f"{server}/metrics").text
    return sum(float(v) for v in re.findall(
        r'svgrender_render_seconds_count\{stage="draw",template="[^"]+"\} ([0-9.]+)', text))


def test_two_replicas_share_templates_files_and_the_result_index(replicas, s3_endpoint):
    a, b, prefix = replicas
    assert httpx.put(f"{a}/templates/shared", content=SAFE).status_code == 200
    for _ in range(50):  # B notices within its refresh interval
        on_b = httpx.post(f"{b}/designs/shared", json={"format": "png"})
        if on_b.status_code != 404:
            break
        time.sleep(0.1)
    assert on_b.status_code == 201, on_b.text
    # A render on A is a cache hit on B: B draws nothing, and answers with a new id.
    body = {"format": "png", "params": [{"name": "title", "text": "Rendered on A"}]}
    first = httpx.post(f"{a}/designs/social-card", json=body).json()
    before = draws(b)
    second = httpx.post(f"{b}/designs/social-card", json=body).json()
    assert draws(b) == before and second["id"] != first["id"]
    assert httpx.get(second["imageUrl"]).content == httpx.get(first["imageUrl"]).content
    # Any replica serves any image; a DELETE on B removes A's files from the bucket.
    assert httpx.get(first["imageUrl"].replace(a, b)).status_code == 200
    assert httpx.delete(f"{b}/images/{first['id']}").status_code == 204
    assert httpx.get(first["imageUrl"]).status_code == 404
    assert httpx.get(f"{a}/images/{first['id']}").status_code == 404
    # And it really is in the bucket, not on either disk.
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_endpoint, **{
        "aws_access_key_id": "test", "aws_secret_access_key": "test",
        "region_name": "us-east-1"})
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="renders", Prefix=prefix)["Contents"]]
    assert f"{prefix}/templates/shared.svg" in keys
    assert f"{prefix}/files/{second['fileName']}" in keys
    # Stored with its format's media type (a CDN in front of the bucket serves it as such).
    stored = s3.head_object(Bucket="renders", Key=f"{prefix}/files/{second['fileName']}")
    assert stored["ContentType"] == "image/png"


def test_operator_templates_stay_readable_and_read_only(replicas):
    a, b, _ = replicas
    assert httpx.post(f"{a}/designs/certificate", json={}).status_code == 201
    ids = {t["id"] for t in httpx.get(f"{b}/templates").json()}
    assert {"certificate", "social-card"} <= ids
    assert httpx.delete(f"{a}/templates/certificate").status_code == 403


def test_a_put_set_is_kept_in_the_bucket_and_seen_by_every_replica(replicas, s3_endpoint,
                                                                   tmp_path):
    a, b, prefix = replicas
    made = httpx.put(f"{a}/sets/duo", json={"templates": ["social-card", "social-story"]})
    assert made.status_code == 200, made.text
    assert {"id": "duo", "templates": ["social-card", "social-story"]} in httpx.get(
        f"{b}/sets").json()
    rendered = httpx.post(f"{b}/sets/duo/images", json={"format": "png"}, timeout=60)
    assert [m["templateId"] for m in rendered.json()["images"]] == ["social-card",
                                                                    "social-story"]
    import boto3

    keys = [o["Key"] for o in boto3.client("s3", endpoint_url=s3_endpoint, **{
        "aws_access_key_id": "test", "aws_secret_access_key": "test",
        "region_name": "us-east-1"}).list_objects_v2(Bucket="renders",
                                                      Prefix=prefix)["Contents"]]
    assert f"{prefix}/templates/.sets.json" in keys  # with the uploads, in the bucket
    assert not (tmp_path / "operator-templates" / ".sets.json").exists()  # not the folder


def test_retention_sweeps_the_bucket(s3_endpoint, settings, monkeypatch):
    from dataclasses import replace

    from starlette.testclient import TestClient

    from svgrender.api.app import create_app
    from svgrender.retention import sweep

    for name, value in {**AWS, "AWS_ENDPOINT_URL": s3_endpoint}.items():
        monkeypatch.setenv(name, value)
    bucketed = replace(settings, storage_url=f"s3://renders/r{time.monotonic_ns()}",
                       retention_days=1)
    with TestClient(create_app(bucketed)) as client:
        answer = client.post("/designs/certificate", json={}).json()
        assert client.get(answer["imageUrl"]).status_code == 200
        assert sweep(client.app.state.service)["removed"] == 0  # not old yet
        later = time.time() + 2 * 86400
        assert sweep(client.app.state.service, now=later) == {"removed": 1, "indexEntries": 1}
        assert client.get(answer["imageUrl"]).status_code == 404
        assert client.get(f"/images/{answer['id']}").status_code == 404


from test_batches_redis import redis_url  # noqa: E402,F401 - a real redis-server fixture


def test_with_redis_a_link_hit_on_both_replicas_at_once_renders_once(s3_endpoint, redis_url,
                                                                     tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from svgrender.links import signed_url

    templates = tmp_path / "operator-templates"
    shutil.copytree(TEMPLATES, templates)
    env = {**AWS, "AWS_ENDPOINT_URL": s3_endpoint, "SVGRENDER_TEMPLATES_DIR": str(templates),
           "SVGRENDER_STORAGE_URL": f"s3://renders/l{time.monotonic_ns()}",
           "SVGRENDER_REDIS_URL": redis_url, "SVGRENDER_LINK_KEYS": "k"}
    with served({**env, "SVGRENDER_STORAGE_DIR": str(tmp_path / "a")}) as a, \
            served({**env, "SVGRENDER_STORAGE_DIR": str(tmp_path / "b")}) as b:
        before = draws(a) + draws(b)
        path = signed_url("", "k", "/links/social-card.png",
                          [("title.text", "One render for the whole fleet")])
        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(lambda n: httpx.get(f"{(a, b)[n % 2]}{path}", timeout=60),
                                    range(12)))
        assert [r.status_code for r in answers] == [200] * 12
        assert len({r.content for r in answers}) == 1
        assert draws(a) + draws(b) - before == 1  # main image + thumbnails: one render
        # The result index is in Redis: a POST render on A is a cache hit on B.
        body = {"format": "png", "params": [{"name": "title", "text": "Indexed in Redis"}]}
        httpx.post(f"{a}/designs/social-card", json=body)
        middle = draws(b)
        assert httpx.post(f"{b}/designs/social-card", json=body).status_code == 201
        assert draws(b) == middle


def test_an_unreachable_bucket_is_a_503_not_a_500(settings, monkeypatch):
    from dataclasses import replace

    from starlette.testclient import TestClient

    from live import free_port
    from svgrender.api.app import create_app

    for name, value in {**AWS, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}.items():
        monkeypatch.setenv(name, value)  # nothing listens there
    gone = replace(settings, storage_url="s3://renders/nowhere")
    with TestClient(create_app(gone)) as client:
        answer = client.post("/designs/certificate", json={})
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "storage_unavailable"
        assert client.get("/files/0123456789.png").status_code == 503
        assert client.get("/readyz").status_code == 503
