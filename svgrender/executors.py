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
from typing import Protocol

import msgspec

from svgrender import metrics
from svgrender.io.images import DecodedImage
from svgrender.params import RenderRequest
from svgrender.render import Rendered, render
from svgrender.settings import Settings
from svgrender.templates.model import Template
from svgrender.workers import WireJob, WorkerPool


@dataclass
class RenderJob:
    template: Template
    request: RenderRequest
    images: dict[str, DecodedImage]  # by layer name


class RenderExecutor(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def render(self, job: RenderJob) -> Rendered: ...


class ThreadExecutor:
    def __init__(self, settings: Settings):
        self.settings = settings

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def render(self, job: RenderJob) -> Rendered:
        started = time.perf_counter()
        try:
            return await asyncio.to_thread(render, job.template, job.request, self.settings,
                                           job.images)
        finally:
            metrics.setup().render_seconds.labels(job.template.id, "draw").observe(
                time.perf_counter() - started)


class ProcessExecutor:
    def __init__(self, settings: Settings):
        self.pool = WorkerPool(settings, settings.workers)

    async def start(self) -> None:
        await self.pool.start()

    async def stop(self) -> None:
        await self.pool.stop()

    async def render(self, job: RenderJob) -> Rendered:
        return await self.pool.render(WireJob(
            job.template.id, job.template.version, msgspec.json.encode(job.request),
            {layer: image.data for layer, image in job.images.items()}))


def executor_for(settings: Settings) -> RenderExecutor:
    return ProcessExecutor(settings) if settings.workers > 0 else ThreadExecutor(settings)
