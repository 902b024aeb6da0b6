"""The SDK's (low-level) MCP server over our tools: one per transport, given where a call's
client comes from (one shared client over stdio; one per HTTP request, with the caller's key)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import mcp.types as types
from mcp.server.lowlevel import Server

from svgrender.client.client import AsyncClient
from svgrender.client.types import ApiError
from svgrender.mcp.tools import CALLS, TOOLS

INSTRUCTIONS = ("svgrender makes images from SVG templates. Call list_templates, then "
                "describe_template to see a template's layers and what each accepts, then render "
                "with params [{\"name\": layer, property: value}] and look at the thumbnail. "
                "For many images use render_batch and batch_status; for URLs that render on "
                "first load (og:image, e-mail) use make_link.")

ClientSource = Callable[[], AbstractAsyncContextManager[AsyncClient]]


def _content(block: dict) -> types.TextContent | types.ImageContent:
    return types.ImageContent(**block) if block["type"] == "image" else types.TextContent(**block)


def build_server(clients: ClientSource) -> Server:
    server: Server = Server("svgrender", version="0.1.0", instructions=INSTRUCTIONS)

    @server.list_tools()
    async def list_tools() -> list[types.Tool]:
        return [types.Tool(name=name, description=description, inputSchema=schema)
                for name, (description, schema) in TOOLS.items()]

    # The server checks the arguments itself: its messages name the layer and the field.
    @server.call_tool(validate_input=False)
    async def call_tool(name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        if name not in CALLS:
            raise ApiError(f"unknown tool {name!r}; the tools are: {', '.join(CALLS)}",
                           code="unknown_tool")
        missing = [key for key in TOOLS[name][1]["required"] if key not in arguments]
        if missing:
            raise ApiError(f"{name} needs {', '.join(missing)}", code="invalid_param",
                           field=missing[0])
        async with clients() as client:
            content, structured = await CALLS[name](client, arguments)
        return types.CallToolResult(content=[_content(block) for block in content],
                                    structuredContent=structured, isError=False)

    return server
