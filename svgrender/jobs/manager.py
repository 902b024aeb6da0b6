"""JobManager: what the API asks of jobs (submit a batch or an async render, progress, cancel,
results), over one JobStore and one engine (embedded runner, or Dramatiq on Redis)."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import replace
from typing import Callable

import msgspec

from svgrender.errors import SvgRenderError
from svgrender.jobs import webhooks
from svgrender.jobs.engine import JobEngine
from svgrender.jobs.rows import Row
from svgrender.jobs.store import BatchInfo, Claimed, JobStore
from svgrender.service import RenderService
from svgrender.templates.model import Template

log = logging.getLogger("svgrender.jobs")

# Row errors worth another try: the same row may well work in a few seconds.
TRANSIENT = {"upstream_error", "upstream_timeout", "overloaded", "too_many_requests",
             "storage_unavailable", "dependency_unavailable"}
ROW_ATTEMPTS = 3


class JobManager:
    def __init__(self, service: RenderService, store: JobStore,
                 image_answer: Callable[[str, str], dict | None],
                 engine: JobEngine | None = None):
        """`image_answer(image_id, base_url)`: the nine-field answer of a finished render.
        `engine`: the embedded runner unless another one is given (Dramatiq on Redis)."""
        from svgrender.jobs.runner import EmbeddedRunner

        self.service, self.store, self.image_answer = service, store, image_answer
        self.engine: JobEngine = engine or EmbeddedRunner()
        self.engine.bind(self)

    async def start(self) -> None:
        await self.engine.start()

    async def stop(self) -> None:
        await self.engine.stop()

    async def submit(self, template_id: str, rows: list[Row], base_url: str, *,
                     webhook_url: str | None = None, pdf: str | None = None,
                     image_id: str | None = None, owner: str | None = None,
                     queue_key: str | None = None) -> dict:
        """Check every row now (a bad one fails alone, with its number); queue the rest."""
        template = await self.service.template(template_id)
        if pdf not in (None, "combined"):
            raise SvgRenderError('pdf is "combined" or absent', field="pdf")
        if webhook_url is not None:
            await webhooks.check_webhook_url(webhook_url, self.service.settings)
        rows = await asyncio.to_thread(self.check_rows, template, rows, pdf)
        kind = "image" if image_id else "batch"
        batch = BatchInfo(("img-" + image_id) if image_id else secrets.token_hex(8), kind,
                          template.id, template.version, base_url, webhook_url, pdf)
        # `queue_key`: whose rows these are for SVGRENDER_MAX_QUEUED_ROWS_PER_KEY (a key's
        # canonical identity, or the address on an open server)
        await asyncio.to_thread(self.store.create, batch, rows, [image_id] * len(rows),
                                queue_key=queue_key or owner,
                                cap=self.service.settings.max_queued_rows_per_key)
        if owner:
            await asyncio.to_thread(self.store.set_owner, batch.id, owner)
        await self.engine.enqueue(batch, [row for row in rows if row.error is None], image_id)
        if any(row.error for row in rows):
            await self.finish_if_done(batch.id)
        return await asyncio.to_thread(self.store.status, batch.id)

    def check_rows(self, template: Template, rows: list[Row], pdf: str | None) -> list[Row]:
        checked = []
        for row in rows:
            if row.error is None:
                try:
                    request = self.service.admit_to(template, row.body).request
                    if pdf:  # one combined PDF: every row is drawn as a vector PDF page
                        request.format = "pdf"
                    row = replace(row, body=msgspec.json.encode(request))
                except SvgRenderError as exc:
                    row = replace(row, error=exc.to_json())
            checked.append(row)
        return checked

    async def finish_if_done(self, batch_id: str) -> None:
        if await asyncio.to_thread(self.store.finish_batch_if_done, batch_id):
            await self.finished(batch_id)

    async def finished(self, batch_id: str) -> None:
        """The last row is done: queue the webhook, if one was asked for."""
        status = await asyncio.to_thread(self.store.status, batch_id)
        if not status or not status.get("webhook"):
            return
        if status["kind"] == "image":
            image_id = batch_id.removeprefix("img-")
            answer = await asyncio.to_thread(self.image_answer, image_id, status["baseUrl"])
            payload = {"event": "image.finished", "image": answer or {
                "id": image_id, "templateId": status["templateId"], "state": "failed",
                "error": status["errors"][0] if status["errors"] else None}}
        else:
            payload = {"event": "batch.finished", "batch": public_status(status)}
        delivery_id = await asyncio.to_thread(self.store.add_delivery, batch_id,
                                              status["webhook"]["url"],
                                              msgspec.json.encode(payload))
        await self.engine.deliver(delivery_id)

    async def render_row(self, row: Claimed) -> bool:
        """Render one row and record it; False when it failed transiently and should be tried
        again later (image download 5xx, timeouts, a busy renderer)."""
        error = image_id = notes = None
        try:
            admitted = await self.service.admit(row.template_id, row.body)
            result = await self.service.run(admitted, None, image_id=row.image_id)
            image_id = result.id
            if result.warnings:  # a text cut, shrunk or now overlapping: said per row
                notes = {"warnings": result.warnings, "layout": result.layout}
        except SvgRenderError as exc:
            if exc.code in TRANSIENT and row.attempts + 1 < ROW_ATTEMPTS:
                return False
            error = exc.to_json()
        except Exception as exc:  # a bug must fail its row, not the batch
            log.exception("batch %s row %d", row.batch_id, row.number)
            error = {"message": f"the render failed: {type(exc).__name__}",
                     "code": "render_failed"}
        await asyncio.to_thread(self.store.finish_row, row.batch_id, row.number, image_id, error,
                                notes)
        await self.finish_if_done(row.batch_id)
        return True

    async def deliver(self, delivery_id: int, url: str, body: bytes, attempts: int) -> bool:
        """One webhook attempt, recorded on its batch; True when delivered."""
        outcome = await webhooks.deliver(url, body, self.service.settings)
        delay = None if outcome["ok"] else webhooks.retry_delay(attempts + 1,
                                                                  self.service.settings)
        await asyncio.to_thread(self.store.record_attempt, delivery_id, outcome, delay)
        return outcome["ok"]

    async def status(self, batch_id: str) -> dict | None:
        return await asyncio.to_thread(self.store.status, batch_id)

    async def cancel(self, batch_id: str) -> int | None:
        cancelled = await asyncio.to_thread(self.store.cancel, batch_id)
        if cancelled is not None:
            await self.finish_if_done(batch_id)
        return cancelled


def public_status(status: dict) -> dict:
    """What clients see: no internal base URL."""
    return {k: v for k, v in status.items() if k not in ("baseUrl", "kind")}
