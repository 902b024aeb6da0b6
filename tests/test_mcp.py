"""The MCP server through the SDK's own client: over stdio (`svgrender mcp`, against a server
and in process) and over streamable HTTP (`/mcp` on a real `svgrender serve`)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import shutil
import sys
from pathlib import Path

import httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from PIL import Image, ImageChops

from svgrender.mcp.tools import TOOLS, describe
from tests.live import served

TEMPLATES = Path(__file__).parent.parent / "templates"
ADMIN, RENDER_ONLY = "mcp-admin-key", "mcp-render-key"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
       '<text id="t" x="10" y="50">Hi</text></svg>')


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mcp")
    shutil.copytree(TEMPLATES, tmp / "templates")
    return tmp


@pytest.fixture(scope="module")
def server(tmp):
    with served({"SVGRENDER_TEMPLATES_DIR": str(tmp / "templates"),
                 "SVGRENDER_STORAGE_DIR": str(tmp / "images"),
                 "SVGRENDER_API_KEYS": RENDER_ONLY, "SVGRENDER_ADMIN_KEYS": ADMIN,
                 "SVGRENDER_LINK_KEYS": "mcp-link-key"}) as url:
        yield url


@contextlib.asynccontextmanager
async def over_http(url: str, key: str | None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(headers=headers, timeout=120) as http, \
            streamable_http_client(f"{url}/mcp", http_client=http) as (read, write, _), \
            ClientSession(read, write) as session:
        await session.initialize()
        yield session


@contextlib.asynccontextmanager
async def over_stdio(args: list[str], env: dict[str, str]):
    params = StdioServerParameters(command=sys.executable, args=["-m", "svgrender", "mcp", *args],
                                   env={"SVGRENDER_WORKERS": "0", **env})
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def thumbnail(result) -> Image.Image:
    images = [block for block in result.content if block.type == "image"]
    assert len(images) == 1 and images[0].mimeType == "image/png"
    return Image.open(io.BytesIO(base64.b64decode(images[0].data))).convert("RGB")


async def exercise(session: ClientSession) -> None:
    """What an assistant does: find the tools, read a template, render with a new title."""
    tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert set(tools) == set(TOOLS)
    assert tools["render"].inputSchema["properties"]["params"]["items"] == {
        "$ref": "#/$defs/LayerParam"}
    assert "fits text layers" in str(tools["render"].inputSchema["$defs"]["LayerParam"])

    listed = await session.call_tool("list_templates", {})
    assert not listed.isError and "social-card" in listed.content[0].text

    described = await session.call_tool("describe_template", {"templateId": "social-card"})
    assert not described.isError
    words = described.content[0].text
    assert "- title: text layer at" in words and "current text" in words
    assert "accepts hidden, text, color" in words and "Findings" in words
    title = next(layer for layer in described.structuredContent["layers"]
                 if layer["name"] == "title")

    before = await session.call_tool("render", {"templateId": "social-card", "format": "png"})
    after = await session.call_tool("render", {
        "templateId": "social-card", "format": "png",
        "params": [{"name": "title", "text": "Changed by an assistant"}]})
    assert not before.isError and not after.isError, after.content[0].text
    fields = after.structuredContent
    assert set(fields) >= {"id", "templateId", "imageUrl", "thumbnailUrl", "retinaThumbnailUrl",
                           "fileName", "metadata", "width", "height"}
    old, new = thumbnail(before), thumbnail(after)
    assert old.size == new.size
    scale = new.width / fields["width"]
    box = title.get("box") or title  # where the text may grow, else the layer's own box
    top, bottom = min(title["y"], box["y"]), max(title["y"] + title["height"],
                                                 box["y"] + box["height"])
    band = (0, int(top * scale) - 1, new.width, int(bottom * scale) + 2)
    changed = ImageChops.difference(old, new).convert("L").point(lambda v: 255 if v > 40 else 0)
    assert changed.crop(band).getbbox() is not None, "the title band did not change"
    outside = changed.copy()
    outside.paste(0, band)
    assert outside.getbbox() is None or outside.histogram()[255] < 0.01 * new.width * new.height

    bad = await session.call_tool("render", {
        "templateId": "social-card", "params": [{"name": "title", "color": "not-a-colour"}]})
    assert bad.isError
    assert "invalid_color" in bad.content[0].text and "not-a-colour" in bad.content[0].text
    assert "layer title" in bad.content[0].text


def test_streamable_http(server):
    async def main():
        async with over_http(server, ADMIN) as session:
            await exercise(session)
            link = await session.call_tool("make_link", {
                "templateId": "social-card", "params": [{"name": "title", "text": "Hi"}]})
            assert not link.isError and "/links/social-card.png?" in link.structuredContent["url"]
            batch = await session.call_tool("render_batch", {
                "templateId": "social-card", "format": "png",
                "rows": [{"params": [{"name": "title", "text": "One"}], "fileName": "one"},
                         {"params": [{"name": "title", "text": "Two"}]}]})
            assert not batch.isError, batch.content[0].text
            batch_id = batch.structuredContent["id"]
            for _ in range(300):
                status = await session.call_tool("batch_status", {"batchId": batch_id})
                if status.structuredContent["state"] != "running":
                    break
                await asyncio.sleep(0.1)
            assert status.structuredContent["done"] == 2
            assert status.structuredContent["zipUrl"].endswith(f"/batches/{batch_id}/zip")
            uploaded = await session.call_tool("upload_template", {"svg": SVG, "name": "mcp"})
            assert not uploaded.isError and "- t: text layer" in uploaded.content[0].text
    asyncio.run(main())


def test_render_only_key_cannot_upload(server):
    async def main():
        async with over_http(server, RENDER_ONLY) as session:
            listed = await session.call_tool("list_templates", {})
            assert not listed.isError
            refused = await session.call_tool("upload_template", {"svg": SVG})
            assert refused.isError and "admin_key_required" in refused.content[0].text
            missing = await session.call_tool("describe_template", {})
            assert missing.isError and "templateId" in missing.content[0].text
    asyncio.run(main())


def test_http_needs_a_key(server):
    answer = httpx.post(f"{server}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                        headers={"Accept": "application/json, text/event-stream"})
    assert answer.status_code == 401 and answer.json()["code"] == "unauthorized"


def test_stdio_against_a_server(server):
    async def main():
        async with over_stdio(["--server", server, "--key", ADMIN], {}) as session:
            await exercise(session)
    asyncio.run(main())


def test_stdio_in_process(tmp):
    async def main():
        env = {"SVGRENDER_TEMPLATES_DIR": str(tmp / "templates"),
               "SVGRENDER_STORAGE_DIR": str(tmp / "in-process")}
        async with over_stdio([], env) as session:
            await exercise(session)
    asyncio.run(main())


def test_describe_tolerates_fields_it_does_not_know():
    words = describe({"id": "x", "width": 10, "height": 10, "layers": [
        {"type": "text", "name": "t", "x": 1, "y": 2, "width": 3, "height": 4, "text": "Hi",
         "anchor": "middle", "grows": "down", "box": {"x": 0, "y": 0, "width": 10, "height": 5},
         "boxSource": "guessed", "properties": ["text"], "somethingNew": [1, 2]}],
        "findings": [{"code": "c", "message": "m.", "fix": "f", "extra": 1}]})
    assert "anchor middle, grows down, boxSource guessed, text box x=0 y=0 10×5" in words
    assert "- c: m. Fix: f" in words
