"""SVGRENDER_QUEUE_NAMESPACE (issue 27): two deployments sharing one Redis keep their jobs,
queues and result index apart, and each warns at start when it sees the other's keys."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
import redis
from starlette.testclient import TestClient

from svgrender.api.app import create_app
from svgrender.io.deps import namespace_of, redis_prefix
from test_batches import certificate_csv
from test_dependencies import redis_server  # noqa: F401  (fixture)


def keys(url: str) -> list[str]:
    return sorted(k.decode() for k in redis.Redis.from_url(url).scan_iter("*"))


def test_two_namespaces_on_one_redis_keep_apart_and_warn(settings, redis_server, tmp_path,
                                                         caplog):
    url, _ = redis_server
    a = replace(settings, redis_url=url, queue_namespace="blue",
                storage_dir=tmp_path / "blue")
    b = replace(settings, redis_url=url, queue_namespace="green",
                storage_dir=tmp_path / "green")
    with TestClient(create_app(a)) as blue:
        started = blue.post("/batches/certificate", content=certificate_csv(3),
                            headers={"Content-Type": "text/csv"})
        assert started.status_code == 202, started.text
        assert blue.post("/designs/certificate", json={}).status_code == 201
        batch = started.json()["id"]
    written = keys(url)
    assert written and all(k.startswith("svgrender:blue:") for k in written), written
    assert any(batch in k for k in written)
    assert any("svgrender_rows" in k for k in written)  # Dramatiq's queue, namespaced too
    caplog.set_level(logging.WARNING)
    with TestClient(create_app(b)) as green:
        # the other deployment's batch is not found here, and its rows are not this queue's
        assert green.get(f"/batches/{batch}").status_code == 404
    warned = [r.getMessage() for r in caplog.records if "SVGRENDER_QUEUE_NAMESPACE" in
              r.getMessage()]
    assert warned and "'blue'" in warned[0] and "'green'" in warned[0], warned


def test_no_namespace_keeps_the_names_of_earlier_versions(settings):
    assert redis_prefix(settings) == "svgrender:"
    assert redis_prefix(replace(settings, queue_namespace="eu-1")) == "svgrender:eu-1:"
    for bad in ("a:b", "x" * 41, "jobs", "a b"):
        with pytest.raises(ValueError):
            redis_prefix(replace(settings, queue_namespace=bad))
    assert namespace_of("svgrender:jobs:abc:state") == ""
    assert namespace_of("svgrender:svgrender_rows.msgs") == ""
    assert namespace_of("svgrender:__heartbeats__") == ""
    assert namespace_of("svgrender:eu-1:jobs:abc") == "eu-1"
    assert namespace_of("svgrender:eu-1:svgrender_rows") == "eu-1"
