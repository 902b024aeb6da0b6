"""The C heap of a process that draws (glibc's malloc; elsewhere this does nothing).

Tried and taken back (issue 32): keeping image-sized blocks on the heap and freed pages for the
next render (mallopt M_MMAP_THRESHOLD 16 MB, M_TRIM_THRESHOLD 32 MB) halved the page faults of
an answer in most runs (~420 -> ~200, ~1.5 ms of kernel time), but every thread's malloc arena
then held on to what it had freed: in `benchmarks/soak.py --no-recycling` a worker grew 134 ->
322 MB in 300 s (+140 %; +31 % in 150 s, +20 % with two arenas at most) against +10 % with
glibc's own thresholds. A flat RSS matters more to a server than a millisecond an answer.
"""

from __future__ import annotations

import ctypes

_libc = None


def _c():
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL("libc.so.6")
            _libc.malloc_trim  # noqa: B018 (glibc: there)
        except (OSError, AttributeError):
            _libc = False
    return _libc


def trim() -> None:
    """Freed memory back to the system (malloc_trim). The threads that encode an answer's
    files (io/encoding_threads.py) each get a malloc arena, and the pages freed in them stay
    in the worker's RSS: measured in process, 1,200 renders of the demo card grew to 159 MB
    without this and stayed at ~110 MB with it every 100."""
    libc = _c()
    if libc:
        libc.malloc_trim(0)
