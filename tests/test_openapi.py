"""/openapi.json describes the API, and schemathesis finds no 500 and no response off-spec.

Short here (a few examples per operation); `python benchmarks/fuzz_api.py` runs long on demand.
"""

import shutil

import schemathesis
from hypothesis import HealthCheck, settings as hsettings

from helpers import TEMPLATES
from svgrender.api.app import create_app
from svgrender.settings import Settings


def _app(tmp):
    shutil.copytree(TEMPLATES, tmp / "templates", dirs_exist_ok=True)
    return create_app(Settings(templates_dir=tmp / "templates", storage_dir=tmp / "img",
                               cache_dir=tmp / "cache"))


def test_openapi_document(client):
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert "/designs/{templateId}" in doc["paths"]
    params = doc["components"]["schemas"]["LayerParam"]["properties"]
    assert {"text", "backgroundColor", "imageUrl", "autoFit", "maxLines"} <= set(params)


import tempfile
from pathlib import Path

_tmp = Path(tempfile.mkdtemp(prefix="svgrender-openapi-"))
schema = schemathesis.openapi.from_asgi("/openapi.json", _app(_tmp))


@schema.parametrize()
@hsettings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case):
    excluded = []
    if (case.path.startswith("/templates") and case.method in ("POST", "PUT")) or (
            case.path == "/v1/fonts" and case.method == "POST") or case.path == "/mcp" or (
            case.path in ("/sets/{setId}", "/sets/{setId}/batches")):
        # Any string fits the body's schema, but only an SVG is a template (only a font file a
        # font; only existing templates a set): a 422 for "0" is right, and JSON Schema cannot
        # say "well-formed SVG" (nor "an MCP message the SDK accepts", with the Accept header it wants).
        excluded.append(schemathesis.checks.positive_data_acceptance)
    case.call_and_validate(excluded_checks=excluded)
