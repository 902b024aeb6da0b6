"""Render slots handed out fairly: round-robin between the clients waiting for one.

A plain FIFO queue in front of the workers lets one client that keeps its allowance of renders
waiting (SVGRENDER_MAX_IN_FLIGHT_PER_CLIENT, 8 by default) sit ahead of everyone else: another
client's render waits for all of them. Here each client (API key identity, address, or the
batch runner) has its own line, and a freed slot goes to the waiting client served least
recently, so a newcomer gets the very next free slot unless other newcomers are ahead of it,
however many renders the busy clients have queued.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque

from svgrender.errors import Overloaded


class FairSlots:
    """`size` slots; beyond them at most `max_waiting` waiters (None: no limit), then 503."""

    def __init__(self, size: int, max_waiting: int | None = None):
        self.size, self.max_waiting = max(1, size), max_waiting
        self.busy = 0
        self.lines: OrderedDict[str, deque[asyncio.Future]] = OrderedDict()  # by arrival
        self.waiting = 0
        self.turn, self.last_served = 0, {}  # client -> the turn its last slot was given at

    @contextlib.asynccontextmanager
    async def slot(self, client: str | None):
        await self.acquire(client or "")
        try:
            yield
        finally:
            self.release()

    async def acquire(self, client: str) -> None:
        if self.busy < self.size and not self.waiting:
            self.busy += 1
            self._note(client)
            return
        if self.max_waiting is not None and self.waiting >= self.max_waiting:
            raise Overloaded(f"{self.waiting} renders are already waiting; retry shortly")
        future = asyncio.get_running_loop().create_future()
        self.lines.setdefault(client, deque()).append(future)
        self.waiting += 1
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed a slot as we were cancelled: pass it on
            else:
                self._drop(client, future)
            raise

    def release(self) -> None:
        """The slot goes to the waiting client served least recently (never served: first)."""
        while self.lines:
            client = min(self.lines, key=lambda c: self.last_served.get(c, -1))
            line = self.lines[client]
            future = line.popleft()
            self.waiting -= 1
            if not line:
                del self.lines[client]
            if not future.done():
                self._note(client)
                future.set_result(None)  # the slot changes hands: busy stays the same
                return
        self.busy -= 1

    def _drop(self, client: str, future: asyncio.Future) -> None:
        line = self.lines.get(client)
        if line is not None and future in line:
            line.remove(future)
            self.waiting -= 1
            if not line:
                del self.lines[client]

    def _note(self, client: str) -> None:
        self.turn += 1
        self.last_served[client] = self.turn
        if len(self.last_served) > 4096:  # forget clients with nothing waiting
            self.last_served = {c: t for c, t in self.last_served.items() if c in self.lines}
