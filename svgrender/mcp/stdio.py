"""`svgrender mcp`: the MCP server on stdin/stdout for desktop assistants, calling a running
service (`--server URL --key KEY`) or, without a URL, the service's app in this process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from mcp.server.stdio import stdio_server

from svgrender.client.client import AsyncClient
from svgrender.mcp.server import build_server
from svgrender.settings import Settings


@contextlib.asynccontextmanager
async def in_process(settings: Settings, key: str | None) -> AsyncIterator[AsyncClient]:
    """A client of the app run here (its lifespan too: workers, jobs), not over the network."""
    from svgrender.api.app import create_app

    app = create_app(settings)
    key = key or next(iter(settings.admin_keys or settings.api_keys), None)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with AsyncClient(settings.public_url or "http://localhost", key,
                               transport=transport, timeout=settings.render_timeout * 3 + 10,
                               retries=0) as client:
            yield client


async def serve_stdio(client: AsyncClient) -> None:
    @contextlib.asynccontextmanager
    async def shared() -> AsyncIterator[AsyncClient]:
        yield client

    server = build_server(shared)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


async def run(settings: Settings, server_url: str | None, key: str | None) -> None:
    if server_url:
        async with AsyncClient(server_url, key) as client:
            await serve_stdio(client)
    else:
        async with in_process(settings, key) as client:
            await serve_stdio(client)
