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

With `reserve` (the server's render slots, 2 workers or more), the last free slot is kept for a
client with no render running while another client is rendering or rendered within `reserve`
seconds: a busy client holds every worker but one, so the next render of a light client starts
at once instead of after one of the busy client's renders. A client alone (nobody else active
within `reserve`) still gets every slot; a kept slot is handed on when the window has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict, deque

from svgrender.errors import Overloaded

BACKGROUND = ""  # the client of batch rows and async renders (service.run with no client)
PATIENCE = 4  # interactive grants a waiting background row lets pass before it takes a slot
RESERVE_SECONDS = 0.5  # how long a client counts as active after its last render (reserve)


class FairSlots:
    """`size` slots; beyond them at most `max_waiting` waiters (None: no limit), then 503."""

    def __init__(self, size: int, max_waiting: int | None = None, patience: int = PATIENCE,
                 reserve: float = 0.0):
        self.size, self.max_waiting, self.patience = max(1, size), max_waiting, patience
        self.reserve = reserve if self.size >= 2 else 0.0
        self.running: dict[str, int] = {}  # client -> slots it holds
        self.finished: dict[str, float] = {}  # client -> when it last gave one back (reserve)
        self.recheck: asyncio.TimerHandle | None = None  # a kept slot's hand-on
        self.passed_over = 0  # grants made to interactive clients while background waited
        self.busy = 0
        self.lines: OrderedDict[str, deque[asyncio.Future]] = OrderedDict()  # by arrival
        self.waiting = 0
        self.turn, self.last_served = 0, {}  # client -> the turn its last slot was given at

    @contextlib.asynccontextmanager
    async def slot(self, client: str | None):
        client = client or BACKGROUND
        await self.acquire(client)
        try:
            yield
        finally:
            self.release(client)

    async def acquire(self, client: str) -> None:
        if self.busy < self.size and not self.waiting and self.may_take(client):
            self._grant(client)
            return
        if self.max_waiting is not None and self.waiting >= self.max_waiting:
            raise Overloaded(f"{self.waiting} renders are already waiting; retry shortly")
        future = asyncio.get_running_loop().create_future()
        self.lines.setdefault(client, deque()).append(future)
        self.waiting += 1
        if self.busy < self.size:  # a slot kept free (reserve) that this client may take
            self._hand_on()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release(client)  # handed a slot as we were cancelled: pass it on
            else:
                self._drop(client, future)
            raise

    def release(self, client: str = BACKGROUND) -> None:
        self.busy -= 1
        self.running[client] -= 1
        if not self.running[client]:
            del self.running[client]
        if self.reserve:
            now = self.finished[client] = time.monotonic()
            if len(self.finished) > 256:  # many clients (addresses): only the recent count
                self.finished = {c: t for c, t in self.finished.items() if now - t < self.reserve}
        self._hand_on()

    def may_take(self, client: str) -> bool:
        """Every slot but the last is anyone's; the last is kept for a client with no render
        running while another client is active (reserve)."""
        if not self.reserve or self.busy < self.size - 1 or not self.running.get(client):
            return True
        now = time.monotonic()
        self.finished = {c: t for c, t in self.finished.items() if now - t < self.reserve}
        return not any(other not in (client, BACKGROUND)
                       for other in (*self.running, *self.lines, *self.finished))

    def _grant(self, client: str) -> None:
        self.busy += 1
        self.running[client] = self.running.get(client, 0) + 1
        self._note(client)

    def _hand_on(self) -> None:
        """Free slots to the waiting interactive client served least recently (never served:
        first); to the background only when no interactive one waits, or at its turn of
        patience; a slot kept (reserve) is looked at again when the window has passed."""
        while self.lines and self.busy < self.size:
            client = self._next_client()
            if client is None:
                if self.recheck is None:
                    self.recheck = asyncio.get_running_loop().call_later(self.reserve,
                                                                         self._recheck)
                return
            line = self.lines[client]
            future = line.popleft()
            self.waiting -= 1
            if not line:
                del self.lines[client]
            if not future.done():
                self._grant(client)
                future.set_result(None)

    def _recheck(self) -> None:
        self.recheck = None
        self._hand_on()

    def _next_client(self) -> str | None:
        allowed = [c for c in self.lines if self.may_take(c)]
        background = BACKGROUND in allowed
        interactive = [c for c in allowed if c != BACKGROUND]
        if not allowed:
            return None
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
