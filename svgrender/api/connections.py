"""Connection hygiene in front of the app, in uvicorn's own HTTP/1.1 protocol (a subclass).

uvicorn (0.55) has no deadline for a request head or body: its keep-alive timer starts only after
a first response, and any byte cancels it, so a socket that connects and never finishes its head
stays open for ever. Its one limit (`limit_concurrency`) counts those sockets and then answers
503 to everyone, `/healthz` included: ~2,100 idle sockets locked a default server out. So each
connection here has

- a head deadline (SVGRENDER_HTTP_HEAD_TIMEOUT), from connecting or from the end of the previous
  answer until the whole head has arrived, however the bytes trickle;
- a body deadline (SVGRENDER_HTTP_BODY_TIMEOUT) from the end of the head, then 408;
- a place in a per-address and a total count of open connections. A new connection over either
  cap displaces the oldest connection of that address (or of all) that is still waiting for a
  head: an idle flood only ever churns itself. When every connection is busy, a few more are
  admitted for `/healthz` and `/readyz` only (SVGRENDER_HTTP_RESERVED_CONNECTIONS); beyond
  that the connection gets a 503 with Retry-After.

`GET /healthz` (and HEAD) is answered here, in the protocol, as soon as its head is read: no
task, no middleware, no routing, one write. Under load a request that goes through the app
waits for the event loop to run its task among hundreds of others (refusals, renders, batch
rows); a balancer's liveness probe should not.

Every other answer is written in one piece: uvicorn writes a response's head and its body
separately, two sends and two wake-ups of the client each. On a busy machine each send from the
event loop can hand the CPU to the woken reader, so halving them is time the loop gets back
(under the attack benchmark ~40% of the loop's time was spent in those sends).

`uvicorn_options(settings)` gives the arguments `svgrender serve` passes to uvicorn.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import resource
from collections import OrderedDict

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from svgrender.api.errors import RETRY_AFTER_SECONDS
from svgrender.api.shedding import HEALTH_PATHS, Shedder, health_only
from svgrender.settings import Settings

log = logging.getLogger("svgrender.api")

FD_MARGIN = 256  # descriptors kept for files, templates, render workers and Redis/S3 sockets


def raw_answer(status: int, reason: str, message: str, code: str) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection (for before or outside h11's cycle)."""
    body = ('{"message": "%s", "code": "%s"}' % (message, code)).encode()
    retry = f"Retry-After: {RETRY_AFTER_SECONDS}\r\n" if status == 503 else ""
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{retry}Connection: close\r\n\r\n").encode() + body


REFUSED = raw_answer(503, "Service Unavailable", "too many open connections; retry shortly",
                     "overloaded")
# A health check answered in the protocol: a plain GET or HEAD of /healthz with no body. One
# with a body, an Origin (a browser: CORS headers are the app's) or an upgrade goes to the app.
HEALTH_HEAD = re.compile(rb"(GET|HEAD) /healthz(?:\?[^ \r\n]*)? HTTP/1\.[01]\r\n")
NOT_PLAIN = (b"\ncontent-length:", b"\ntransfer-encoding:", b"\norigin:", b"\nupgrade:",
             b"\nexpect:")
HEALTH_BODY = b'{"status":"ok"}'  # what the app's /healthz route answers
REQUEST_ID = re.compile(rb"\nx-request-id:[ \t]*([A-Za-z0-9._:-]{1,128})[ \t]*\r")

HEAD_TOO_SLOW = raw_answer(408, "Request Timeout", "the request head took too long",
                           "request_timeout")


class Guard:
    """Open connections of one server: per peer address and in all, and which of them wait for
    a request head (oldest first), so a newcomer over a cap can displace one of those."""

    def __init__(self, max_connections: int, per_address: int, reserved: int):
        self.max_connections, self.per_address, self.reserved = max_connections, per_address, \
            reserved
        self.open: set = set()
        self.by_peer: dict[str, int] = {}
        self.waiting: OrderedDict = OrderedDict()
        self.waiting_by_peer: dict[str, OrderedDict] = {}

    def admit(self, conn) -> str:
        """'work', 'health' (admitted into the reserve: health checks only) or 'refused'."""
        if self.per_address and self.by_peer.get(conn.peer, 0) >= self.per_address:
            if not self._evict(self.waiting_by_peer.get(conn.peer)):
                return "refused"
        kind = "work"
        if len(self.open) >= self.max_connections and not self._evict(self.waiting):
            if len(self.open) >= self.max_connections + self.reserved:
                return "refused"
            kind = "health"
        self.open.add(conn)
        self.by_peer[conn.peer] = self.by_peer.get(conn.peer, 0) + 1
        return kind

    def _evict(self, waiting: OrderedDict | None) -> bool:
        if not waiting:
            return False
        oldest = next(iter(waiting))
        oldest.close_quietly()
        return True

    def wait(self, conn) -> None:
        self.waiting[conn] = None
        self.waiting_by_peer.setdefault(conn.peer, OrderedDict())[conn] = None

    def busy(self, conn) -> None:
        self.waiting.pop(conn, None)
        peers = self.waiting_by_peer.get(conn.peer)
        if peers is not None:
            peers.pop(conn, None)
            if not peers:
                del self.waiting_by_peer[conn.peer]

    def forget(self, conn) -> None:
        self.busy(conn)
        if conn in self.open:
            self.open.discard(conn)
            left = self.by_peer[conn.peer] - 1
            if left:
                self.by_peer[conn.peer] = left
            else:
                del self.by_peer[conn.peer]


class OneWriteAnswers:
    """A request cycle's transport: the response head is held until the body's first bytes and
    written with them. Anything written before the head (a `100 Continue`) goes at once."""

    __slots__ = ("transport", "cycle", "head", "passing")

    def __init__(self, transport, cycle):
        self.transport, self.cycle, self.head, self.passing = transport, cycle, b"", False

    def write(self, data: bytes) -> None:
        if not self.passing:
            if self.cycle.response_started and not self.head:
                self.head = data  # the head: wait for the body
                return
            if self.head:
                data, self.head, self.passing = self.head + data, b"", True
        self.transport.write(data)

    def close(self) -> None:
        if self.head and not self.transport.is_closing():
            self.transport.write(self.head)
        self.head, self.passing = b"", True
        self.transport.close()

    def __getattr__(self, name):
        return getattr(self.transport, name)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with head and body deadlines and the Guard's caps. Subclassed per
    server by `protocol_for` (the class carries the server's limits and its Guard)."""

    guard: Guard
    head_timeout: float
    body_timeout: float

    peer = ""
    head_timer: asyncio.TimerHandle | None = None
    body_timer: asyncio.TimerHandle | None = None
    head_bytes = 0
    gone = False

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.peer = self.client[0] if self.client else ""
        kind = self.guard.admit(self)
        if kind == "refused":
            self.gone = True
            transport.write(REFUSED)
            transport.close()
            return
        if kind == "health":
            self.app = health_only(self.app)
        self._await_head()

    def connection_lost(self, exc) -> None:
        self.close_quietly(close=False)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.head_timer is not None:
            self.head_bytes += len(data)
        super().data_received(data)

    def handle_events(self) -> None:
        if not self.gone and self._answer_health():
            return  # (the requests after it, if any, were handled by on_response_complete)
        super().handle_events()
        if self.gone:
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_started \
                and not isinstance(cycle.transport, OneWriteAnswers):
            cycle.transport = OneWriteAnswers(self.transport, cycle)  # before its task runs
        state = self.conn.their_state
        if self.head_timer is not None and state is not h11.IDLE:  # a whole head arrived
            self._cancel_head()
        if state is h11.SEND_BODY and self.body_timer is None:  # (a pipelined one's too)
            self.body_timer = self.loop.call_later(self.body_timeout, self._body_too_slow)
        elif self.body_timer is not None and state is not h11.SEND_BODY:
            self.body_timer.cancel()
            self.body_timer = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.gone and not self.transport.is_closing() and self.head_timer is None \
                and self.conn.their_state is h11.IDLE:
            self._await_head()  # keep-alive: the next head has its own deadline

    def _answer_health(self) -> bool:
        """Answer a plain /healthz waiting whole in h11's buffer, here; False to leave it (and
        anything else) to uvicorn and the app."""
        conn = self.conn
        if conn.their_state is not h11.IDLE or conn.our_state is not h11.IDLE:
            return False
        data = conn.trailing_data[0]
        match = HEALTH_HEAD.match(data)
        end = data.find(b"\r\n\r\n") if match else -1
        if end < 0:
            return False
        head = data[:end + 2].lower()
        if any(name in head for name in NOT_PLAIN):
            return False
        try:
            request, ended = conn.next_event(), conn.next_event()
        except h11.RemoteProtocolError:
            return False  # uvicorn answers it 400 (h11 stays in its error state)
        self._cancel_head()
        if not isinstance(request, h11.Request) or not isinstance(ended, h11.EndOfMessage):
            self.close_quietly()  # not reached: a head without a body is one whole request
            return True
        given = REQUEST_ID.search(head)
        request_id = data[given.start(1):given.end(1)] if given else \
            b"%016x" % random.getrandbits(64)  # a trace id, not a secret: no syscall for it
        out = conn.send(h11.Response(status_code=200, reason=b"OK", headers=[
            *self.server_state.default_headers, (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(HEALTH_BODY)), (b"x-request-id", request_id)]))
        if match.group(1) == b"GET":
            out += conn.send(h11.Data(data=HEALTH_BODY))
        out += conn.send(h11.EndOfMessage())
        self.transport.write(out)
        if conn.our_state is h11.MUST_CLOSE:  # the client asked to close (or HTTP/1.0)
            self.server_state.total_requests += 1
            self.close_quietly()
        else:
            self.on_response_complete()  # keep-alive: next head's deadline, pipelined requests
        return True

    def _await_head(self) -> None:
        self.head_bytes = 0
        self.head_timer = self.loop.call_later(self.head_timeout, self._head_too_slow)
        self.guard.wait(self)

    def _cancel_head(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None
        self.guard.busy(self)

    def _head_too_slow(self) -> None:
        self.head_timer = None
        if self.head_bytes and not self.transport.is_closing():
            self.transport.write(HEAD_TOO_SLOW)  # a slow sender learns why; an idle one is just closed
        self.close_quietly()

    def _body_too_slow(self) -> None:
        self.body_timer = None
        if self.flow.read_paused:  # the app is behind, not the peer: wait again
            self.body_timer = self.loop.call_later(self.body_timeout, self._body_too_slow)
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_started:
            cycle.response_started = True  # the app's own answer, if any, is dropped
            self.transport.write(raw_answer(408, "Request Timeout",
                                            "the request body took too long", "request_timeout"))
        if cycle is not None:
            cycle.disconnected = True  # the app's receive() gets http.disconnect
            cycle.message_event.set()
        self.close_quietly()

    def close_quietly(self, close: bool = True) -> None:
        """Leave the counts (once) and stop the timers; close the socket unless it is gone."""
        self.gone = True
        for timer in (self.head_timer, self.body_timer):
            if timer is not None:
                timer.cancel()
        self.head_timer = self.body_timer = None
        self.guard.forget(self)
        if close and self.transport is not None and not self.transport.is_closing():
            self.transport.close()


def connection_limit(wanted: int) -> int:
    """Raise this process's soft descriptor limit as far as allowed, and keep the connection cap
    under it (a cap the process cannot reach turns into failed accept()s instead of answers)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + FD_MARGIN
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft - FD_MARGIN < wanted:
        usable = max(64, soft - FD_MARGIN)
        log.warning("open-file limit %d: serving at most %d connections (SVGRENDER_HTTP_MAX_"
                    "CONNECTIONS=%d); raise `ulimit -n`", soft, usable, wanted)
        return usable
    return wanted


def protocol_for(settings: Settings) -> type[GuardedH11Protocol]:
    """A protocol class for one server: its limits and one Guard shared by its connections."""
    guard = Guard(connection_limit(settings.http_max_connections),
                  settings.http_max_connections_per_address,
                  settings.http_reserved_connections)
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {
        "guard": guard, "head_timeout": settings.http_head_timeout,
        "body_timeout": settings.http_body_timeout})


def uvicorn_options(settings: Settings, app) -> dict:
    """The app wrapped in work shedding, and the protocol with the connection limits."""
    return {"app": Shedder(app, settings.http_max_requests), "http": protocol_for(settings),
            "timeout_keep_alive": settings.http_keep_alive_timeout,
            "limit_concurrency": None,  # uvicorn's would 503 /healthz too: ours spare health
            "h11_max_incomplete_event_size": 64 * 1024}  # headers: 64 KiB at most


__all__ = ["GuardedH11Protocol", "Guard", "HEALTH_PATHS", "protocol_for", "uvicorn_options"]
