"""The embedded job engine: queued rows of the SQLite job store rendered by the server's own
render workers, a few at a time, and due webhook deliveries sent, all from one asyncio task.

Rows and webhooks are two lanes: rows take SVGRENDER_BATCH_CONCURRENCY slots, deliveries their own
SVGRENDER_WEBHOOK_CONCURRENCY ones, so a slow receiver never delays anyone's rows."""

from __future__ import annotations

import asyncio
import logging

from svgrender.jobs.store import Claimed

log = logging.getLogger("svgrender.jobs")


def row_concurrency(settings) -> int:
    return settings.batch_concurrency or max(1, settings.workers)


class EmbeddedRunner:  # a JobEngine (jobs/engine.py)
    def __init__(self):
        self.manager = self.store = self.settings = None  # set by bind()
        self.active: set[asyncio.Task] = set()  # rows
        self.sending: set[asyncio.Task] = set()  # webhook deliveries
        self.delivering: set[int] = set()
        self.wakeup = asyncio.Event()
        self.loop_task: asyncio.Task | None = None
        self.stopping = False

    def bind(self, manager) -> None:
        self.manager, self.store = manager, manager.store
        self.settings = manager.service.settings

    async def start(self) -> None:
        resumed = await asyncio.to_thread(self.store.resume)
        if resumed:
            log.info("resuming %d batch rows interrupted by a restart", resumed)
        self.wakeup = asyncio.Event()
        self.stopping = False
        self.loop_task = asyncio.create_task(self.loop())

    async def stop(self) -> None:
        """Rows still drawing are left `running` in the store: the next start queues them."""
        self.stopping = True  # also ends the loop if its cancellation is lost (see loop())
        self.wakeup.set()
        if self.loop_task:
            self.loop_task.cancel()
        for task in [*self.active, *self.sending]:
            task.cancel()
        await asyncio.gather(*self.active, *self.sending, *(t for t in [self.loop_task] if t),
                             return_exceptions=True)

    async def enqueue(self, batch, rows, image_id) -> None:
        self.wakeup.set()  # the rows are in the store already

    async def deliver(self, delivery_id: int) -> None:
        self.wakeup.set()

    async def loop(self) -> None:
        while not self.stopping:
            try:
                free = row_concurrency(self.settings) - len(self.active)
                for claimed in (await asyncio.to_thread(self.store.claim, free) if free > 0
                                else []):
                    self.spawn(self.process(claimed))
                lane = max(1, self.settings.webhook_concurrency)
                for delivery in (await asyncio.to_thread(self.store.due_deliveries)
                                 if len(self.sending) < lane else []):
                    if delivery[0] not in self.delivering and len(self.sending) < lane:
                        self.delivering.add(delivery[0])
                        self.spawn(self.send(*delivery), self.sending)
            except Exception:  # the loop must outlive any one bad row or a locked database
                log.exception("job loop")
            if self.stopping:
                break
            self.wakeup.clear()
            # Not asyncio.wait_for: on Python 3.11 it can swallow a cancellation that arrives
            # as the event is set (a hang at shutdown, seen in the test suite).
            try:
                async with asyncio.timeout(0.25):
                    await self.wakeup.wait()
            except TimeoutError:
                pass

    def spawn(self, coro, lane: set[asyncio.Task] | None = None) -> None:
        lane = self.active if lane is None else lane
        task = asyncio.create_task(coro)
        lane.add(task)
        task.add_done_callback(lambda t: (lane.discard(t), self.wakeup.set()))

    async def process(self, row: Claimed) -> None:
        if not await self.manager.render_row(row):
            delay = self.settings.row_retry_seconds * 4 ** row.attempts
            await asyncio.to_thread(self.store.retry_row, row.batch_id, row.number, delay)

    async def send(self, delivery_id: int, url: str, body: bytes, attempts: int) -> None:
        try:
            await self.manager.deliver(delivery_id, url, body, attempts)
        finally:
            self.delivering.discard(delivery_id)
