"""Misbehaving peers on loopback for the fault tests: raw sockets, so they can be as rude as an
attacker's server (a response trickled a byte a second, a redirect to an unparsable Location)."""

from __future__ import annotations

import socket
import threading
import time


class RudeServer:
    """Reads each request (head and Content-Length body), counts it, then answers with `reply`:
    bytes sent at once, or, with `trickle`, one byte every `trickle` seconds (for up to `hold`
    seconds)."""

    def __init__(self, reply: bytes, trickle: float = 0.0, hold: float = 60.0):
        self.reply, self.trickle, self.hold = reply, trickle, hold
        self.requests: list[bytes] = []
        self.open = self.most_open = 0
        self.lock = threading.Lock()
        self.connected = threading.Event()
        self.closing = False
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closing:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        self.connected.set()
        with self.lock:
            self.open += 1
            self.most_open = max(self.most_open, self.open)
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
            self.requests.append(head + b"\r\n\r\n" + body)
            if not self.trickle:
                conn.sendall(self.reply)
                return
            end = time.monotonic() + self.hold
            for byte in self.reply:
                if self.closing or time.monotonic() > end:
                    return
                conn.sendall(bytes([byte]))
                time.sleep(self.trickle)
        except OSError:
            pass
        finally:
            with self.lock:
                self.open -= 1
            conn.close()

    def close(self) -> None:
        self.closing = True
        self.sock.close()
