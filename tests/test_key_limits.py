"""Limits hold on who a caller is, not on how they spell it: the per-key render limit is keyed on
the canonical key (40 spellings of one Authorization header are one client), a render-only key
sees and cancels only its own batches, and /metrics labels stay bounded whatever methods
callers invent."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace

from starlette.testclient import TestClient

from helpers import GatedExecutor
from svgrender.api.app import build_service, create_app

SPELLINGS = ["Bearer k-alpha", "bearer k-alpha", "BEARER k-alpha", "Bearer  k-alpha",
             "Bearer k-alpha ", "  Bearer k-alpha", "Bearer\tk-alpha", "bEaReR   k-alpha"]


def test_spellings_of_one_key_share_its_render_limit(settings):
    settings = replace(settings, api_keys=("k-alpha", "k-beta"), max_in_flight_per_client=1)
    executor = GatedExecutor(settings)
    app = create_app(settings, service=build_service(settings, executor=executor))
    answers: dict[str, int] = {}
    with TestClient(app) as client:
        def post(spelling: str) -> None:
            answers[spelling] = client.post(
                "/designs/social-card", json={"params": [{"name": "title", "text": spelling}]},
                headers={"Authorization": spelling}).status_code

        first = threading.Thread(target=post, args=(SPELLINGS[0],))
        first.start()
        deadline = time.monotonic() + 20
        while executor.started < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        others = [threading.Thread(target=post, args=(s,)) for s in SPELLINGS[1:]]
        for thread in others:
            thread.start()
        deadline = time.monotonic() + 5
        while len(answers) < len(others) and time.monotonic() < deadline:
            time.sleep(0.01)
        started_while_held = executor.started
        executor.gate.set()
        for thread in [first, *others]:
            thread.join(30)
        # Another key is another client.
        assert client.post("/designs/social-card", json={},
                           headers={"Authorization": "Bearer k-beta"}).status_code == 201
    assert started_while_held == 1, f"{started_while_held} renders of one key at once"
    assert answers[SPELLINGS[0]] == 201
    assert {answers[s] for s in SPELLINGS[1:]} == {429}, answers


def test_a_render_key_touches_only_its_own_batches(settings):
    settings = replace(settings, api_keys=("alice", "bob"), admin_keys=("admin",),
                       batch_concurrency=1)
    alice, bob, admin = ({"Authorization": f"Bearer {k}"} for k in ("alice", "bob", "admin"))
    with TestClient(create_app(settings)) as client:
        made = client.post("/batches/certificate", content="recipient.text\nAda\nAlan\n",
                           headers={**alice, "Content-Type": "text/csv"})
        assert made.status_code == 202, made.text
        batch = made.json()["statusUrl"].rsplit("/", 1)[1]
        for method, path in (("DELETE", ""), ("GET", ""), ("GET", "/zip"), ("GET", "/pdf")):
            answer = client.request(method, f"/batches/{batch}{path}", headers=bob)
            assert answer.status_code in (403, 404), (method, path, answer.status_code)
        # Alice's own spelling of her key, and an admin key, may.
        assert client.get(f"/batches/{batch}", headers={"Authorization": "bearer  alice"}
                          ).status_code == 200
        assert client.get(f"/batches/{batch}", headers=admin).status_code == 200
        assert client.delete(f"/batches/{batch}", headers=alice).status_code == 200


def method_labels(text: str) -> set[str]:
    return set(re.findall(r'svgrender_http_requests_total\{[^}]*method="([^"]*)"', text))


def test_invented_methods_do_not_become_metric_labels(settings):
    with TestClient(create_app(settings)) as client:
        for n in range(300):
            client.request(f"X{n}METHOD", "/metrics")
            client.request(f"PURGE{n}", "/designs/social-card")
        labels = method_labels(client.get("/metrics").text)
    assert labels <= {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "other"}, \
        sorted(labels)[:20]
    assert "other" in labels


def test_unauthenticated_requests_cannot_add_label_series(settings):
    settings = replace(settings, api_keys=("k",))
    with TestClient(create_app(settings)) as client:
        for n in range(100):
            assert client.request(f"Z{n}", f"/nowhere/{n}").status_code == 401
        labels = method_labels(client.get("/metrics", headers={"Authorization": "Bearer k"}).text)
    assert not any(label.startswith("Z") for label in labels)
