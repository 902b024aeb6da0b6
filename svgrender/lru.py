"""One cache shape the renderer uses in several places: values by key, least recently used
dropped first, bounded by the bytes the values hold (decoded images, drawn static layers, text
coverage masks). Thread-safe: render threads share it."""

from __future__ import annotations

import threading
from collections import OrderedDict


class ByteBoundedCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict = OrderedDict()
        self._sizes: dict = {}
        self._total = 0
        self._lock = threading.Lock()

    @property
    def total_bytes(self) -> int:
        return self._total

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value, nbytes: int) -> None:
        if nbytes > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                self._total -= self._sizes[key]
            self._items[key] = value
            self._items.move_to_end(key)
            self._sizes[key] = nbytes
            self._total += nbytes
            while self._total > self.max_bytes and self._items:
                old, _ = self._items.popitem(last=False)
                self._total -= self._sizes.pop(old)

    def grow(self, key, nbytes: int) -> None:
        """A kept value took `nbytes` more after it was put (a form of it made on first use):
        counted against the budget like the rest, the least recently used dropped if over."""
        with self._lock:
            if key not in self._items:
                return
            self._sizes[key] += nbytes
            self._total += nbytes
            while self._total > self.max_bytes and self._items:
                old, _ = self._items.popitem(last=False)
                self._total -= self._sizes.pop(old)

    def __len__(self) -> int:
        return len(self._items)
