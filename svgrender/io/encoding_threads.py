"""Encoding an answer's files in threads, beside the drawing of the next one."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from svgrender.settings import Settings

_encoders: tuple[int, ThreadPoolExecutor] | None = None  # (the process it belongs to, pool)


def encode_soon(encode: Callable, surface: object, settings: Settings) -> Future:
    """`encode(surface, settings)` in another thread where this process may use more than one
    core (Pillow's encoders release the GIL, so an answer's files are encoded while the next
    is drawn and at the same time as each other); here and now where it may not. The caller
    leaves `surface` alone until the result is taken."""
    global _encoders
    cores = len(os.sched_getaffinity(0))
    if cores < 2:
        done: Future = Future()
        done.set_result(encode(surface, settings))
        return done
    if _encoders is None or _encoders[0] != os.getpid():  # none yet, or a forked parent's
        _encoders = (os.getpid(), ThreadPoolExecutor(min(cores, 3), "encode"))
    return _encoders[1].submit(encode, surface, settings)
