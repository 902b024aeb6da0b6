"""MkDocs hooks: the pages that are generated from the code at build time, never hand-copied.

- `configuration.md`: every setting declared in svgrender/settings.py (variable, type, default,
  doc), grouped under the section comments of that file.
- `api.md`: the service's own `/openapi.json`, asked of the app built in-process with default
  settings (no server, no network), rendered to Markdown path by path and schema by schema.
- `images/studio.png`: the studio screenshot tests/test_studio.py takes, copied in.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "tests" / "screenshots" / "studio.png"


# ---- configuration reference -------------------------------------------------------------

def setting_sections() -> dict[str, str]:
    """Field name → the `# Section.` comment above it in the Settings class."""
    sections, current, inside = {}, "General", False
    for line in (ROOT / "svgrender" / "settings.py").read_text().splitlines():
        if line.startswith("class Settings"):
            inside = True
            continue
        if inside and line and not line.startswith(" "):
            break
        comment = re.match(r"^    # (.+?)\.?$", line)
        if inside and comment:
            current = comment.group(1)
        field = re.match(r"^    (\w+): ", line)
        if inside and field:
            sections[field.group(1)] = current
    return sections


def type_name(kind) -> str:
    text = str(kind)
    if "tuple" in text:
        return "comma-separated list"
    return {"int": "integer", "float": "number", "bool": "boolean (1/0, true/false, yes/no, "
            "on/off)", "str": "text", "str | None": "text", "Path": "path",
            "Path | None": "path"}.get(text, text)


def configuration_page() -> str:
    from svgrender.settings import declared

    sections = setting_sections()
    out = ["# Configuration reference", "",
           "Generated at build time from `svgrender/settings.py`, where every option is "
           "declared once (field, environment variable, type, default, doc). The service "
           "reads each one from its `SVGRENDER_*` environment variable at start-up; nothing "
           "else reads the environment. A value that cannot be read as its type stops the "
           "start with a message naming the variable.", "",
           "What each limit protects, and how the service answers when it is reached, is "
           "in [Running in production](production.md#limits).", ""]
    by_section: dict[str, list] = {}
    for spec in declared():
        by_section.setdefault(sections.get(spec.name, "General"), []).append(spec)
    for section, specs in by_section.items():
        out += [f"## {section}", "", "| variable | type | default | meaning |",
                "|---|---|---|---|"]
        for spec in specs:
            doc = spec.doc.replace("|", "\\|")
            out.append(f"| `{spec.env}` | {type_name(spec.type)} | {spec.shown_default()} "
                       f"| {doc} |")
        out.append("")
    return "\n".join(out)


# ---- API reference -----------------------------------------------------------------------

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

def openapi_document() -> dict:
    """The app's own /openapi.json, from the app built in-process with default settings."""
    import httpx

    from svgrender.api.app import create_app
    from svgrender.settings import Settings

    async def ask(app) -> dict:
        # An ASGI transport runs no lifespan: no worker, engine or sweep is started.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            answer = await client.get("/openapi.json")
            answer.raise_for_status()
            return answer.json()

    with tempfile.TemporaryDirectory() as storage:
        settings = replace(Settings(), templates_dir=ROOT / "templates",
                           storage_dir=Path(storage), workers=0)
        return asyncio.run(ask(create_app(settings)))


def schema_text(schema: dict) -> str:
    """A schema in one short line: `Answer`, `list of LayerParam`, `string (png, jpeg)`…"""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[`{name}`](#{name.lower()})"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(schema_text(part) for part in schema[key])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        return f"list of {schema_text(schema.get('items', {}))}"
    if "enum" in schema:
        return f"{kind}: " + ", ".join(f"`{value}`" for value in schema["enum"])
    bounds = [f"{word} {schema[key]}" for key, word in (
        ("minimum", "≥"), ("maximum", "≤"), ("minLength", "length ≥"),
        ("maxLength", "length ≤"), ("maxItems", "items ≤")) if key in schema]
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


def cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def operation_section(path: str, method: str, operation: dict) -> list[str]:
    out = [f"### `{method.upper()} {path}`", ""]
    if operation.get("summary"):
        out += [operation["summary"], ""]
    if operation.get("description"):
        out += [operation["description"], ""]
    if operation.get("operationId"):
        out += [f"Operation id: `{operation['operationId']}`.", ""]
    parameters = operation.get("parameters", [])
    if parameters:
        out += ["| parameter | in | required | type | meaning |", "|---|---|---|---|---|"]
        for parameter in parameters:
            out.append(f"| `{parameter['name']}` | {parameter.get('in', '')} | "
                       f"{'yes' if parameter.get('required') else 'no'} | "
                       f"{cell(schema_text(parameter.get('schema', {})))} | "
                       f"{cell(parameter.get('description', ''))} |")
        out.append("")
    body = operation.get("requestBody")
    if body:
        kinds = ", ".join(f"`{media}`: {schema_text(spec.get('schema', {}))}"
                          for media, spec in body.get("content", {}).items())
        out += [f"Body ({'required' if body.get('required') else 'optional'}): {kinds}", ""]
    responses = operation.get("responses", {})
    if responses:
        out += ["| status | meaning | body |", "|---|---|---|"]
        for status, answer in responses.items():
            content = answer.get("content", {})
            shown = ", ".join(f"`{media}`" + (f": {schema_text(spec['schema'])}"
                                              if spec.get("schema") else "")
                              for media, spec in content.items())
            out.append(f"| {status} | {cell(answer.get('description', ''))} | {cell(shown)} |")
        out.append("")
    return out


def schema_section(name: str, schema: dict) -> list[str]:
    out = [f"### {name}", ""]
    if schema.get("description"):
        out += [schema["description"], ""]
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    if properties:
        out += ["| field | type | required | meaning |", "|---|---|---|---|"]
        for field, spec in properties.items():
            out.append(f"| `{field}` | {cell(schema_text(spec))} | "
                       f"{'yes' if field in required else 'no'} | "
                       f"{cell(spec.get('description', ''))} |")
        out.append("")
    else:
        out += [f"{cell(schema_text(schema))}", ""]
    return out


def api_page(document: dict | None = None) -> str:
    document = document or openapi_document()
    info = document.get("info", {})
    out = ["# API reference", "",
           f"Generated at build time from the service's own `/openapi.json` (OpenAPI "
           f"{document.get('openapi', '')}, {info.get('title', 'svgrender')} "
           f"{info.get('version', '')}), asked of the app built in-process with default "
           "settings. A running service serves the same document at `GET /openapi.json` "
           "and a browsable page at `GET /docs`.", "",
           "Errors are JSON `{\"message\", \"code\", \"layer\"?, \"field\"?}` "
           "([`Error`](#error)).", ""]
    schemes = document.get("components", {}).get("securitySchemes", {})
    if schemes:
        shown = ", ".join(f"`{name}` ({scheme.get('type', '')} {scheme.get('scheme', '')})"
                          .replace(" )", ")") for name, scheme in schemes.items())
        out += [f"Authentication: {shown}. The default server is open (no keys), so this "
                "document declares no requirement; with `SVGRENDER_API_KEYS` set the service's "
                "own `/openapi.json` requires them (see [Security](security.md)). An open "
                "server may answer a state-changing request 403 `csrf_refused`.", ""]
    out += ["## Paths", ""]
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])  # path-level parameters apply to every method
        for method, operation in item.items():
            if method in METHODS:
                own = {(p["name"], p.get("in")) for p in operation.get("parameters", [])}
                merged = [p for p in shared if (p["name"], p.get("in")) not in own]
                operation = {**operation,
                             "parameters": merged + operation.get("parameters", [])}
                out += operation_section(path, method, operation)
    out += ["## Schemas", ""]
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        out += schema_section(name, schema)
    return "\n".join(out)


# ---- MkDocs events -----------------------------------------------------------------------

def on_files(files, config):
    files.append(File.generated(config, "configuration.md", content=configuration_page()))
    files.append(File.generated(config, "api.md", content=api_page()))
    if SCREENSHOT.exists():
        files.append(File.generated(config, "images/studio.png", abs_src_path=str(SCREENSHOT)))
    return files
