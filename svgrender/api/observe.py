"""One middleware for what operators watch: a request id (X-Request-Id accepted and echoed),
Prometheus counters and histograms per route, and one JSON log line per request."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from svgrender import metrics

log = logging.getLogger("svgrender.access")


def json_lines() -> None:
    """Access lines are whole JSON objects on stderr, whatever the root logger's format."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Metric labels come from these sets only, so no caller can add series (a method name is any
# token a client invents; each new label value is a new series every scrape carries forever).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})


# Answers a client can make the server give as fast as it can send (a key retrying past its
# render allowance, a scan with a bad key or invented methods, a flood while overloaded): each
# one still counts in /metrics, but the log keeps only the first few a second of each.
REFUSALS = frozenset({401, 405, 408, 429, 503})
REFUSAL_LINES_PER_SECOND = 5


class RefusalThrottle:
    """At most `per_second` log lines a second per (route, status) of refusals; the ones left
    out are summed into one line (`"suppressed": n`) when the next second's first line is
    written."""

    def __init__(self, per_second: int = REFUSAL_LINES_PER_SECOND):
        self.per_second, self.second, self.counts = per_second, 0, {}

    def allow(self, route: str, status: int, now: float) -> tuple[bool, list[dict]]:
        """(log this line?, summary lines of the previous second to log first)."""
        summaries = []
        if int(now) != self.second:
            summaries = [{"ts": float(self.second), "route": r, "status": s,
                          "suppressed": n - self.per_second,
                          "message": "similar refusals in this second, counted in /metrics, "
                                     "not logged one by one"}
                         for (r, s), n in self.counts.items() if n > self.per_second]
            self.second, self.counts = int(now), {}
        if status not in REFUSALS:
            return True, summaries
        n = self.counts[(route, status)] = self.counts.get((route, status), 0) + 1
        return n <= self.per_second, summaries


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


def route_name(scope: Scope) -> str:
    """The matched route's template (`/batches/{id}`: one label for every method and id), or
    "unmatched" when no route was reached."""
    endpoint = scope.get("endpoint")
    if endpoint is None:
        return "unmatched"
    path, root = scope.get("path", ""), scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):] or "/"
    for route in getattr(scope.get("router"), "routes", ()):
        regex = getattr(route, "path_regex", None)
        if getattr(route, "endpoint", None) is endpoint and regex and regex.match(path):
            return route.path
    return "unmatched"


class ObserveMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app
        self.refusals = RefusalThrottle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if REQUEST_ID.match(given) else secrets.token_hex(8)
        scope["svgrender.log"] = log_fields = {}
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            # Labels are read after auth and routing ran: an unauthenticated request never
            # reached a route ("unmatched"), and the method is one of METHODS or "other".
            route = route_name(scope)
            m = metrics.setup()
            m.requests.labels(route, method_label(scope["method"]), str(status)).inc()
            m.request_seconds.labels(route).observe(seconds)
            now = time.time()
            wanted, summaries = self.refusals.allow(route, status, now)
            for summary in summaries:
                log.info(json.dumps(summary, ensure_ascii=False))
            if not wanted:
                return
            log.info(json.dumps({
                "ts": round(now, 3), "requestId": request_id,
                "method": scope["method"][:32], "path": scope["path"][:300], "route": route,
                "status": status, "durationMs": round(seconds * 1000, 2), **log_fields},
                ensure_ascii=False))
