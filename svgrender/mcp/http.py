"""`/mcp`: the MCP server over streamable HTTP, inside the service's app.

Requests reach it through the app's middleware (API keys first: no key, no MCP). Each tool
call is then sent to the app itself as an ordinary API request with the caller's key and
address (in process, no network), so roles (a render-only key cannot upload), rate limits,
budgets and error answers are exactly those of the HTTP API. Stateless JSON answers: any
replica can answer any request.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.types import ASGIApp, Receive, Scope, Send

from svgrender.api.errors import error_response
from svgrender.client.client import AsyncClient
from svgrender.errors import BadRequest, Overloaded
from svgrender.mcp.server import build_server

PATH = "/mcp"


class McpEndpoint:
    """The ASGI endpoint of /mcp; `running()` belongs in the app's lifespan."""

    __name__ = "mcp"  # the route's name in metrics and logs

    def __init__(self, max_body_bytes: int, render_timeout: float):
        self.app: ASGIApp | None = None  # the whole app, set once it is built
        self.timeout = render_timeout * 3 + 10
        self.max_body_bytes = max_body_bytes
        self.server = build_server(self._client)
        self.manager: StreamableHTTPSessionManager | None = None  # while the app runs

    @contextlib.asynccontextmanager
    async def _client(self) -> AsyncIterator[AsyncClient]:
        request = self.server.request_context.request  # the HTTP request carrying this call
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        address = (request.client.host, request.client.port) if request.client else (
            "127.0.0.1", 0)
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False,
                                        client=address)
        async with AsyncClient(str(request.base_url), token.strip() if scheme.lower() ==
                               "bearer" else None, transport=transport, retries=0,
                               timeout=self.timeout) as client:
            yield client

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """A session manager per run of the app's lifespan (the SDK's runs only once)."""
        manager = StreamableHTTPSessionManager(self.server, json_response=True, stateless=True,
                                               max_request_body_size=self.max_body_bytes)
        async with manager.run():
            self.manager = manager
            try:
                yield
            finally:
                self.manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.manager is None:
            response = error_response(Overloaded("the MCP endpoint is not running (the app is "
                                                 "starting or stopping)"))
            return await response(scope, receive, send)
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if not content_type.lower().startswith(b"application/json"):
            response = error_response(BadRequest("MCP messages are JSON-RPC: send them with "
                                                 "Content-Type: application/json",
                                                 code="invalid_content_type"))
            return await response(scope, receive, send)
        await self.manager.handle_request(scope, receive, send)
