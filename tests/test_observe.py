"""What operators watch: request ids, one JSON log line per request, /metrics (worker processes
included), /readyz."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace

from starlette.testclient import TestClient

from svgrender.api.app import create_app
from svgrender.api.observe import RefusalThrottle


def test_request_ids_are_echoed_or_made(client):
    given = client.get("/healthz", headers={"X-Request-Id": "trace-42.a"})
    assert given.headers["x-request-id"] == "trace-42.a"
    made = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{16}", made.headers["x-request-id"])
    hostile = client.get("/healthz", headers={"X-Request-Id": "a b\tc" + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{16}", hostile.headers["x-request-id"])


def test_one_json_log_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="svgrender.access"):
        client.post("/designs/social-card", json={}, headers={"X-Request-Id": "log-1"})
        client.post("/designs/social-card", json={})  # the same render: a cache hit
        client.post("/designs/no-such-template", json={})
    lines = [json.loads(r.getMessage()) for r in caplog.records
             if r.name == "svgrender.access"]
    assert len(lines) == 3
    first, second, missing = lines
    assert first["requestId"] == "log-1" and first["status"] == 201
    assert first["template"] == "social-card" and first["cacheHit"] is False
    assert second["cacheHit"] is True and first["route"] == "/designs/{template_id}"
    assert missing["status"] == 404 and missing["durationMs"] >= 0


def test_metrics_count_renders_drawn_in_worker_processes(settings):
    with TestClient(create_app(replace(settings, workers=2))) as client:
        def draws() -> float:
            text = client.get("/metrics").text
            found = re.search(r'svgrender_render_seconds_count\{stage="draw",'
                              r'template="certificate"\} ([0-9.]+)', text)
            return float(found.group(1)) if found else 0.0

        before = draws()
        for n in range(3):
            answer = client.post("/designs/certificate", json={"params": [
                {"name": "recipient", "text": f"Metrics {n}"}]})
            assert answer.status_code == 201
        text = client.get("/metrics").text
        # Drawn in worker processes (the API process never observes "draw" with workers > 0).
        assert draws() - before == 3
        assert re.search(r'svgrender_http_requests_total\{method="POST",'
                         r'route="/designs/\{template_id\}",status="201"\} [1-9]', text)
        assert "svgrender_render_queue_depth" in text and "svgrender_cache_hits_total" in text


def test_readyz_reports_storage_room(settings):
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["storage"]["ok"]
    starved = replace(settings, min_free_bytes=1 << 62)  # more than any disk has free
    with TestClient(create_app(starved)) as client:
        answer = client.get("/readyz")
        assert answer.status_code == 503 and not answer.json()["ready"]
        assert "SVGRENDER_MIN_FREE_BYTES" in answer.json()["checks"]["storage"]["error"]
        assert client.get("/healthz").status_code == 200  # alive, just not ready


def test_cors_origins_by_setting(settings):
    allowed = replace(settings, cors_origins=("https://app.example.com",), api_keys=("k",))
    with TestClient(create_app(allowed)) as client:
        preflight = client.options("/designs/social-card", headers={
            "Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert preflight.status_code == 200  # answered before the key check
        assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
        other = client.get("/templates", headers={"Origin": "https://evil.example",
                                                  "Authorization": "Bearer k"})
        assert "access-control-allow-origin" not in other.headers
        unauthorized = client.get("/templates")
        assert unauthorized.status_code == 401
        assert unauthorized.headers["www-authenticate"] == "Bearer"
    with TestClient(create_app(settings)) as client:  # no setting: no CORS headers at all
        plain = client.get("/templates", headers={"Origin": "https://app.example.com"})
        assert "access-control-allow-origin" not in plain.headers


def test_sigterm_lets_a_render_in_progress_finish(tmp_path):
    import signal
    import threading
    import time

    import httpx

    from helpers import TEMPLATES
    from live import start_server

    server, url = start_server({"SVGRENDER_TEMPLATES_DIR": str(TEMPLATES),
                                "SVGRENDER_STORAGE_DIR": str(tmp_path / "images")})
    try:
        answers = []
        slow = {"format": "png", "scale": 4, "params": [{"name": "title", "text": "Draining"}]}
        worker = threading.Thread(target=lambda: answers.append(
            httpx.post(f"{url}/designs/social-card", json=slow, timeout=60)))
        worker.start()
        time.sleep(0.3)  # the render is in progress
        server.send_signal(signal.SIGTERM)
        worker.join(60)
        assert answers and answers[0].status_code == 201  # finished, not cut off
        # Then it exits: uvicorn re-raises the signal after its graceful shutdown (-15).
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()


def test_route_labels_are_route_templates(client):
    """One label per route template, whatever the method or id; never handler names."""
    client.get("/batches/abc123")  # GET and DELETE of one path share it
    client.delete("/batches/abc123")
    client.get("/templates/social-card")
    client.get("/v1/templates/social-card")
    client.get("/no/such/path")
    text = client.get("/metrics").text
    routes = set(re.findall(r'svgrender_http_requests_total\{[^}]*route="([^"]*)"', text))
    assert {"/batches/{id}", "/templates/{template_id}", "/v1/templates/{template_id}",
            "unmatched"} <= routes, routes
    assert not any("|" in route or "_" in route.split("{")[0] for route in routes), routes
    seconds = set(re.findall(r'svgrender_http_request_seconds_count\{route="([^"]*)"', text))
    assert "/batches/{id}" in seconds and "abc123" not in text


def test_refusals_are_logged_a_few_a_second_and_summed():
    throttle = RefusalThrottle(per_second=5)
    allowed = [throttle.allow("/designs/{template_id}", 429, 100.2 + n / 100)[0]
               for n in range(40)]
    assert allowed == [True] * 5 + [False] * 35
    assert throttle.allow("/designs/{template_id}", 201, 100.9) == (True, [])  # never held
    assert throttle.allow("/metrics", 401, 100.9)[0]  # its own allowance per route and status
    wanted, summaries = throttle.allow("/designs/{template_id}", 429, 101.1)
    assert wanted and summaries == [{
        "ts": 100.0, "route": "/designs/{template_id}", "status": 429, "suppressed": 35,
        "message": summaries[0]["message"]}]


def test_a_flood_of_refusals_does_not_write_a_line_each(settings, caplog):
    settings = replace(settings, api_keys=("k",))
    with TestClient(create_app(settings)) as client, \
            caplog.at_level(logging.INFO, logger="svgrender.access"):
        for _ in range(40):
            assert client.post("/designs/social-card", json={}).status_code == 401
        assert client.post("/designs/social-card", json={},
                           headers={"Authorization": "Bearer k"}).status_code == 201
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "svgrender.access"]
    refused = [line for line in lines if line.get("status") == 401 and "requestId" in line]
    assert 5 <= len(refused) < 40  # a few a second (the loop may cross a second or two)
    assert lines[-1]["status"] == 201  # an answer that is not a refusal is always logged


def test_metrics_answer_while_a_worker_is_creating_its_file(client):
    """prometheus-client creates a process's file empty and sizes it a moment later; a scrape in
    between was a 500 (struct.error) — seen under load when a worker started."""
    import os
    from pathlib import Path

    client.post("/designs/social-card", json={})
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    starting = folder / "counter_999999.db"
    starting.write_bytes(b"")  # the file of a process between open() and truncate()
    try:
        answer = client.get("/metrics")
        assert answer.status_code == 200
        assert "svgrender_http_requests_total" in answer.text
    finally:
        starting.unlink()
