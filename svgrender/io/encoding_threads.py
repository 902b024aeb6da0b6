"""Encoding an answer's files in threads, beside the drawing of the next one."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from svgrender.settings import Settings

_encoders: tuple[int, ThreadPoolExecutor] | None = None  # (the process it belongs to, pool)


def encode_soon(encode: Callable, surface: object, settings: Settings) -> Future:
    """`encode(surface, settings)` in another thread where a core is free (Pillow's encoders
    release the GIL, so an answer's files are encoded while the next is drawn and at the same
    time as each other); here and now where none is. A core is free beyond one per render
    worker and one for the API process: on 2 cores with 1 worker, threads took the API
    process's core and gained nothing (benchmarks/results/throughput.md). The caller leaves
    `surface` alone until the result is taken."""
    global _encoders
    cores = len(os.sched_getaffinity(0))
    if cores - max(settings.workers, 1) - 1 < 1:
        done: Future = Future()
        done.set_result(encode(surface, settings))
        return done
    if _encoders is None or _encoders[0] != os.getpid():  # none yet, or a forked parent's
        _encoders = (os.getpid(), ThreadPoolExecutor(min(cores - max(settings.workers, 1) - 1, 3),
                                                  "encode"))
    return _encoders[1].submit(encode, surface, settings)
