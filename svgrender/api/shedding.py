"""Load shedding in front of the app: work beyond a limit gets 503 with Retry-After, health
checks never do (a busy server is alive, and a balancer that reads 503 from /healthz would
take a working replica out)."""

from __future__ import annotations

import json
import re

from svgrender.api.errors import RETRY_AFTER_SECONDS

HEALTH_PATHS = frozenset({"/healthz", "/readyz"})


async def overloaded(scope, receive, send, message: str) -> None:
    body = json.dumps({"message": message, "code": "overloaded"}).encode()
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode())]})
    await send({"type": "http.response.body", "body": body})


class Shedder:
    """At most `limit` requests other than health checks in the app at once (0: no limit)."""

    def __init__(self, app, limit: int):
        self.app, self.limit, self.active = app, limit, 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] in HEALTH_PATHS or not self.limit:
            return await self.app(scope, receive, send)
        if self.active >= self.limit:
            return await overloaded(scope, receive, send, "too many requests at once; retry "
                                                          "shortly")
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


def health_only(app):
    """The app for a connection admitted into the reserve: health checks, nothing else."""
    async def guarded(scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] not in HEALTH_PATHS:
            return await overloaded(scope, receive, send, "too many open connections; retry "
                                                          "shortly")
        await app(scope, receive, send)
    return guarded


# The routes that take one render slot of the caller (service.client_slot).
RENDER_PATHS = re.compile(r"^/(?:designs/[^/]+(?:/preview)?|v1/templates/[^/]+/images)$")


class BusyClientRefusal:
    """A render from a client that has all its renders in progress is refused 429 here, before
    routing, body, template or exception handling: such a client may retry in a tight loop,
    and each refusal should cost the event loop as little as an answer can."""

    def __init__(self, app, service):
        self.app, self.service = app, service
        self.body = json.dumps({
            "message": f"this client already has {service.settings.max_in_flight_per_client} "
                       "renders in progress (SVGRENDER_MAX_IN_FLIGHT_PER_CLIENT); retry shortly",
            "code": "too_many_requests"}).encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" \
                and self.service.client_busy(scope.get("svgrender.client")) \
                and RENDER_PATHS.match(scope["path"]):
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(self.body)).encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode())]})
            await send({"type": "http.response.body", "body": self.body})
            return
        await self.app(scope, receive, send)
