"""Load shedding in front of the app (api/shedding.py): work beyond the limit is a 503 with
Retry-After and a JSON body; /healthz and /readyz are never refused nor counted."""

import asyncio

from svgrender.api.shedding import Shedder, health_only


def call(app, path: str) -> tuple[int, dict]:
    """One request through an ASGI app: (the coroutine function to run it, the messages sent)."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    async def run():
        await app({"type": "http", "path": path, "method": "GET", "headers": []}, receive, send)

    return run, sent


def test_work_beyond_the_limit_is_shed_but_health_checks_never_are():
    release = asyncio.Event()

    async def slow_app(scope, receive, send):
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def scenario():
        shedder = Shedder(slow_app, limit=1)
        first, first_sent = call(shedder, "/designs/social-card")
        second, second_sent = call(shedder, "/designs/social-card")
        health, health_sent = call(shedder, "/healthz")
        busy = asyncio.create_task(first())
        await asyncio.sleep(0)
        await second()  # answered at once: the one slot is taken
        waiting_health = asyncio.create_task(health())
        await asyncio.sleep(0)
        assert shedder.active == 1  # the health check is not counted
        release.set()
        await asyncio.gather(busy, waiting_health)
        return first_sent, second_sent, health_sent

    first_sent, second_sent, health_sent = asyncio.run(scenario())
    assert first_sent[0]["status"] == 200
    assert health_sent[0]["status"] == 200
    start = second_sent[0]
    assert start["status"] == 503
    assert (b"retry-after", b"2") in start["headers"]
    assert b'"code": "overloaded"' in second_sent[1]["body"]


def test_a_connection_in_the_reserve_serves_health_checks_only():
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    guarded = health_only(app)
    statuses = {}
    for path in ("/healthz", "/readyz", "/designs/social-card", "/metrics"):
        run, sent = call(guarded, path)
        asyncio.run(run())
        statuses[path] = sent[0]["status"]
    assert statuses == {"/healthz": 200, "/readyz": 200, "/designs/social-card": 503,
                        "/metrics": 503}


def test_a_busy_clients_render_is_refused_before_its_body_is_read(settings):
    """A key with all its renders in progress: its next render is a 429 with Retry-After and a
    JSON body, answered without reading the body or reaching the routes; another key's render
    and the busy key's other requests go through."""
    import json
    from dataclasses import replace

    from svgrender.api.app import build_service
    from svgrender.api.shedding import BusyClientRefusal

    service = build_service(replace(settings, max_in_flight_per_client=2))
    service.per_client["key:busy"] = 2  # as client_slot counts two renders in progress
    reached, read = [], []

    async def inner(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive():
        read.append(True)
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def ask(path: str, client: str, method: str = "POST") -> list:
        sent = []

        async def send(message):
            sent.append(message)
        await BusyClientRefusal(inner, service)({"type": "http", "method": method, "path": path,
                                                 "headers": [], "svgrender.client": client},
                                                receive, send)
        return sent

    async def scenario():
        for path in ("/designs/social-card", "/designs/social-card/preview",
                     "/v1/templates/social-card/images"):
            refused = await ask(path, "key:busy")
            assert refused[0]["status"] == 429
            assert (b"retry-after", b"2") in refused[0]["headers"]
            body = json.loads(refused[1]["body"])
            assert body["code"] == "too_many_requests"
            assert "SVGRENDER_MAX_IN_FLIGHT_PER_CLIENT" in body["message"]
        assert reached == [] and read == []
        assert (await ask("/designs/social-card", "key:other"))[0]["status"] == 201
        assert (await ask("/batches/x", "key:busy", "GET"))[0]["status"] == 201
        assert (await ask("/templates", "key:busy"))[0]["status"] == 201
        assert reached == ["/designs/social-card", "/batches/x", "/templates"]

    asyncio.run(scenario())
