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


def test_every_route_is_documented(client):
    """Every method of every route the app serves has an operation in /openapi.json (the
    aliases and the layer-naming route too), and every documented operation is served."""
    import re

    from starlette.routing import Route

    from svgrender.api.routes import camel

    paths = client.get("/openapi.json").json()["paths"]
    served = set()
    for route in client.app.routes:
        assert isinstance(route, Route), route
        path = re.sub(r"{(\w+)}", lambda m: "{" + camel(m.group(1)) + "}", route.path)
        for method in route.methods - {"HEAD"}:
            served.add((path, method.lower()))
            assert method.lower() in paths.get(path, {}), f"{method} {path} is not documented"
    for path in ("/v1/templates", "/v1/templates/{templateId}", "/v1/images/{imageId}",
                 "/v1/templates/{templateId}/images"):
        assert "get" in paths[path] or "post" in paths[path]
    assert paths["/templates/{templateId}/layers"]["post"]["operationId"] == "nameLayer"
    assert "delete" in paths["/v1/images/{imageId}"]
    documented = {(p, m) for p, item in paths.items() for m in item if m != "parameters"}
    documented.discard(("/mcp", "post"))  # served only with the `mcp` extra
    assert documented <= served, documented - served


def test_access_levels_are_documented_as_the_key_check_applies_them(settings):
    """Keys configured: the operations that need none say `security: []` and really answer
    without a key; every other one answers 401 without one; admin ones document a 403."""
    from dataclasses import replace

    from starlette.testclient import TestClient

    keyed = replace(settings, api_keys=("k",), admin_keys=("a",))
    with TestClient(create_app(keyed)) as client:
        paths = client.get("/openapi.json").json()["paths"]
        public = sorted((p, m) for p, item in paths.items() for m, op in item.items()
                        if m != "parameters" and op.get("security") == [])
        assert public == [("/docs", "get"), ("/files/{fileName}", "get"), ("/healthz", "get"),
                          ("/links/sets/{name}", "get"), ("/links/{name}", "get"),
                          ("/openapi.json", "get"), ("/readyz", "get"), ("/studio", "get"), ("/studio/", "get"),
                          ("/studio/t/{templateId}", "get"), ("/studio/{name}", "get")]
        filled = {"templateId": "social-card", "fileName": "x.png", "name": "app.js",
                  "imageId": "0123456789", "id": "b1", "setId": "s", "layer": "title"}
        for path, item in paths.items():
            url = path.format(**filled)
            for method in set(item) - {"parameters"}:
                if path == "/mcp":
                    continue
                answer = client.request(method.upper(), url, follow_redirects=False)
                if (path, method) in public:
                    assert answer.status_code != 401, (method, url)
                else:
                    assert answer.status_code == 401, (method, url, answer.status_code)
        for path, method in (("/templates", "post"), ("/templates/{templateId}", "delete"),
                             ("/templates/{templateId}/layers", "post"),
                             ("/images/{imageId}", "delete"), ("/v1/fonts", "post")):
            assert "403" in paths[path][method]["responses"], (method, path)
        # A public path answers a wrong method with its 405, not a 401.
        assert client.post("/healthz").status_code == 405


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
