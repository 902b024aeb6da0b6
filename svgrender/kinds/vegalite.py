"""Vega-Lite to SVG through vl-convert (the optional `[charts]` extra), in a helper process.

vl-convert embeds V8, which reserves tens of GB of address space: under a render worker's
RLIMIT_AS it aborts the whole process. So the conversion runs in one long-lived helper process
per render process, started on the first chart, with the address-space limit lifted and a data
(heap) limit instead, killed with its parent (PR_SET_PDEATHSIG), and killed and restarted when
a conversion overruns its time budget. It is given a spec that chart.py already checked (inline
data only) and is told to fetch nothing (allowed_base_urls names no real host).

    python -m svgrender.kinds.vegalite   # the helper: length-prefixed JSON on stdin/stdout
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time

import msgspec

HELPER_DATA_MB = 1536  # the helper's heap ceiling (RLIMIT_DATA; V8 needs ~1 GB to start)
MAX_SVG_BYTES = 4 * 1024 * 1024  # a converted chart larger than this is refused
NO_HOST = ["https://svgrender.invalid/"]  # a base no URL can match: nothing is fetched
_HEADER = struct.Struct(">I")
STACK = re.compile(r"\s+at \S+ \(|\s+at (?:https?|file):")


class ChartFailed(Exception):
    """The conversion failed, overran, or the helper died; the message says which."""


def available() -> bool:
    try:
        import vl_convert  # noqa: F401
    except ImportError:
        return False
    return True


def _limit_self() -> None:
    """The helper bounds itself, first thing: its address space and data at its limits, and
    killed when the server dies. (Done here, not in a preexec_fn: code run between fork and
    exec in a threaded server can deadlock on a lock another thread held — seen: a child
    stuck forever on a futex, and the render that started it with it.)"""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    data = HELPER_DATA_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (data, data))
    parent = int(os.environ.get(_PARENT, "0") or 0)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent and os.getppid() != parent:  # the server died before the line above
        os._exit(1)


_PARENT = "SVGRENDER_CHART_PARENT"


class _Helper:
    def __init__(self):
        self.warm = False  # a conversion done: V8 and the Vega-Lite bundle are loaded
        # A session of its own: a terminal's Ctrl-C goes to the server, which stops us itself.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "svgrender.kinds.vegalite"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, _PARENT: str(os.getpid())})

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()

    def ask(self, message: dict, seconds: float) -> dict:
        data = msgspec.json.encode(message)
        self.process.stdin.write(_HEADER.pack(len(data)) + data)
        self.process.stdin.flush()
        deadline = time.monotonic() + seconds
        head = self._read(_HEADER.size, deadline)
        (size,) = _HEADER.unpack(head)
        if size > MAX_SVG_BYTES + 4096:
            raise ChartFailed(f"the chart's SVG is over {MAX_SVG_BYTES // 2**20} MB")
        return msgspec.json.decode(self._read(size, deadline))

    def _read(self, size: int, deadline: float) -> bytes:
        out = b""
        fd = self.process.stdout.fileno()
        while len(out) < size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, size - len(out))
            if not chunk:
                raise ChartFailed("the chart renderer stopped (out of memory?)")
            out += chunk
        return out


STARTUP_SECONDS = 5.0  # allowed on top of the budget for a new helper's first conversion
_lock = threading.Lock()
_helper: _Helper | None = None


def to_svg(spec: dict, config: dict, seconds: float, most: float) -> str:
    """The spec's SVG, or ChartFailed (a message for the user) within `seconds` of the
    conversion starting; a new helper's first call also gets STARTUP_SECONDS (V8 loading,
    about 1-2 s), never more than `most` in all."""
    global _helper
    with _lock:
        if _helper is None or not _helper.alive():
            _helper = _Helper()
        try:
            startup = 0.0 if _helper.warm else STARTUP_SECONDS
            answer = _helper.ask({"spec": spec, "config": config},
                                 min(seconds + startup, most))
        except TimeoutError:
            _helper.kill()
            _helper = None
            raise ChartFailed(f"the chart took longer than {min(seconds + startup, most):g} s "
                              "to draw and was stopped") from None
        except (ChartFailed, OSError, ValueError, msgspec.DecodeError) as exc:
            _helper.kill()
            _helper = None
            raise ChartFailed(str(exc) if isinstance(exc, ChartFailed) else
                              "the chart renderer stopped (out of memory?)") from None
        _helper.warm = True
    if "error" in answer:
        raise ChartFailed(answer["error"])
    return answer["svg"]


def stop() -> None:
    global _helper
    with _lock:
        if _helper is not None:
            _helper.kill()
            _helper = None


def _serve() -> None:
    _limit_self()
    import vl_convert
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = stdin.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return
        message = msgspec.json.decode(stdin.read(_HEADER.unpack(head)[0]))
        try:
            svg = vl_convert.vegalite_to_svg(message["spec"], config=message["config"],
                                             allowed_base_urls=NO_HOST)
            answer = {"svg": svg} if len(svg) <= MAX_SVG_BYTES else {
                "error": f"the chart's SVG is over {MAX_SVG_BYTES // 2**20} MB"}
        except Exception as exc:  # Vega-Lite's own words on a spec it cannot draw
            words = " ".join(str(exc).split())
            answer = {"error": STACK.split(words, 1)[0][:300]}  # not the script's stack
        data = msgspec.json.encode(answer)
        stdout.write(_HEADER.pack(len(data)) + data)
        stdout.flush()


if __name__ == "__main__":
    _serve()
