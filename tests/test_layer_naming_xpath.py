"""Naming a layer by path: a path that is an XPath expression yielding a number, a boolean or a
string (not elements) is a 422 saying what a path must be, not "renderer failed (TypeError)"."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from svgrender.api.app import create_app

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
       b'<rect width="100" height="100" fill="#fff"/><circle cx="50" cy="50" r="20"/></svg>')


@pytest.mark.parametrize("path", ["//*[1] * 2", "//*[1] = 1", "//*[1] + 1",
                                  "/descendant::*[1] and true()", "//*/@width", "/svg[",
                                  "//*[namespace-uri()] | //text()"])
def test_a_path_that_is_no_element_is_a_clear_422(settings, tmp_path, path):
    (tmp_path / "templates").mkdir()  # uploads land here, not in the repo's templates/
    settings = replace(settings, templates_dir=tmp_path / "templates")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        made = client.post("/templates?name=Naming", content=SVG,
                           headers={"Content-Type": "image/svg+xml"})
        assert made.status_code == 201, made.text
        template_id = made.json()["id"]
        answer = client.post(f"/templates/{template_id}/layers",
                             json={"path": path, "name": "dot"})
        assert answer.status_code == 422, (answer.status_code, answer.text)
        body = answer.json()
        assert body["field"] == "path" and body["code"] == "element_not_found", body
        assert "TypeError" not in body["message"] and "renderer" not in body["message"]
        # A real path still works.
        unnamed = client.get(f"/templates/{template_id}").json()
        paths = [e["path"] for e in unnamed["unnamed"]]
        assert paths
        ok = client.post(f"/templates/{template_id}/layers",
                         json={"path": paths[-1], "name": "dot"})
        assert ok.status_code == 201, ok.text
