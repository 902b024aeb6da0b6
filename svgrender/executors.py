"""Where the drawing part of a render runs, behind one interface chosen by settings.

`ThreadExecutor` draws in a thread of this process (SVGRENDER_WORKERS=0, the CLI);
`ProcessExecutor` sends the job to killable worker processes (workers.py). A job on the wire
carries the template's id and version, never a path or a parsed tree: the worker loads that
version from the template store itself.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Callable, Protocol

import msgspec

from svgrender import metrics
from svgrender.io.images import DecodedImage
from svgrender.params import RenderRequest
from svgrender.render import Rendered, render
from svgrender.settings import Settings
from svgrender.templates.fonts import FontSource
from svgrender.templates.loading import TemplateSource, template_from_facts
from svgrender.templates.model import Template
from svgrender.workers import WireJob, WorkerPool, batch_worker_count


@dataclass
class RenderJob:
    template: Template
    request: RenderRequest
    images: dict[str, DecodedImage]  # by layer name


class RenderExecutor(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def render(self, job: RenderJob, background: bool = False) -> Rendered: ...
    def template_loader(self, local: TemplateLoader) -> TemplateLoader: ...
    def font_reader(self, local: FontReader) -> FontReader: ...


TemplateLoader = Callable[[TemplateSource], "tuple[Template, bytes | None]"]
FontReader = Callable[..., object]  # (data, max_bytes, max_unpacked, name) -> (sfnt, info)


class ThreadExecutor:
    def __init__(self, settings: Settings):
        self.settings = settings

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def template_loader(self, local: TemplateLoader) -> TemplateLoader:
        return local  # templates load in the calling thread, like the draw

    def font_reader(self, local: FontReader) -> FontReader:
        return local

    async def render(self, job: RenderJob, background: bool = False) -> Rendered:
        started = time.perf_counter()
        try:
            return await asyncio.to_thread(render, job.template, job.request, self.settings,
                                           job.images)
        finally:
            metrics.setup().render_seconds.labels(job.template.id, "draw").observe(
                time.perf_counter() - started)


class ProcessExecutor:
    def __init__(self, settings: Settings, batch: bool = True):
        self.pool = WorkerPool(settings, settings.workers)
        # Batch rows and async renders in processes of their own at a lower OS priority: a
        # row never holds the worker an interactive render waits for, and on a busy machine
        # takes the CPU only when interactive renders leave it (None, the default: they share
        # self.pool).
        # Started with the first such render: a server whose rows are drawn elsewhere (Redis)
        # never starts them.
        count = batch_worker_count(settings) if batch else 0
        self.batch_pool = WorkerPool(settings, count, nice=max(0, settings.batch_nice)) \
            if count > 0 else None
        self.batch_started = False
        self.loop: asyncio.AbstractEventLoop | None = None  # the pool's, while it runs

    async def start(self) -> None:
        await self.pool.start()
        self.loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self.loop = None
        await self.pool.stop()
        if self.batch_started:
            self.batch_started = False
            await self.batch_pool.stop()

    def template_loader(self, local: TemplateLoader) -> TemplateLoader:
        """Template loads in the worker processes while the pool runs, waited for by the
        calling thread (the store is called from threads, never from the event loop); before
        start and after stop, `local` (in the calling thread)."""
        def load(source: TemplateSource):
            loop = self.loop
            if loop is None:
                return local(source)
            if _on_loop(loop):
                raise RuntimeError("template loads must not run on the event loop")
            facts = asyncio.run_coroutine_threadsafe(self.pool.render(source), loop).result()
            return template_from_facts(source.template_id, facts), facts.clean
        return load

    def font_reader(self, local: FontReader) -> FontReader:
        """Uploaded font files read (fontTools) in the worker processes, like templates."""
        def read(data: bytes, max_bytes: int, max_unpacked: int = 20 * 1024 * 1024,
                 name: str | None = None):
            loop = self.loop
            if loop is None:
                return local(data, max_bytes, max_unpacked, name)
            if _on_loop(loop):
                raise RuntimeError("font uploads must not be read on the event loop")
            return asyncio.run_coroutine_threadsafe(
                self.pool.render(FontSource(data, max_bytes, max_unpacked, name)), loop).result()
        return read

    async def render(self, job: RenderJob, background: bool = False) -> Rendered:
        pool = self.pool
        if background and self.batch_pool is not None:
            pool = self.batch_pool
            if not self.batch_started:
                self.batch_started = True
                await pool.start()
        return await pool.render(WireJob(
            job.template.id, job.template.version, msgspec.json.encode(job.request),
            {layer: image.data for layer, image in job.images.items()}, job.template.source))


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def executor_for(settings: Settings, batch: bool = True) -> RenderExecutor:
    """`batch`: batch rows get processes of their own (a server); False: one pool for all (a
    command that renders only its own rows)."""
    return ProcessExecutor(settings, batch) if settings.workers > 0 else ThreadExecutor(settings)
