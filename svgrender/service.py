"""RenderService.run(): the one place the order of a render lives. The HTTP API, the CLI and (later)
queue workers call it; each stage is one call into the module that owns it."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import time
from dataclasses import dataclass, field

import msgspec

from svgrender import metrics
from svgrender.apply import check_params
from svgrender.sets import SetStore
from svgrender.errors import (Overloaded, SvgRenderError, StorageFull, StorageUnavailable, TemplateNotFound,
                              TooManyRequests)
from svgrender.executors import RenderExecutor, RenderJob
from svgrender.fair import RESERVE_SECONDS, FairSlots
from svgrender.io.images import DecodedImage
from svgrender.io.loaders import ImageFetcher
from svgrender.io.storage import FileMissing, FileStore, RecordStore
from svgrender.links import link_key
from svgrender.lru import ByteBoundedCache
from svgrender.params import RenderRequest, decode_request, validate_request
from svgrender.render import Rendered
from svgrender.settings import Settings
from svgrender.templates.model import Template
from svgrender.templates.store import TemplateStore
from svgrender.variants import check_variants, in_variant, laid_over, variant_request
from svgrender.animation import check_frames_against


PREVIEW_CACHE_BYTES = 48 * 1024 * 1024


@dataclass
class RenderResult:
    """What a render produced, without URLs (the API adds those for its own base URL)."""

    id: str
    template_id: str
    files: list[str]  # main, thumbnail, retina thumbnail
    width: int
    height: int
    metadata: str | None = None
    warnings: list[str] = field(default_factory=list)
    reused: bool = False  # the files of an identical earlier render, not drawn again
    layout: dict = field(default_factory=dict)  # fit report of the changed text layers

    def record(self) -> dict:
        return {"id": self.id, "templateId": self.template_id, "files": self.files,
                "width": self.width, "height": self.height, "metadata": self.metadata,
                "warnings": self.warnings, "layout": self.layout}

    @classmethod
    def from_record(cls, record: dict) -> "RenderResult":
        return cls(record["id"], record["templateId"], record["files"], record["width"],
                   record["height"], record.get("metadata"), record.get("warnings", []),
                   layout=record.get("layout") or {})


@dataclass(frozen=True)
class Admitted:
    """A request decoded, checked against one template version (RenderService.admit)."""

    template: Template
    request: RenderRequest
    variants: list[Admitted] | None = None  # a request with `variants`: each one admitted


class RenderService:
    def __init__(self, settings: Settings, templates: TemplateStore, files: FileStore,
                 records: RecordStore, images: ImageFetcher, executor: RenderExecutor):
        self.settings, self.templates = settings, templates
        self.sets = SetStore(templates)  # template sets: sets.json and PUT /sets/{id}
        self.files, self.records, self.images, self.executor = files, records, images, executor
        self.in_flight = 0  # renders past their downloads: queued or drawing
        self.fetching = 0  # renders downloading their images
        self.per_client: dict[str, int] = {}
        self.flights: dict[str, asyncio.Future] = {}  # renders others may wait for, by key
        self.shared_flights = None  # RedisFlights: the same across replicas
        # Heavy renders may use every worker but one, so cheap ones never wait behind a wall of
        # expensive ones (four clients at scale 4 would otherwise hold both workers of 2 cores).
        lane = settings.workers - 1
        self.heavy_lane = asyncio.Semaphore(lane) if lane >= 1 else None
        self.previews = ByteBoundedCache(PREVIEW_CACHE_BYTES)  # unstored renders, by content
        # The drawing slots, round-robin between clients (fair.py): one key's queued renders
        # never stand between another client and the next free worker.
        if settings.workers > 0:
            self.render_slots = FairSlots(settings.workers, settings.max_queue,
                                          reserve=RESERVE_SECONDS)
        else:  # threads: as many as asyncio.to_thread's default pool, no queue cap (the CLI)
            self.render_slots = FairSlots(min(32, (os.cpu_count() or 1) + 4))
        # Batch rows and async renders (no client) in the executor's batch processes, when it
        # has them (SVGRENDER_BATCH_WORKERS): slots of their own, never an interactive one.
        batch_pool = getattr(executor, "batch_pool", None)
        self.batch_slots = FairSlots(batch_pool.size, settings.max_queue) \
            if batch_pool is not None else None

    async def admit(self, template: Template | str, body: bytes | RenderRequest,
                    version: str | None = None) -> Admitted:
        """The one place a request is decoded, checked and tied to a template version: what
        run() and preview() take. `template`: one loaded already, or its id (then loaded here,
        at `version` if given)."""
        if isinstance(template, str):
            template = await self.template(template, version)
        return self.admit_to(template, body)

    def admit_to(self, template: Template, body: bytes | RenderRequest) -> Admitted:
        """admit() for a template in hand (no I/O: callable from a thread or a loop)."""
        request = self.decode(body)
        if request.variants is not None:  # each variant is a request of its own
            check_variants(request)
            admitted = []
            for index, variant in enumerate(request.variants):
                try:
                    admitted.append(self.admit_to(template, variant_request(request, variant)))
                except SvgRenderError as exc:
                    raise in_variant(exc, index, variant.key) from None
            return Admitted(template, request, admitted)
        check_params(template, request.params)
        for number, page in enumerate(request.pages or []):
            try:
                check_params(template, laid_over(request, page.params).params)
            except SvgRenderError as exc:
                exc.message, exc.field = f"page {number + 1}: {exc.message}", \
                    f"pages[{number}].{exc.field}" if exc.field else f"pages[{number}]"
                raise
        if request.frames:
            check_frames_against(template, request, self.settings, check_params)
        return Admitted(template, request)

    async def run(self, admitted: Admitted, client: str | None = None,
                  image_id: str | None = None) -> RenderResult:
        template, request = admitted.template, admitted.request
        m = metrics.setup()
        with self.client_slot(client), self.stage("fetching", self.settings.max_fetching):
            started = time.perf_counter()
            images = await self.images.load_request(request.params, self.settings)
            if images:
                m.render_seconds.labels(template.id, "fetch").observe(
                    time.perf_counter() - started)
        with self.client_slot(client), self.stage("in_flight", self.settings.max_in_flight):
            fonts = await self.blocking(self.templates.fonts.names)
            key = result_key(template, request, images, fonts)
            if image_id:  # a job row drawn again (a redelivery): stored already?
                record = await self.blocking(self.records.get_record, image_id)
                if record is not None:
                    return RenderResult.from_record(record)
            image_id = image_id or await self.blocking(self.new_image_id)
            reused = await self.blocking(self.from_cache, key, image_id, request)
            if reused is not None:
                m.cache_hits.labels("result").inc()
                return reused
            m.in_flight.inc()
            try:
                rendered = await self.draw(RenderJob(template, request, images), client)
            finally:
                m.in_flight.dec()
            started = time.perf_counter()
            # In a thread even on local disk: six files and renames, slow on a busy disk, must not
            # hold up every other request (and /healthz) on the event loop.
            stored = await asyncio.to_thread(self.store, rendered, template, request, image_id,
                                             key)
            m.render_seconds.labels(template.id, "store").observe(time.perf_counter() - started)
            return stored

    async def run_link(self, template_id: str, request: RenderRequest, version: str | None,
                       client: str | None = None, fresh: bool = False) -> RenderResult:
        """A render link: the stored render of these params, or one render that every
        concurrent asker of the same link waits for (a CDN fan-out renders once)."""
        template = await self.template(template_id)
        request = self.decode(request)
        version = version or template.version
        key = link_key(template_id, version, request)
        stored = None if fresh else await self.blocking(self.stored, key)
        if stored is not None:
            metrics.setup().cache_hits.labels("link").inc()
            return stored
        if version != template.version:
            raise TemplateNotFound(f"Template {template_id!r} version {version[:20]!r} is gone "
                                   f"(current: {template.version})")

        async def render() -> RenderResult:
            again = None if fresh else await self.blocking(self.stored, key)  # done elsewhere
            if again is not None:
                return again
            result = await self.run(self.admit_to(template, request), client)
            await self.blocking(self.records.put_alias, key, result.id)
            return result

        async def stored_now():
            return await self.blocking(self.stored, key)

        if self.shared_flights is not None:
            async def across_replicas() -> RenderResult:
                return await self.shared_flights.run_once(key, render, stored_now)
            return await self.single_flight(key, across_replicas)
        return await self.single_flight(key, render)

    async def preview(self, admitted: Admitted,
                      client: str | None = None) -> tuple[Rendered, bool]:
        """A render that is never stored (the studio's live preview, gallery and variants):
        the drawn files and fit report, kept in a small in-memory LRU by the same content key
        as a stored render's. Answers (rendered, cache hit)."""
        template, request = admitted.template, admitted.request
        with self.client_slot(client), self.stage("fetching", self.settings.max_fetching):
            images = await self.images.load_request(request.params, self.settings)
        with self.client_slot(client), self.stage("in_flight", self.settings.max_in_flight):
            fonts = await self.blocking(self.templates.fonts.names)
            key = "preview:" + result_key(template, request, images, fonts)
            cached = self.previews.get(key)
            if cached is not None:
                metrics.setup().cache_hits.labels("preview").inc()
                return cached, True

            async def draw() -> Rendered:
                rendered = await self.draw(RenderJob(template, request, images), client)
                self.previews.put(key, rendered, sum(len(f.data) for f in rendered.files))
                return rendered
            return await self.single_flight(key, draw), False

    async def draw(self, job: RenderJob, client: str | None) -> Rendered:
        """The drawing, once a render has its images: a background one (no client) in a batch
        slot and process if there are any, an interactive one in a fair render slot."""
        if client is None and self.batch_slots is not None:
            async with self.batch_slots.slot(None):
                return await self.executor.render(job, background=True)
        lane = self.heavy_lane if self.heavy_lane and self.is_heavy(job.template, job.request) \
            else contextlib.nullcontext()
        async with lane, self.render_slots.slot(client):
            return await self.executor.render(job)

    def is_heavy(self, template: Template, request: RenderRequest) -> bool:
        pixels = template.width * template.height * request.scale ** 2
        pixels *= len(request.frames or ()) or 1
        text = sum(len(p.text or "") for p in request.params)
        return pixels > self.settings.heavy_render_pixels or text > 2000

    async def blocking(self, function, *args):
        """Storage calls: direct on local disk (fast), in a thread for object storage or a
        Redis index."""
        if self.files.remote or self.records.remote:
            return await asyncio.to_thread(function, *args)
        return function(*args)

    async def template(self, template_id: str, version: str | None = None) -> Template:
        """A first load parses, sanitises and measures: in a thread, never on the event loop."""
        loaded = self.templates.loaded(template_id)
        if loaded is None or loaded.error or (version and loaded.version != version):
            return await asyncio.to_thread(self.templates.valid, template_id, version)
        return loaded

    async def single_flight(self, key: str, make) -> RenderResult:
        flight = self.flights.get(key)
        if flight is None:
            flight = self.flights[key] = asyncio.ensure_future(make())
            flight.add_done_callback(lambda done: (self.flights.pop(key, None),
                                                   done.cancelled() or done.exception()))
        # A waiter that goes away (client disconnect) must not cancel the others' render.
        return await asyncio.shield(flight)

    def stored(self, key: str) -> RenderResult | None:
        image_id = self.records.get_alias(key)
        record = self.records.get_record(image_id) if image_id else None
        return RenderResult.from_record(record) if record else None

    # --- the stages ------------------------------------------------------------------------

    def decode(self, body: bytes | RenderRequest) -> RenderRequest:
        s = self.settings
        if isinstance(body, RenderRequest):
            return validate_request(body, max_text_chars=s.max_text_chars,
                                    max_metadata_bytes=s.max_metadata_bytes,
                                    max_params=s.max_params, max_scale=s.max_scale)
        return decode_request(body or b"{}", max_text_chars=s.max_text_chars,
                              max_metadata_bytes=s.max_metadata_bytes, max_params=s.max_params,
                              max_scale=s.max_scale)

    @contextlib.contextmanager
    def stage(self, counter: str, limit: int):
        """At most `limit` renders in this stage at once; then 503 with Retry-After."""
        if getattr(self, counter) >= limit:
            raise Overloaded("the renderer is busy; retry shortly")
        setattr(self, counter, getattr(self, counter) + 1)
        try:
            yield
        finally:
            setattr(self, counter, getattr(self, counter) - 1)

    @contextlib.contextmanager
    def client_slot(self, client: str | None):
        """One client (an API key, or an address) cannot take everyone's renders: 429."""
        if client is None:
            yield
            return
        self.refuse_busy_client(client)
        self.per_client[client] = self.per_client.get(client, 0) + 1
        try:
            yield
        finally:
            self.per_client[client] -= 1
            if not self.per_client[client]:
                del self.per_client[client]

    def refuse_busy_client(self, client: str | None) -> None:
        """429 now if this client has all its renders in progress: routes call it before
        reading a body or loading a template, so a refusal costs the event loop next to
        nothing (a key retrying in a tight loop is refused ~100 times a second)."""
        if self.client_busy(client):
            raise TooManyRequests(f"this client already has "
                                  f"{self.settings.max_in_flight_per_client} renders in progress "
                                  "(SVGRENDER_MAX_IN_FLIGHT_PER_CLIENT); retry shortly")

    def client_busy(self, client: str | None) -> bool:
        return client is not None and \
            self.per_client.get(client, 0) >= self.settings.max_in_flight_per_client

    def new_image_id(self) -> str:
        image_id = secrets.token_hex(5)
        while self.records.get_record(image_id) is not None:
            image_id = secrets.token_hex(5)
        return image_id

    def from_cache(self, key: str, image_id: str, request: RenderRequest) -> RenderResult | None:
        """A previous render's files, copied under the new id: no drawing at all."""
        previous_id = self.records.get_alias(key)
        record = self.records.get_record(previous_id) if previous_id else None
        if record is None:
            return None
        previous = RenderResult.from_record(record)
        names = [name.replace(previous_id, image_id, 1) for name in previous.files]
        try:
            for old, new in zip(previous.files, names):
                self.files.copy(old, new)
            result = RenderResult(image_id, previous.template_id, names, previous.width,
                                  previous.height, request.metadata, previous.warnings,
                                  reused=True, layout=previous.layout)
            self.records.put_record(image_id, result.record())
            return result
        except FileMissing:  # deleted since: render again
            for name in names:
                self.files.delete(name)
            return None
        except (StorageFull, StorageUnavailable):
            # No room for a copy: answer with the earlier render itself (its id and files).
            for name in names:
                self.files.delete(name)
            self.records.delete_record(image_id)
            return RenderResult(previous_id, previous.template_id, previous.files,
                                previous.width, previous.height, request.metadata,
                                previous.warnings, reused=True, layout=previous.layout)

    def store(self, rendered: Rendered, template: Template, request: RenderRequest,
              image_id: str, key: str | None) -> RenderResult:
        """The three files, then the record, then the result index: nothing points at a file
        that was not completely written."""
        names = []
        try:
            for output in rendered.files:
                self.files.put(output.name(image_id), output.data)
                names.append(output.name(image_id))
        except Exception:
            for name in names:
                self.files.delete(name)
            raise
        result = RenderResult(image_id, template.id, names, rendered.width, rendered.height,
                              request.metadata, rendered.warnings, layout=rendered.layout)
        self.records.put_record(image_id, result.record())
        if key:
            self.records.put_alias(key, image_id)
        return result

    def delete(self, image_id: str) -> bool:
        record = self.records.get_record(image_id)
        if record is None:
            return False
        for name in record["files"]:
            self.files.delete(name)
        self.records.delete_record(image_id)
        return True


def result_key(template: Template, request: RenderRequest,
               images: dict[str, DecodedImage], fonts: list[str] = ()) -> str:
    """Same template version + params + format + scale + image contents + uploaded fonts =
    same files (a font uploaded since may draw a text differently)."""
    material = msgspec.json.encode({
        "template": [template.id, template.version], "fonts": list(fonts),
        "params": request.params, "format": request.format, "scale": request.scale,
        "pages": request.pages,
        "frames": request.frames,
        "images": {layer: image.key for layer, image in sorted(images.items())}})
    return hashlib.sha256(material).hexdigest()
