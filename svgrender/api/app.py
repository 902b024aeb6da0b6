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
from svgrender.api.shedding import BusyClientRefusal
from svgrender.api.routes import ENDPOINTS, public_paths
from svgrender.draw import seams
from svgrender.draw.fonts import add_font_dir
from svgrender.service import RenderService
from svgrender.settings import Settings
from svgrender.wiring import build_jobs, build_service  # noqa: F401 (tests import them here)


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
        await service.executor.start()  # templates parse in its workers from now on
        await jobs.start()
        sweeping = asyncio.create_task(retention.sweep_forever(service)) if (
            settings.retention_days > 0 or settings.storage_max_bytes > 0) else None
        try:
            yield
        finally:
            if sweeping:
                sweeping.cancel()
            await jobs.stop()
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
                                           public=public_paths(ENDPOINTS)),
                                Middleware(BusyClientRefusal, service=service)])
    app.state.settings, app.state.service, app.state.jobs = settings, service, jobs
    app.state.endpoints = ENDPOINTS  # /openapi.json describes them
    if mcp:
        mcp.app = app  # its tool calls go through the whole app, keys and all
    return app
