"""Renders in worker processes: killable at a deadline, recycled, behind a bounded queue.

A pure-Python render cannot be interrupted from the event loop, and CairoSVG can be made to
work for minutes by a hostile template; so each render runs in a worker process that is killed
and replaced when it overruns SVGRENDER_RENDER_TIMEOUT. Workers are also replaced after
SVGRENDER_WORKER_MAX_RENDERS renders or above SVGRENDER_WORKER_MAX_RSS_MB (leak insurance).
Template parses and decoded images are cached per worker. The API process's own template loads
(uploads, first uses) run here too: parsing, sanitising and measuring untrusted files is work for
a killable, memory-capped process, never the one that answers /healthz.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
import logging
import multiprocessing
import os
import resource
import time
from concurrent.futures import ThreadPoolExecutor
import dataclasses
from dataclasses import dataclass

import msgspec

from svgrender import heap, logs, metrics
from svgrender import errors
from svgrender.draw import seams
from svgrender.draw.fonts import add_font_dir
from svgrender.errors import Overloaded, RenderTimeout, SvgRenderError
from svgrender.io.images import ImageCache, decode_cached
from svgrender.params import RenderRequest
from svgrender.render import render
from svgrender.settings import Settings
from svgrender.templates.fonts import FontSource, FontTooCostly, read_font
from svgrender.templates.fonts import _label as _font_label
from svgrender.templates.loading import TemplateSource, load_for_api, load_here
from svgrender.templates.store import TemplateStore

log = logging.getLogger("svgrender.workers")
render_log = logging.getLogger("svgrender.render")
RECENT_TEMPLATES = 4  # kept by the worker that loaded them: the first render needs no reload
BATCH_DEADLINE_SLACK = 3.0  # SVGRENDER_RENDER_TIMEOUT times this in a niced (batch) worker


@dataclass
class WireJob:
    """A render job as it crosses the process boundary: the template by id and version (the
    worker loads it from the template store), never a path or a parsed tree."""

    template_id: str
    template_version: str
    request_json: bytes
    images: dict[str, bytes]  # layer -> original image bytes (decoded again, cached, here)
    template_source: bytes | None = None  # a version the store lacks (a queued job's)


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


TRIM_EVERY = 50  # jobs between two returns of freed heap memory to the system




def limit_memory(settings: Settings) -> None:
    """A hard ceiling on this process's address space: an allocation past it fails (a
    MemoryError, answered 422) instead of taking the machine's memory."""
    if settings.worker_memory_limit_mb > 0:
        limit = int(settings.worker_memory_limit_mb * 1024 * 1024)
        # The soft limit only: the chart helper (kinds/vegalite.py) lifts it for V8, which
        # reserves tens of GB of address space, and is bounded by RLIMIT_DATA instead.
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def remember(recent: OrderedDict, template) -> None:
    recent[(template.id, template.version)] = template
    while len(recent) > RECENT_TEMPLATES:
        recent.popitem(last=False)


def worker_main(conn, settings: Settings, nice: int = 0) -> None:
    """The worker loop: receive a WireJob (or a TemplateSource), send back ("ok", Rendered (or
    TemplateFacts), rss, held) or ("error", …, rss, held); `held`: the (template id, version)
    keys of the templates it keeps parsed. `nice`: how much lower this process's OS priority
    is (batch workers: their rows take the CPU only when interactive renders leave it)."""
    if nice > 0:
        os.nice(nice)
    limit_memory(settings)
    logs.configure(settings.log_format)
    # A render's warnings travel back with it and are logged once by the process that asked
    # (in its log format), not here as well.
    render_log.setLevel(logging.ERROR)
    m = metrics.setup()  # the server's PROMETHEUS_MULTIPROC_DIR, inherited
    seams.install()
    add_font_dir(settings.fonts_dir)
    cache = ImageCache(settings.image_cache_bytes)
    templates = TemplateStore.for_settings(settings)
    recent: OrderedDict = OrderedDict()  # templates this worker loaded for the API, by version

    def reply(status: str, payload, rss: float) -> None:
        # With the templates held now: the next job for one of them comes without its bytes.
        conn.send((status, payload, rss, tuple(recent)))

    jobs = 0
    while True:
        jobs += 1
        if jobs % TRIM_EVERY == 0:  # between jobs: no answer waits for it
            heap.trim()
        try:
            job: WireJob = conn.recv()
        except (EOFError, OSError):
            return
        try:
            templates.fonts.sync()  # fonts uploaded since the last job (a listing, or a stat)
            if isinstance(job, FontSource):  # an uploaded font file, for the API
                reply("ok", read_font(job.data, job.max_bytes, job.max_unpacked, job.name),
                      _rss_mb())
                continue
            if isinstance(job, TemplateSource):  # an upload or a first load, for the API
                template, facts = load_for_api(job, settings)
                remember(recent, template)
                reply("ok", facts, _rss_mb())
                continue
            template = recent.get((job.template_id, job.template_version))
            if template is None and job.template_source is not None:
                template = load_here(TemplateSource(job.template_id, job.template_source),
                                     settings)[0]
                remember(recent, template)
            elif template is None:
                template = templates.valid(job.template_id, job.template_version)
            request = msgspec.json.decode(job.request_json, type=RenderRequest)
            images = {layer: decode_cached(data, layer, cache,
                                           max_pixels=settings.max_image_pixels)
                      for layer, data in job.images.items()}
            started = time.perf_counter()
            result = render(template, request, settings, images)
            m.render_seconds.labels(template.id, "draw").observe(time.perf_counter() - started)
            reply("ok", result, _rss_mb())
        except SvgRenderError as exc:
            reply("error", (type(exc).__name__, exc.message, exc.layer, exc.field,
                            exc.code), _rss_mb())
        except MemoryError:
            reply("error", ("RenderLimitExceeded", "this render needs more memory than a "
                            f"worker may use ({settings.worker_memory_limit_mb:g} MB, "
                            "SVGRENDER_WORKER_MEMORY_LIMIT_MB)", None, None,
                            "memory_limit"), _rss_mb())
        except Exception as exc:  # never let one template take the worker's loop down
            log.exception("render failed")
            reply("error", ("RenderFailed", f"the renderer failed on this template "
                            f"({type(exc).__name__})", None, None, "render_failed"),
                  _rss_mb())


def _rebuild(payload) -> SvgRenderError:
    name, message, layer, field, code = payload
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, SvgRenderError)):
        cls = errors.RenderFailed
    return cls(message, layer=layer, field=field, code=code)


class _Worker:
    def __init__(self, context, settings, nice: int = 0):
        parent, child = context.Pipe()
        self.conn = parent
        self.process = context.Process(target=worker_main, args=(child, settings, nice),
                                       daemon=True)
        self.process.start()
        child.close()
        self.renders = 0
        self.holds: tuple = ()  # (template id, version) the worker has parsed, as it last said

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()
        if self.process.pid:
            metrics.mark_dead(self.process.pid)


def batch_worker_count(settings: Settings) -> int:
    """Processes kept for batch rows and async renders (SVGRENDER_BATCH_WORKERS; -1: as many
    as SVGRENDER_WORKERS); 0 when renders run in threads."""
    if settings.workers <= 0:
        return 0
    return settings.workers if settings.batch_workers < 0 else settings.batch_workers


class WorkerPool:
    def __init__(self, settings, size: int, nice: int = 0):
        self.settings = settings
        self.size = max(1, size)
        self.nice = nice  # batch pools: lower OS priority than the interactive one
        # A niced worker gets the CPU last on a busy machine: its renders' deadline is longer,
        # so a row is stopped for its own cost, not because interactive renders came first.
        self.slack = BATCH_DEADLINE_SLACK if nice > 0 else 1.0
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["svgrender.workers"])
        self.idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self.workers: list[_Worker] = []
        self.waiting = 0
        self.executor = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="render")

    def _spawn(self) -> _Worker:
        worker = _Worker(self.context, self.settings, self.nice)
        self.workers.append(worker)
        return worker

    def _retire(self, worker: _Worker, reason: str = "replaced") -> None:
        metrics.setup().worker_recycles.labels(reason).inc()
        worker.kill()
        if worker in self.workers:
            self.workers.remove(worker)

    async def start(self) -> None:
        # A pool may be started again after stop() (an app whose lifespan runs twice).
        self.executor = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="render")
        for _ in range(self.size):
            self.idle.put_nowait(self._spawn())

    async def stop(self) -> None:
        for worker in list(self.workers):
            self._retire(worker, "shutdown")
        self.executor.shutdown(wait=False, cancel_futures=True)

    def _deadline(self, job) -> float:
        if isinstance(job, FontSource) and self.settings.font_decode_timeout:
            return min(self.settings.font_decode_timeout, self.settings.render_timeout)
        return self.settings.render_timeout * self.slack

    async def render(self, job: WireJob | TemplateSource | FontSource):
        """A render (WireJob -> Rendered), a template load (TemplateSource -> TemplateFacts) or
        an uploaded font read (FontSource -> (bytes, FontInfo)), in the next free worker,
        under the same deadline and memory ceiling."""
        if self.idle.empty() and self.waiting >= self.settings.max_queue:
            raise Overloaded(f"{self.waiting} renders are already waiting; retry shortly")
        self.waiting += 1
        depth = metrics.setup().queue_depth
        depth.inc()
        try:
            worker = await self.idle.get()
        finally:
            self.waiting -= 1
            depth.dec()
        loop = asyncio.get_running_loop()
        replace = False
        if isinstance(job, WireJob) and (job.template_id, job.template_version) in worker.holds:
            # Parsed there already: not the template's bytes again (pickled on this loop, a
            # copy through the pipe and another in the worker, every render).
            job = dataclasses.replace(job, template_source=None)
        try:
            worker.conn.send(job)
            status, payload, rss, worker.holds = await asyncio.wait_for(
                loop.run_in_executor(self.executor, worker.conn.recv),
                self._deadline(job))
        except asyncio.TimeoutError:
            replace = True
            if isinstance(job, FontSource) and self.settings.font_decode_timeout:
                raise FontTooCostly(
                    f"{_font_label(job.name)} took longer than "
                    f"{self._deadline(job):g} s to read (SVGRENDER_FONT_DECODE_TIMEOUT) and was "
                    "stopped; a large WOFF2 reads much faster sent as its TTF/OTF",
                    field="body") from None
            what = ("loading the template" if isinstance(job, TemplateSource) else
                    "reading the font" if isinstance(job, FontSource) else "the render")
            raise RenderTimeout(f"{what} took longer than {self._deadline(job):g} s "
                                "(SVGRENDER_RENDER_TIMEOUT) and was stopped") from None
        except (EOFError, OSError, BrokenPipeError):
            replace = True
            raise errors.RenderFailed("the renderer stopped while drawing this template") from None
        finally:
            if replace:
                self._retire(worker, "timeout_or_crash")
                worker = self._spawn()
            self.idle.put_nowait(worker)
        worker.renders += 1
        worker.rss = rss
        if (worker.renders >= self.settings.worker_max_renders
                or rss > self.settings.worker_max_rss_mb):
            log.info("recycling worker after %d renders at %.0f MB", worker.renders, rss)
            # Swap it for a fresh one without making anyone wait.
            self._retire(worker, "max_renders" if worker.renders >= self.settings.worker_max_renders
                         else "max_rss")
            fresh = self._spawn()
            # The retired worker is still in the idle queue; drain it out lazily.
            self._replace_in_queue(worker, fresh)
        if status == "ok":
            if isinstance(job, WireJob):
                for warning in payload.warnings:  # once each (notices.warn), as if drawn here
                    render_log.warning(warning)
            return payload
        raise _rebuild(payload)

    def _replace_in_queue(self, old: _Worker, new: _Worker) -> None:
        items = []
        while not self.idle.empty():
            item = self.idle.get_nowait()
            items.append(new if item is old else item)
        for item in items:
            self.idle.put_nowait(item)

