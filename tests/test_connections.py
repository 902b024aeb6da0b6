"""Connection hygiene of a really started `svgrender serve` (api/connections.py): idle and slow
sockets on loopback never lock out /healthz or a render, and are closed at their deadlines.

The attackers bind other loopback addresses (127.0.0.2 …): all of 127/8 is this machine, so one
test can be several clients, as the per-address cap sees them."""

from __future__ import annotations

import contextlib
import io
import resource
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live import start_server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HEAD_TIMEOUT = 5.0
BODY_TIMEOUT = 3.0
IDLE_SOCKETS = 2500


@pytest.fixture(scope="module")
def server():
    raise_fd_limit(IDLE_SOCKETS + 1000)
    with tempfile.TemporaryDirectory() as storage:
        process, url = start_server({
            "SVGRENDER_TEMPLATES_DIR": str(ROOT / "templates"), "SVGRENDER_STORAGE_DIR": storage,
            "SVGRENDER_HTTP_HEAD_TIMEOUT": str(HEAD_TIMEOUT),
            "SVGRENDER_HTTP_BODY_TIMEOUT": str(BODY_TIMEOUT)})
        try:
            yield url, int(url.rsplit(":", 1)[1])
        finally:
            process.kill()
            process.wait()


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"`ulimit -Hn` is {hard}: {needed} sockets cannot be opened")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def idle_sockets(port: int, count: int, sources: list[str]) -> list[socket.socket]:
    """Sockets that connect and never finish a request head (every other one sends half)."""
    out = []
    for n in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10,
                                        source_address=(sources[n % len(sources)], 0))
        if n % 2:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: idle\r\n")
        out.append(sock)
    return out


def is_open(sock: socket.socket) -> bool:
    """The server has neither answered nor closed it (nothing to read, no EOF, no reset)."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)  # an answer (a 408) or the EOF
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def closed_within(socks: list[socket.socket], seconds: float) -> int:
    """How many of them the server closed before `seconds` are up (all, hopefully)."""
    end = time.monotonic() + seconds
    pending = list(socks)
    while pending and time.monotonic() < end:
        pending = [sock for sock in pending if is_open(sock) or not drained(sock)]
        time.sleep(0.2)
    return len(socks) - len(pending)


def drained(sock: socket.socket) -> bool:
    """Read what the server wrote (a 408, say) up to its EOF: True once the EOF is there."""
    sock.setblocking(False)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def health_latency(port: int, source: str = "127.0.0.1") -> tuple[int, float]:
    """A new connection, GET /healthz, the whole answer: (status, seconds)."""
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=10,
                                  source_address=(source, 0)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), time.perf_counter() - start


def test_2500_idle_sockets_leave_healthz_fast_and_renders_working(server):
    url, port = server
    sources = [f"127.0.0.{n}" for n in range(2, 12)]  # 10 clients × 250 sockets
    started = time.monotonic()
    socks = idle_sockets(port, IDLE_SOCKETS, sources)
    try:
        answers = [health_latency(port) for _ in range(50)]
        still_open = sum(is_open(sock) for sock in socks)
        statuses = {status for status, _ in answers}
        p95 = statistics.quantiles([seconds for _, seconds in answers], n=20)[18]
        assert statuses == {200}, statuses
        assert p95 < 0.2, f"/healthz p95 {p95 * 1000:.0f} ms beside {still_open} idle sockets"
        # The load was really there: the server held ~2,000 of them while answering.
        assert still_open >= 1500, still_open

        answer = httpx.post(f"{url}/designs/social-card", timeout=30, json={
            "format": "png", "params": [{"name": "title", "text": "Beside idle sockets"}]})
        assert answer.status_code == 201, answer.text
        image = httpx.get(answer.json()["imageUrl"], timeout=10)
        assert Image.open(io.BytesIO(image.content)).size == (1200, 630)

        # Every idle socket is closed by the head deadline (a little slack for a busy machine).
        left = HEAD_TIMEOUT + 5 - (time.monotonic() - started)
        closed = closed_within(socks, max(left, 1.0))
        assert closed == IDLE_SOCKETS, f"{IDLE_SOCKETS - closed} idle sockets still open"
    finally:
        for sock in socks:
            sock.close()


def test_one_address_holds_at_most_its_cap_and_still_gets_health_answers(server):
    url, port = server
    socks = idle_sockets(port, 300, ["127.0.0.20"])  # the per-address cap is 256 by default
    try:
        time.sleep(0.5)
        assert sum(is_open(sock) for sock in socks) <= 256
        # A health check from that same (full) address displaces one of its idle sockets.
        status, seconds = health_latency(port, "127.0.0.20")
        assert status == 200 and seconds < 1.0
        assert sum(is_open(sock) for sock in socks) <= 255
    finally:
        for sock in socks:
            sock.close()


def read_answer(sock: socket.socket, seconds: float) -> bytes:
    sock.settimeout(seconds)
    answer = b""
    with contextlib.suppress(TimeoutError, ConnectionResetError):
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_head_trickled_a_byte_at_a_time_is_cut_at_the_head_deadline(server):
    _url, port = server
    head = b"GET /healthz HTTP/1.1\r\nHost: slow\r\n" + b"X-Pad: " + b"a" * 200
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            for byte in head:  # every byte well inside any per-read timeout
                sock.sendall(bytes([byte]))
                time.sleep(0.05)
                if time.monotonic() - started > HEAD_TIMEOUT + 5:
                    break
        answer = read_answer(sock, 5)
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert HEAD_TIMEOUT - 0.5 < elapsed < HEAD_TIMEOUT + 3, elapsed


def test_a_body_trickled_a_byte_at_a_time_gets_408_at_the_body_deadline(server):
    _url, port = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /designs/social-card HTTP/1.1\r\nHost: slow\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        started = time.monotonic()
        with contextlib.suppress(OSError):
            for byte in b'{"params": [' + b" " * 900:
                sock.sendall(bytes([byte]))
                time.sleep(0.05)
                if time.monotonic() - started > BODY_TIMEOUT + 5:
                    break
        answer = read_answer(sock, 5)
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert b"request_timeout" in answer
    assert BODY_TIMEOUT - 0.5 < elapsed < BODY_TIMEOUT + 3, elapsed


def test_over_every_cap_with_nobody_idle_only_health_then_a_503():
    """Unit: a connection over every cap with nobody idle to displace gets 503 + Retry-After."""
    from svgrender.api.connections import REFUSED, Guard

    class Busy:
        peer = "10.0.0.1"

        def close_quietly(self):
            raise AssertionError("a busy connection is never displaced")

    guard = Guard(max_connections=2, per_address=0, reserved=1)
    kinds = [guard.admit(Busy()) for _ in range(4)]
    assert kinds == ["work", "work", "health", "refused"]
    assert REFUSED.startswith(b"HTTP/1.1 503") and b"Retry-After: " in REFUSED


# /healthz in the protocol (GuardedH11Protocol._answer_health): the app is never called for it.

@contextlib.contextmanager
def protocol_server(app):
    """uvicorn with our protocol class and default limits, in a thread, serving `app`."""
    import threading

    import uvicorn

    from svgrender.api.connections import protocol_for
    from svgrender.settings import Settings

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, http=protocol_for(Settings.from_env({})), lifespan="off",
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def answers(port: int, raw: bytes, count: int, seconds: float = 5) -> list[tuple]:
    """Send `raw` (one or more requests) on one connection; (status, headers, body) of the
    first `count` answers, parsed by h11 as a client would (HEAD answers: `raw` says which)."""
    import h11

    out = []
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
        sock.sendall(raw)
        client = h11.Connection(h11.CLIENT)
        methods = [line.split(b" ", 1)[0] for line in raw.split(b"\r\n")
                   if line.split(b" ", 1)[0] in (b"GET", b"HEAD", b"POST")]
        for method in methods[:count]:
            client.send(h11.Request(method=method, target="/", headers=[("Host", "x")]))
            client.send(h11.EndOfMessage())
            status, headers, body = None, {}, b""
            while True:
                event = client.next_event()
                if event is h11.NEED_DATA:
                    client.receive_data(sock.recv(65536))
                elif isinstance(event, h11.Response):
                    status, headers = event.status_code, dict(event.headers)
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    break
            out.append((status, headers, body))
            if client.our_state is h11.MUST_CLOSE:
                break
            client.start_next_cycle()
    return out


def test_healthz_is_answered_by_the_protocol_while_the_app_answers_nothing():
    """An app stuck for every request (as a loop busy with renders and refusals is, for a
    request's task): /healthz is still answered, by the protocol, and the app never sees it."""
    import asyncio

    seen = []

    async def stuck(scope, receive, send):
        seen.append(scope.get("path"))
        await asyncio.Event().wait()

    with protocol_server(stuck) as port:
        ((status, headers, body),) = answers(
            port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1)
        assert (status, body) == (200, b'{"status":"ok"}')
        assert headers[b"content-type"] == b"application/json"
        assert len(headers[b"x-request-id"]) == 16
        with pytest.raises(socket.timeout):  # the app really answers nothing
            answers(port, b"GET /other HTTP/1.1\r\nHost: x\r\n\r\n", 1, seconds=1)
    assert seen == ["/other"]


async def echo_app(scope, receive, send):
    """Answers `app:<path>` (and records nothing): tells the app's answers from the protocol's."""
    if scope["type"] != "http":
        return
    body = b"app:" + scope["path"].encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def test_health_answers_keep_the_connection_and_pipelined_requests_in_order():
    with protocol_server(echo_app) as port:
        got = answers(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-7.a\r\n\r\n"
                            b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                            b"GET /designs HTTP/1.1\r\nHost: x\r\n\r\n"
                            b"GET /healthz?probe=1 HTTP/1.1\r\nHost: x\r\n\r\n", 4)
        assert [(status, body) for status, _, body in got] == [
            (200, b'{"status":"ok"}'), (200, b""), (200, b"app:/designs"),
            (200, b'{"status":"ok"}')]
        assert got[0][1][b"x-request-id"] == b"trace-7.a"
        assert got[1][1][b"content-length"] == b"15"  # HEAD: the GET's length, no body
        # Then the same connection still serves (kept alive, next head awaited).
        again = answers(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                              b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n", 2)
        assert [body for _, _, body in again] == [b'{"status":"ok"}', b"app:/x"]


def test_a_health_request_that_is_not_plain_goes_to_the_app():
    """With a body, an Origin (CORS is the app's) or another method, /healthz is the app's."""
    with protocol_server(echo_app) as port:
        for raw in (b"GET /healthz HTTP/1.1\r\nHost: x\r\nOrigin: https://a.example\r\n\r\n",
                    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
                    b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                    b"GET /healthzz HTTP/1.1\r\nHost: x\r\n\r\n"):
            ((status, _, body),) = answers(port, raw, 1)
            assert body.startswith(b"app:/healthz"), (raw, body)


def test_an_answer_is_one_write_and_a_100_continue_is_not_held():
    """uvicorn writes a response's head and body apart (two sends, two wake-ups of the client);
    here each answer is one write. A `100 Continue` still goes before the body is sent."""
    import asyncio.selector_events

    writes = []
    real = asyncio.selector_events._SelectorSocketTransport.write

    def counted(transport, data):
        if data:  # (asyncio returns at once on an empty one: no send)
            writes.append(bytes(data))
        return real(transport, data)

    async def read_then_echo(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await echo_app(scope, receive, send) if not body else (
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", str(len(body)).encode())]}),
            await send({"type": "http.response.body", "body": body}))

    with protocol_server(read_then_echo) as port:
        asyncio.selector_events._SelectorSocketTransport.write = counted
        try:
            got = answers(port, b"".join(b"GET /r%d HTTP/1.1\r\nHost: x\r\n\r\n" % n
                                         for n in range(10)), 10)
            assert [body for _, _, body in got] == [b"app:/r%d" % n for n in range(10)]
            assert len(writes) == 10, writes
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                             b"Expect: 100-continue\r\n\r\n")
                assert sock.recv(65536).startswith(b"HTTP/1.1 100 ")  # before the body
                sock.sendall(b"hello")
                answer = read_answer(sock, 5)
            assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\nhello")
        finally:
            asyncio.selector_events._SelectorSocketTransport.write = real
