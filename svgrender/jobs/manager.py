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
from svgrender.jobs.outages import Outages
from svgrender.jobs.rows import SET_PREFIX, Row, member_body, row_target
from svgrender.jobs.store import BatchInfo, Claimed, JobStore
from svgrender.jobs.versions import QueuedVersions
from svgrender.params import RenderRequest
from svgrender.service import RenderService
from svgrender.sets import for_member
from svgrender.templates.model import Template

log = logging.getLogger("svgrender.jobs")

# Row errors worth another try: the same row may well work in a few seconds.
TRANSIENT = {"upstream_error", "upstream_timeout", "overloaded", "too_many_requests"}
ROW_ATTEMPTS = 3


class JobManager:
    def __init__(self, service: RenderService, store: JobStore,
                 image_answer: Callable[[str, str], dict | None],
                 engine: JobEngine | None = None):
        """`image_answer(image_id, base_url)`: the nine-field answer of a finished render.
        `engine`: the embedded runner unless another one is given (Dramatiq on Redis)."""
        from svgrender.jobs.runner import EmbeddedRunner

        self.service, self.store, self.image_answer = service, store, image_answer
        self.versions = QueuedVersions(service.templates, store)
        self.outages = Outages(service.settings.job_outage_seconds)
        self.engine: JobEngine = engine or EmbeddedRunner()
        self.engine.bind(self)

    async def start(self) -> None:
        await self.engine.start()

    async def stop(self) -> None:
        await self.engine.stop()

    async def submit(self, template_id: str, rows: list[Row], base_url: str, *,
                     webhook_url: str | None = None, pdf: str | None = None,
                     image_id: str | None = None, owner: str | None = None,
                     queue_key: str | None = None, checked_with: Template | None = None
                     ) -> dict:
        """Check every row now (a bad one fails alone, with its number); queue the rest."""
        # `checked_with`: the template the rows were checked against as they were read
        template = checked_with or await self.service.template(template_id)
        # The rows are checked against, and later drawn with, exactly this version.
        template = await asyncio.to_thread(self.versions.keep, template)
        await self._check_options(webhook_url, pdf)
        rows = await asyncio.to_thread(self.check_rows, template, rows, pdf,
                                       checked_with.version if checked_with else None)
        kind = "image" if image_id else "batch"
        batch = BatchInfo(("img-" + image_id) if image_id else secrets.token_hex(8), kind,
                          template.id, template.version, base_url, webhook_url, pdf)
        return await self._queue(batch, rows, image_id, owner, queue_key)

    async def submit_set(self, set_id: str, member_ids: list[str], rows: list[Row],
                         base_url: str, *, webhook_url: str | None = None,
                         pdf: str | None = None, owner: str | None = None,
                         queue_key: str | None = None) -> dict:
        """A batch over a template set: every row rendered for every member (rows × members
        results, numbered row by row), each member skipping the layers it lacks."""
        templates = [await asyncio.to_thread(self.versions.keep, await self.service.template(t))
                     for t in member_ids]
        await self._check_options(webhook_url, pdf)
        rows = await asyncio.to_thread(self.check_set_rows, templates, rows, pdf)
        batch = BatchInfo(secrets.token_hex(8), "batch", SET_PREFIX + set_id,
                          "+".join(t.version for t in templates), base_url, webhook_url, pdf)
        return await self._queue(batch, rows, None, owner, queue_key)

    async def _check_options(self, webhook_url: str | None, pdf: str | None) -> None:
        if pdf not in (None, "combined"):
            raise SvgRenderError('pdf is "combined" or absent', field="pdf")
        if webhook_url is not None:
            await webhooks.check_webhook_url(webhook_url, self.service.settings)

    async def _queue(self, batch: BatchInfo, rows: list[Row], image_id: str | None,
                     owner: str | None, queue_key: str | None) -> dict:
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

    def check_set_rows(self, templates: list[Template], rows: list[Row],
                       pdf: str | None) -> list[Row]:
        expanded: list[Row] = []
        for row in rows:
            stem = row.file_name or f"{row.number:06d}"
            for template in templates:
                one = replace(row, number=len(expanded) + 1,
                              file_name=f"{stem}-{template.id}")
                if one.error is None:
                    try:
                        request, _ = for_member(template, self.service.decode(row.body))
                        one = replace(one, body=msgspec.json.encode(request))
                    except SvgRenderError as exc:
                        one = replace(one, error=exc.to_json())
                one = self.check_rows(template, [one], pdf)[0]
                if one.error is None:  # each member drawn at the version it was checked with
                    one = replace(one, body=member_body(template.id, one.body, template.version))
                expanded.append(one)
        return expanded

    def row_checker(self, template: Template, pdf: str | None):
        """A row's request checked against `template` (what check_rows does to each row),
        for parsers that check rows as they read them (a CSV stream)."""
        def check(request: RenderRequest) -> RenderRequest:
            request = self.service.admit_to(template, request).request
            if pdf:  # one combined PDF: every row is drawn as a vector PDF page
                request.format = "pdf"
            return request
        return check

    def check_rows(self, template: Template, rows: list[Row], pdf: str | None,
                   trusted: str | None = None) -> list[Row]:
        """Rows checked against `template`; rows already checked against the version
        `trusted` are kept as they are."""
        check = self.row_checker(template, pdf)
        checked = []
        for row in rows:
            if row.error is None and not (row.checked and trusted == template.version):
                try:
                    row = Row(row.number, msgspec.json.encode(check(row.body)), row.file_name)
                except SvgRenderError as exc:
                    row = Row(row.number, row.body, row.file_name, exc.to_json())
            checked.append(row)
        return checked

    async def finish_if_done(self, batch_id: str) -> None:
        if await self.outages.wait_call(self.store.finish_batch_if_done, batch_id):
            # True once only: what follows must not be lost to a blip, so it waits it out too
            await self.outages.wait(lambda: self.finished(batch_id))

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
        again later (image download 5xx, timeouts, a busy renderer).

        Exactly once, through outages of Redis or the object storage: a row's image id is
        fixed (row_image_id), so a row drawn again after a failed write or a redelivered
        message stores the same files (or finds its record and stores nothing); its outcome is
        recorded once (the stores' finish_row); while a dependency is down the row waits
        (SVGRENDER_JOB_OUTAGE_SECONDS) instead of using its retries."""
        error = image_id = notes = None
        wanted = row.image_id or row_image_id(row.batch_id, row.number)
        try:
            template_id, body, version = row_target(row.template_id, row.body,
                                                    row.template_version)
            # the version the row was checked with (kept with the job: jobs/versions.py)
            target = await self.outages.wait(lambda: self.versions.resolve(
                template_id, version, self.service.template)) if version else template_id
            admitted = await self.outages.wait(lambda: self.service.admit(target, body))
            result = await self.outages.wait(lambda: self.service.run(
                admitted, None, image_id=wanted))
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
        await self.outages.wait_call(self.store.finish_row, row.batch_id, row.number, image_id,
                                     error, notes)
        await self.finish_if_done(row.batch_id)
        return True

    async def deliver(self, delivery_id: int, url: str, body: bytes, attempts: int) -> bool:
        """One webhook attempt, recorded on its batch; True when delivered."""
        outcome = await webhooks.deliver(url, body, self.service.settings)
        delay = None if outcome["ok"] else webhooks.retry_delay(attempts + 1,
                                                                  self.service.settings)
        await self.outages.wait_call(self.store.record_attempt, delivery_id, outcome, delay)
        return outcome["ok"]

    async def status(self, batch_id: str) -> dict | None:
        return await asyncio.to_thread(self.store.status, batch_id)

    async def cancel(self, batch_id: str) -> int | None:
        cancelled = await asyncio.to_thread(self.store.cancel, batch_id)
        if cancelled is not None:
            await self.finish_if_done(batch_id)
        return cancelled


def row_image_id(batch_id: str, number: int) -> str:
    """A batch row's image id, the same every time the row is drawn (its files are written
    once, or overwritten with the same bytes, never stored twice)."""
    import hashlib

    return hashlib.sha256(f"{batch_id}:{number}".encode()).hexdigest()[:10]


def public_status(status: dict) -> dict:
    """What clients see: no internal base URL."""
    return {k: v for k, v in status.items() if k not in ("baseUrl", "kind")}
