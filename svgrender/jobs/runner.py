"""The embedded job engine: rows of the SQLite job store rendered by the server's own render
workers through RenderService.run, a few at a time, and webhooks delivered with retries."""

from __future__ import annotations

import asyncio
import logging

from svgrender.errors import SvgRenderError
from svgrender.jobs import webhooks
from svgrender.jobs.store import Claimed, JobStore
from svgrender.service import RenderService

log = logging.getLogger("svgrender.jobs")

TRANSIENT = {"upstream_error", "upstream_timeout", "overloaded", "too_many_requests",
             "storage_unavailable"}
ROW_ATTEMPTS = 3


def row_concurrency(settings) -> int:
    return settings.batch_concurrency or max(1, settings.workers)


class EmbeddedRunner:
    def __init__(self, service: RenderService, store: JobStore, on_finished):
        self.service, self.store, self.on_finished = service, store, on_finished
        self.settings = service.settings
        self.active: set[asyncio.Task] = set()
        self.delivering: set[int] = set()
        self.wakeup = asyncio.Event()
        self.loop_task: asyncio.Task | None = None

    async def start(self) -> None:
        resumed = await asyncio.to_thread(self.store.resume)
        if resumed:
            log.info("resuming %d batch rows interrupted by a restart", resumed)
        self.wakeup = asyncio.Event()
        self.loop_task = asyncio.create_task(self.loop())

    async def stop(self) -> None:
        """Rows still drawing are left `running` in the store: the next start queues them."""
        if self.loop_task:
            self.loop_task.cancel()
        for task in list(self.active):
            task.cancel()
        await asyncio.gather(*self.active, *(t for t in [self.loop_task] if t),
                             return_exceptions=True)

    def wake(self) -> None:
        self.wakeup.set()

    async def loop(self) -> None:
        while True:
            try:
                free = row_concurrency(self.settings) - len(self.active)
                for claimed in (await asyncio.to_thread(self.store.claim, free) if free > 0
                                else []):
                    self.spawn(self.process(claimed))
                for delivery in await asyncio.to_thread(self.store.due_deliveries):
                    if delivery[0] not in self.delivering:
                        self.delivering.add(delivery[0])
                        self.spawn(self.deliver(*delivery))
            except Exception:  # the loop must outlive any one bad row or a locked database
                log.exception("job loop")
            self.wakeup.clear()
            try:
                await asyncio.wait_for(self.wakeup.wait(), 0.25)
            except asyncio.TimeoutError:
                pass

    def spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self.active.add(task)
        task.add_done_callback(lambda t: (self.active.discard(t), self.wakeup.set()))

    async def process(self, row: Claimed) -> None:
        error = image_id = None
        try:
            result = await self.service.run(row.template_id, row.body, None,
                                            image_id=row.image_id)
            image_id = result.id
        except SvgRenderError as exc:
            if exc.code in TRANSIENT and row.attempts + 1 < ROW_ATTEMPTS:
                delay = self.settings.row_retry_seconds * 4 ** row.attempts
                await asyncio.to_thread(self.store.retry_row, row.batch_id, row.number, delay)
                return
            error = exc.to_json()
        except Exception as exc:
            log.exception("batch %s row %d", row.batch_id, row.number)
            error = {"message": f"the render failed: {type(exc).__name__}",
                     "code": "render_failed"}
        await asyncio.to_thread(self.store.finish_row, row.batch_id, row.number, image_id, error)
        if await asyncio.to_thread(self.store.finish_batch_if_done, row.batch_id):
            await self.on_finished(row.batch_id)

    async def deliver(self, delivery_id: int, url: str, body: bytes, attempts: int) -> None:
        try:
            outcome = await webhooks.deliver(url, body, self.settings)
            delay = None if outcome["ok"] else webhooks.retry_delay(attempts + 1, self.settings)
            await asyncio.to_thread(self.store.record_attempt, delivery_id, outcome, delay)
        finally:
            self.delivering.discard(delivery_id)
