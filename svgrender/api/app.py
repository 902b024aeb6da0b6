"""The Starlette app: the routes (from api/routes.py), middleware and error handlers, wired to
one RenderService.

Handlers are plain functions in one module per concept (renders, templates, files, meta); they
read `request.app.state.service`. DynaPictures' paths and field names, plus /v1 aliases.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route

from svgrender.api.auth import ApiKeyMiddleware
from svgrender.api.csrf import CsrfMiddleware
from svgrender import metrics, retention
from svgrender.api.errors import HANDLERS
from svgrender.api.observe import ObserveMiddleware
from svgrender.api.routes import ENDPOINTS, public_paths
from svgrender.api.views import image_answer
from svgrender.draw import seams
from svgrender.draw.fonts import add_font_dir
from svgrender.executors import ProcessExecutor, RenderExecutor, executor_for
from svgrender.io.loaders import ImageFetcher
from svgrender.io.storage import FileStore, LocalFileStore, LocalRecordStore, RecordStore
from svgrender.jobs.manager import JobManager
from svgrender.jobs.store import SqliteJobStore
from svgrender.service import RenderResult, RenderService
from svgrender.settings import Settings
from svgrender.templates.store import TemplateStore


def cors(settings: Settings) -> list[Middleware]:
    """Browsers on these origins may call the API (preflights answered before the key check)."""
    if not settings.cors_origins:
        return []
    return [Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                       allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD"],
                       allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
                       expose_headers=["X-Request-Id", "X-Svgrender-Warnings", "ETag",
                                      "X-Svgrender-Layout", "X-Svgrender-Cache",
                                      "X-Svgrender-Width", "X-Svgrender-Height"],
                       max_age=600)]


def build_jobs(settings: Settings, service: RenderService) -> JobManager:
    """Embedded jobs (SQLite beside the images), or Dramatiq on Redis when configured."""
    def answer(image_id: str, base: str) -> dict | None:
        record = service.records.get_record(image_id)
        return image_answer(RenderResult.from_record(record), base, service.files) \
            if record else None

    if settings.redis_url:
        from svgrender.jobs.redis_engine import DramatiqEngine, RedisJobStore

        return JobManager(service, RedisJobStore(settings.redis_url, settings), answer,
                          DramatiqEngine(settings))
    store = SqliteJobStore(settings.storage_dir / "_jobs.sqlite3")
    return JobManager(service, store, answer)


def build_service(settings: Settings, *, files: FileStore | None = None,
                  records: RecordStore | None = None,
                  executor: RenderExecutor | None = None) -> RenderService:
    """The service with the backends the settings choose (each one replaceable for tests)."""
    if settings.storage_url and (files is None or records is None):
        from svgrender.io.s3 import Bucket, S3FileStore, S3RecordStore

        bucket = Bucket(settings.storage_url, settings=settings)
        files = files or S3FileStore(bucket, settings.public_files_url)
        records = records or S3RecordStore(bucket)
    records = records or LocalRecordStore(settings.storage_dir)
    if settings.redis_url:  # the result index and link renders shared between replicas
        from svgrender.io.shared import RedisFlights, RedisIndexedRecords

        records = RedisIndexedRecords(records, settings.redis_url, settings)
    executor = executor or executor_for(settings)
    # With worker processes, they decode images; this process only reads their headers.
    images = ImageFetcher(settings, decode_pixels=not isinstance(executor, ProcessExecutor))
    service = RenderService(
        settings, TemplateStore.for_settings(settings),
        files or LocalFileStore(settings.storage_dir, settings.public_files_url),
        records, images, executor)
    if settings.redis_url:
        service.shared_flights = RedisFlights(settings.redis_url, settings.render_timeout * 3,
                                              settings)
    return service


def mcp_endpoint(settings: Settings):
    """/mcp (the MCP server over streamable HTTP), when the `mcp` extra is installed."""
    try:
        from svgrender.mcp.http import McpEndpoint
    except ImportError:
        return None
    return McpEndpoint(settings.max_body_bytes, settings.render_timeout)


def with_mcp(lifespan, mcp):
    """The app's lifespan, with /mcp's session manager running inside it."""
    if mcp is None:
        return lifespan

    @contextlib.asynccontextmanager
    async def both(app):
        async with lifespan(app), mcp.running():
            yield
    return both


def create_app(settings: Settings | None = None, service: RenderService | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    metrics.setup()  # before any worker process starts: they inherit its directory
    seams.install()
    add_font_dir(settings.fonts_dir)
    service = service or build_service(settings)
    jobs = build_jobs(settings, service)
    mcp = mcp_endpoint(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await asyncio.to_thread(service.templates.fonts.sync)  # fonts uploaded earlier
        await service.executor.start()
        local_loader, local_reader = service.templates.loader, service.templates.fonts.reader
        loop = asyncio.get_running_loop()
        remote = getattr(service.executor, "template_loader", lambda loop: None)
        service.templates.loader = remote(loop) or local_loader
        fonts = getattr(service.executor, "font_reader", lambda loop: None)
        service.templates.fonts.reader = fonts(loop) or local_reader
        await jobs.start()
        sweeping = asyncio.create_task(retention.sweep_forever(service)) if (
            settings.retention_days > 0 or settings.storage_max_bytes > 0) else None
        try:
            yield
        finally:
            if sweeping:
                sweeping.cancel()
            await jobs.stop()
            service.templates.loader = local_loader
            service.templates.fonts.reader = local_reader
            await service.executor.stop()

    # /mcp is an ASGI app of its own, mounted when the extra is installed.
    routes = [Route(e.path, mcp, methods=list(e.methods)) if e.path == "/mcp" else e.route()
              for e in ENDPOINTS if e.path != "/mcp" or mcp]
    app = Starlette(routes=routes, lifespan=with_mcp(lifespan, mcp), exception_handlers=HANDLERS,
                    middleware=[Middleware(ObserveMiddleware), *cors(settings),
                                Middleware(CsrfMiddleware,
                                           enabled=not (settings.api_keys or settings.admin_keys),
                                           public_url=settings.public_url,
                                           public_hosts=settings.public_hosts,
                                           cors_origins=settings.cors_origins),
                                Middleware(ApiKeyMiddleware, keys=settings.api_keys,
                                           admin_keys=settings.admin_keys,
                                           public=public_paths(ENDPOINTS))])
    app.state.settings, app.state.service, app.state.jobs = settings, service, jobs
    app.state.endpoints = ENDPOINTS  # /openapi.json describes them
    if mcp:
        mcp.app = app  # its tool calls go through the whole app, keys and all
    return app
