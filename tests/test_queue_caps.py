"""Per-key cap on queued rows (issue 27): one key cannot fill the queue for everyone. A batch
that would put a key over SVGRENDER_MAX_QUEUED_ROWS_PER_KEY is a 429 with Retry-After; rows
that are done free the room; other keys are not affected. Embedded (SQLite) engine."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from helpers import GatedExecutor
from svgrender.api.app import build_service, create_app
from test_batches import certificate_csv, wait_for
from test_batches_redis import redis_settings, redis_url  # noqa: F401  (fixtures)

ALICE, BOB = {"Authorization": "Bearer alice"}, {"Authorization": "Bearer bob"}


@pytest.fixture
def capped(settings):
    return replace(settings, batch_concurrency=2, row_retry_seconds=0.05,
                   api_keys=("alice", "bob"), max_queued_rows_per_key=30)


def post(client, rows, headers, bad=frozenset()):
    return client.post("/batches/certificate", content=certificate_csv(rows, bad),
                       headers={**headers, "Content-Type": "text/csv"})


def test_a_batch_over_the_keys_room_is_a_429_until_rows_are_done(capped):
    executor = GatedExecutor(capped)
    app = create_app(capped, build_service(capped, executor=executor))
    with TestClient(app, headers=ALICE) as client:
        first = post(client, 20, ALICE)
        assert first.status_code == 202, first.text
        refused = post(client, 11, ALICE)  # 20 + 11 > 30
        assert refused.status_code == 429, refused.text
        assert refused.headers["Retry-After"]
        body = refused.json()
        assert body["code"] == "too_many_queued_rows"
        assert "20" in body["message"] and "30" in body["message"]
        assert "SVGRENDER_MAX_QUEUED_ROWS_PER_KEY" in body["message"]
        assert post(client, 30, BOB).status_code == 202  # another key's room is its own
        assert post(client, 10, ALICE).status_code == 202  # 20 + 10 = 30: just fits
        assert post(client, 1, ALICE).status_code == 429
        # "Bearer  alice" is alice: spellings of a key share its room
        assert post(client, 1, {"Authorization": "bearer   alice"}).status_code == 429
        executor.gate.set()
        wait_for(client, first.json()["statusUrl"], seconds=120)
        assert client.get(first.json()["statusUrl"], headers=ALICE).json()["done"] == 20
        again = post(client, 11, ALICE)  # the first batch's rows are done: room again
        assert again.status_code == 202, again.text


def test_cancelled_rows_free_the_room(capped):
    executor = GatedExecutor(capped)
    app = create_app(capped, build_service(capped, executor=executor))
    with TestClient(app, headers=ALICE) as client:
        first = post(client, 30, ALICE).json()
        assert post(client, 5, ALICE).status_code == 429
        wait_for(client, first["statusUrl"], until=lambda s: s["running"] == 2)
        assert client.delete(first["statusUrl"], headers=ALICE).json()["cancelled"] == 28
        assert post(client, 28, ALICE).status_code == 202  # 2 still running + 28 = 30
        assert post(client, 1, ALICE).status_code == 429
        executor.gate.set()


def test_a_batch_larger_than_the_cap_itself_is_a_422(capped):
    with TestClient(create_app(capped), headers=ALICE) as client:
        answer = post(client, 31, ALICE)
        assert answer.status_code == 422
        assert answer.json()["code"] == "too_many_queued_rows"
        assert "split" in answer.json()["message"]


def test_an_open_server_caps_each_address(settings):
    settings = replace(settings, max_queued_rows_per_key=5)
    executor = GatedExecutor(settings)
    app = create_app(settings, build_service(settings, executor=executor))
    with TestClient(app, headers=ALICE) as client:
        assert post(client, 5, {}).status_code == 202
        assert post(client, 1, {}).status_code == 429
        executor.gate.set()


def test_the_cap_holds_on_the_redis_engine_and_cancelled_rows_free_it(redis_settings):
    """No worker is running: the rows stay queued in Redis until cancelled."""

    settings = replace(redis_settings, api_keys=("alice", "bob"), max_queued_rows_per_key=30)
    with TestClient(create_app(settings), headers=ALICE) as client:
        first = post(client, 20, ALICE)
        assert first.status_code == 202, first.text
        refused = post(client, 11, ALICE)
        assert refused.status_code == 429 and refused.headers["Retry-After"]
        assert refused.json()["code"] == "too_many_queued_rows"
        assert post(client, 30, BOB).status_code == 202
        assert post(client, 10, ALICE).status_code == 202
        assert post(client, 1, ALICE).status_code == 429
        assert client.delete(first.json()["statusUrl"]).json()["cancelled"] == 20
        assert post(client, 20, ALICE).status_code == 202  # the cancelled rows' room
        assert post(client, 1, ALICE).status_code == 429
