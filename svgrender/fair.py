"""Render slots handed out fairly: round-robin between the clients waiting for one.

A plain FIFO queue in front of the workers lets one client that keeps its allowance of renders
waiting (SVGRENDER_MAX_IN_FLIGHT_PER_CLIENT, 8 by default) sit ahead of everyone else: another
client's render waits for all of them. Here each client (API key identity, address, or the
batch runner) has its own line, and a freed slot goes to the waiting client served least
recently, so a newcomer gets the very next free slot unless other newcomers are ahead of it,
however many renders the busy clients have queued.

Batch rows and async renders (the background client: no caller waits on the connection) give
way to interactive renders: a freed slot goes to a background row only when no interactive
render waits, or when the rows have been passed over `patience` times in a row (so a client
that keeps renders queued all the time slows batches down but never stops them).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque

from svgrender.errors import Overloaded

BACKGROUND = ""  # the client of batch rows and async renders (service.run with no client)
PATIENCE = 4  # interactive grants a waiting background row lets pass before it takes a slot


class FairSlots:
    """`size` slots; beyond them at most `max_waiting` waiters (None: no limit), then 503."""

    def __init__(self, size: int, max_waiting: int | None = None, patience: int = PATIENCE):
        self.size, self.max_waiting, self.patience = max(1, size), max_waiting, patience
        self.passed_over = 0  # grants made to interactive clients while background waited
        self.busy = 0
        self.lines: OrderedDict[str, deque[asyncio.Future]] = OrderedDict()  # by arrival
        self.waiting = 0
        self.turn, self.last_served = 0, {}  # client -> the turn its last slot was given at

    @contextlib.asynccontextmanager
    async def slot(self, client: str | None):
        await self.acquire(client or BACKGROUND)
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
        """The slot goes to the waiting interactive client served least recently (never
        served: first); to the background only when no interactive one waits, or at its turn
        of patience."""
        while self.lines:
            client = self._next_client()
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

    def _next_client(self) -> str:
        background = BACKGROUND in self.lines
        interactive = [c for c in self.lines if c != BACKGROUND]
        if background and (not interactive or self.passed_over >= self.patience):
            self.passed_over = 0
            return BACKGROUND
        if background:
            self.passed_over += 1
        return min(interactive, key=lambda c: self.last_served.get(c, -1))

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
