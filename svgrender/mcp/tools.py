"""The MCP tools: what an assistant sees (names, descriptions, input schemas) and what each call
does, through the Python client (`AsyncClient`), so every call is an ordinary HTTP API request:
the same keys and roles, limits, budgets and error messages.

Input schemas are derived from the server's own msgspec structs (`RenderRequest`, `LayerParam`,
`JsonRow`: the ones that validate requests and generate /openapi.json) and the property registry
(`apply.PROPERTIES` says which layer kinds each property fits); nothing is written twice.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from svgrender.properties import ALL, PROPERTIES
from svgrender.client.client import AsyncClient
from svgrender.client.types import Rendered
from svgrender.formats import BY_NAME
from svgrender.jobs.rows import JsonRow
from svgrender.params import RenderRequest

KIND_ORDER = ("text", "image", "shape", "canvas", "group")


def _kinds(kinds: frozenset[str]) -> str:
    if kinds == ALL:
        return "any layer"
    return ", ".join(k for k in KIND_ORDER if k in kinds) + " layers"


def properties_in_words() -> str:
    """Which properties fit which layer kinds, from the registry."""
    lines = []
    for kind in KIND_ORDER:
        names = [p.name for p in PROPERTIES if kind in p.kinds]
        lines.append(f"{kind} layers: {', '.join(names)}")
    return "; ".join(lines)


def _definitions() -> dict[str, Any]:
    _, defs = msgspec.json.schema_components([RenderRequest, JsonRow],
                                             ref_template="#/$defs/{name}")
    formats = list(BY_NAME)
    for struct in ("RenderRequest", "JsonRow"):
        defs[struct]["properties"]["format"]["enum"] = formats + (
            [None] if struct == "JsonRow" else [])
    layer = defs["LayerParam"]["properties"]
    layer["name"]["description"] = "the layer's name (describe_template lists them)"
    for prop in PROPERTIES:
        if prop.name in layer:
            layer[prop.name]["description"] = f"fits {_kinds(prop.kinds)}"
    return defs


DEFS = _definitions()
REQUEST = DEFS["RenderRequest"]["properties"]
TEMPLATE_ID = {"type": "string", "description": "the template's id (list_templates)"}


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required,
            "additionalProperties": False, "$defs": DEFS}


RENDER_FIELDS = {k: v for k, v in REQUEST.items() if k != "webhookUrl"}
TOOLS: dict[str, tuple[str, dict[str, Any]]] = {
    "list_templates": (
        "List the image templates: id, name, size in pixels, number of layers, and whether "
        "each one is valid.", _schema({}, [])),
    "describe_template": (
        "Describe one template for filling it in: every layer with its kind (text, image, "
        "shape, canvas, group), box in pixels, current text, the properties it accepts, and "
        "findings (problems with the template and how to fix them), in words.",
        _schema({"templateId": TEMPLATE_ID}, ["templateId"])),
    "render": (
        "Render an image from a template with new texts, colours and images for its layers, "
        "store it, and answer its URLs and size with a thumbnail to look at. `params` is a "
        "list of {\"name\": layer, property: value}; properties by layer kind: "
        + properties_in_words() + ". Colours are CSS colours; imageUrl is an http(s) or data: "
        "URL.", _schema({"templateId": TEMPLATE_ID, **RENDER_FIELDS}, ["templateId"])),
    "make_link": (
        "Make signed render links (a GET URL per image and thumbnail, for <img> tags, og:image "
        "and e-mails) without rendering; the params are checked against the template. `pin` "
        "ties the links to the template's current version.",
        _schema({"templateId": TEMPLATE_ID,
                 **{k: v for k, v in RENDER_FIELDS.items() if k != "metadata"},
                 "pin": {"type": "boolean", "default": False}}, ["templateId"])),
    "render_batch": (
        "Render many images from one template in the background, one per row (each row is a "
        "render body and may add fileName). Answers the batch's id and progress; follow it "
        "with batch_status, download all images from its zipUrl.",
        _schema({"templateId": TEMPLATE_ID,
                 "rows": {"type": "array", "items": {"$ref": "#/$defs/JsonRow"}, "minItems": 1},
                 "format": REQUEST["format"],
                 "pdf": {"type": "boolean", "default": False,
                         "description": "also combine every row into one PDF (pdfUrl)"}},
                ["templateId", "rows"])),
    "batch_status": (
        "The progress of a batch: state (running, finished, cancelled), total, done, failed, "
        "rows per second, ETA, the errors of failed rows, and the zip / PDF URLs.",
        _schema({"batchId": {"type": "string"}}, ["batchId"])),
    "upload_template": (
        "Add an SVG as a new template (or replace `templateId`); answers its layers and "
        "findings. Needs an admin key.",
        _schema({"svg": {"type": "string", "description": "the SVG document's text"},
                 "name": {"type": "string"}, "templateId": {"type": "string"}}, ["svg"])),
}


# --- answers in words --------------------------------------------------------------------

def _box(item: dict) -> str:
    return (f"x={item.get('x', 0):g} y={item.get('y', 0):g} "
            f"{item.get('width', 0):g}×{item.get('height', 0):g}")


def describe(detail: dict) -> str:
    """GET /templates/{id} in words an assistant can act on (tolerates fields it does not know)."""
    lines = [f"Template {detail.get('id')!r} ({detail.get('name') or 'no name'}): "
             f"{detail.get('width')}×{detail.get('height')} px, version {detail.get('version')}."]
    if not detail.get("valid", True):
        lines.append(f"It is INVALID and cannot be rendered: {detail.get('error')}")
    lines.append("Layers (set them by name in render's params):")
    for layer in detail.get("layers", []):
        kind = layer.get("type")
        parts = [f"- {layer.get('name')}: {kind} layer at {_box(layer)}"]
        if layer.get("label"):
            parts.append(f"label {layer['label']!r}")
        if kind == "text" and layer.get("text") is not None:
            parts.append(f"current text {layer['text']!r}")
        placed = [f"{key} {layer[key]}" for key in ("anchor", "grows", "boxSource")
                  if layer.get(key) not in (None, "")]
        if isinstance(layer.get("box"), dict):
            placed.append(f"text box {_box(layer['box'])}")
        if placed:
            parts.append(", ".join(placed))
        if layer.get("color"):
            parts.append(f"colour {layer['color']}")
        if layer.get("imageUrl"):
            parts.append(f"image {layer['imageUrl']}")
        parts.append("accepts " + ", ".join(layer.get("properties", [])))
        lines.append("; ".join(parts))
    found = detail.get("findings") or []
    if found:
        lines.append("Findings:")
        lines += [f"- {f.get('code')}: {f.get('message')} Fix: {f.get('fix')}" for f in found]
    else:
        lines.append("Findings: none.")
    unnamed = detail.get("unnamed") or []
    if unnamed:
        lines.append(f"{len(unnamed)} element(s) have no name and cannot be changed until named "
                     "(POST /templates/{id}/layers), e.g. "
                     + "; ".join(f"{u.get('type')} at {_box(u)}" for u in unnamed[:5]))
    return "\n".join(lines)


def _text(value: Any) -> dict:
    return {"type": "text", "text": value if isinstance(value, str) else json.dumps(
        value, indent=1, ensure_ascii=False)}


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "image/jpeg"


def _plain(struct: Any) -> Any:
    return msgspec.to_builtins(struct)


# --- the calls ---------------------------------------------------------------------------

Result = tuple[list[dict], dict | None]  # content blocks (as dicts), structured content


async def list_templates(client: AsyncClient, args: dict) -> Result:
    detail = [_plain(t) for t in await client.templates()]
    words = "\n".join(
        f"- {t['id']}: {t.get('name') or ''} {t['width']}×{t['height']} px, "
        f"{t['layerCount']} layers" + ("" if t["valid"] else f" — INVALID: {t.get('error')}")
        for t in detail) or "No templates."
    return [_text(words)], {"templates": detail}


async def describe_template(client: AsyncClient, args: dict) -> Result:
    detail = await client.template_json(args["templateId"])
    return [_text(describe(detail))], detail


async def render(client: AsyncClient, args: dict) -> Result:
    answer: Rendered = await client.render(
        args["templateId"], args.get("params") or [], format=args.get("format"),
        scale=args.get("scale"), metadata=args.get("metadata"))
    fields = _plain(answer)
    content = [_text(fields)]
    thumbnail = await client.file(answer.thumbnailUrl)
    content.append({"type": "image", "data": base64.b64encode(thumbnail).decode(),
                    "mimeType": _image_type(thumbnail)})
    return content, fields


async def make_link(client: AsyncClient, args: dict) -> Result:
    links = _plain(await client.link(args["templateId"], args.get("params") or [],
                                     format=args.get("format") or "png",
                                     scale=args.get("scale"), pin=bool(args.get("pin"))))
    return [_text(links)], links


async def render_batch(client: AsyncClient, args: dict) -> Result:
    status = _plain(await client.submit_batch(args["templateId"], list(args["rows"]),
                                              format=args.get("format"),
                                              pdf=bool(args.get("pdf"))))
    return [_text(status)], status


async def batch_status(client: AsyncClient, args: dict) -> Result:
    status = _plain(await client.batch(args["batchId"]))
    return [_text(status)], status


async def upload_template(client: AsyncClient, args: dict) -> Result:
    uploaded = _plain(await client.upload_template(
        args["svg"], template_id=args.get("templateId"), name=args.get("name")))
    removed = uploaded.get("removed") or []
    words = describe(uploaded) + (f"\nThe sanitiser removed: {', '.join(removed)}"
                                  if removed else "")
    return [_text(words)], uploaded


CALLS: dict[str, Callable[[AsyncClient, dict], Awaitable[Result]]] = {
    "list_templates": list_templates, "describe_template": describe_template, "render": render,
    "make_link": make_link, "render_batch": render_batch, "batch_status": batch_status,
    "upload_template": upload_template,
}
