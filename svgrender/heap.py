"""The C heap of a process that draws (glibc's malloc; elsewhere these do nothing).

A render allocates a handful of image buffers of a few MB each (the canvas at each size,
filter buffers, groups). glibc serves blocks that size by mmap and unmaps them when freed (its
threshold adapts, and how far depends on the process's history), so buffers were faulted in
afresh render after render: ~420 page faults an answer of the demo card in most runs, ~190 in
one, ~180-200 with the pages kept (tests/test_heap.py), about 1.5 ms of kernel time an answer
on this project's virtual machines. Kept on the heap, the next render reuses them; `trim`
returns what is free between jobs (workers.py).
"""

from __future__ import annotations

import ctypes

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)
KEEP_BLOCKS_UP_TO = 16 << 20  # bytes: a 2000 × 2000 ARGB canvas; larger ones stay mmapped
KEEP_FREE_UP_TO = 32 << 20  # bytes of free heap top kept before it is given back

_libc = None


def _c():
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL("libc.so.6")
            _libc.mallopt, _libc.malloc_trim  # noqa: B018 (glibc: both there)
        except (OSError, AttributeError):
            _libc = False
    return _libc


def keep_freed_pages() -> bool:
    """Image-sized blocks from the heap, and freed pages kept for the next render. False
    where the C library is not glibc."""
    libc = _c()
    if not libc:
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, KEEP_BLOCKS_UP_TO)) and \
        bool(libc.mallopt(M_TRIM_THRESHOLD, KEEP_FREE_UP_TO))


def trim() -> None:
    """Freed memory back to the system (malloc_trim). The threads that encode an answer's
    files (io/encoding_threads.py) each get a malloc arena, and the pages freed in them stay
    in the worker's RSS: measured in process, 1,200 renders of the demo card grew to 159 MB
    without this and stayed at ~110 MB with it every 100."""
    libc = _c()
    if libc:
        libc.malloc_trim(0)
