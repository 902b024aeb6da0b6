"""The HTTP API: DynaPictures-compatible shapes, stored files, and an error for every bad input."""

import io
from dataclasses import replace

import pytest
from PIL import Image
from starlette.testclient import TestClient

from helpers import png_data_uri
from pixels import close
from svgrender.api.app import create_app

NINE_FIELDS = {"id", "templateId", "imageUrl", "thumbnailUrl", "retinaThumbnailUrl", "fileName",
               "metadata", "width", "height"}


def test_render_answer_and_files(client, settings):
    body = {"format": "jpeg", "metadata": "order-42",
            "params": [{"name": "canvas", "backgroundColor": "rgb(103,176,197)"},
                       {"name": "title", "text": "Explore New Zealand"}]}
    response = client.post("/designs/social-card", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert set(answer) == NINE_FIELDS | {"layout"}  # + the fit report of the changed text
    assert answer["layout"] == {"title": {"lines": 1, "fontSize": 52.0, "scale": 1.0,
                                          "cut": False}}
    assert len(answer["id"]) == 10 and all(c in "0123456789abcdef" for c in answer["id"])
    assert answer["templateId"] == "social-card" and answer["metadata"] == "order-42"
    assert (answer["width"], answer["height"]) == (1200, 630)
    assert answer["fileName"] == f"{answer['id']}.jpeg"
    assert answer["imageUrl"] == f"http://testserver/files/{answer['id']}.jpeg"
    sizes = []
    for key in ("imageUrl", "thumbnailUrl", "retinaThumbnailUrl"):
        file = client.get(answer[key])
        assert file.status_code == 200
        assert file.headers["content-type"] == "image/jpeg"
        assert int(file.headers["content-length"]) == len(file.content)
        assert file.headers["etag"]
        assert "immutable" in file.headers["cache-control"]
        assert file.headers["x-content-type-options"] == "nosniff"
        image = Image.open(io.BytesIO(file.content))
        sizes.append(image.size)
        if key == "imageUrl":
            assert close(image.convert("RGB").getpixel((10, 10)), (103, 176, 197), 4)
    assert sizes == [(1200, 630), (400, 210), (800, 420)]
    # Really stored on disk.
    assert (settings.storage_dir / answer["fileName"]).is_file()
    # The record answers again, and DELETE removes the files.
    assert client.get(f"/images/{answer['id']}").json() == answer
    assert client.delete(f"/images/{answer['id']}").status_code == 204
    assert client.get(answer["imageUrl"]).status_code == 404
    assert client.get(f"/images/{answer['id']}").status_code == 404
    assert not (settings.storage_dir / answer["fileName"]).exists()


def test_dynapictures_shapes(client):
    listed = client.get("/templates").json()
    assert isinstance(listed, list)
    ids = {t["id"] for t in listed}
    assert {"social-card", "instagram-post", "certificate", "figma-export",
            "inkscape-export"} <= ids
    card = next(t for t in listed if t["id"] == "social-card")
    assert (card["width"], card["height"]) == (1200, 630) and card["layerCount"] >= 5
    # DynaPictures clients send only {"params": [...]} and read `id`.
    response = client.post("/designs/social-card", json={"params": [{"name": "title", "text": "x"}]})
    assert response.status_code == 201 and response.json()["fileName"].endswith(".jpeg")
    # The brief's /v1 path works the same.
    assert client.post("/v1/templates/social-card/images", json={"format": "png"}).status_code == 201


def test_template_layers(client):
    detail = client.get("/templates/social-card").json()
    layers = {l["name"]: l for l in detail["layers"]}
    assert layers["canvas"]["type"] == "canvas"
    assert layers["title"]["type"] == "text" and layers["title"]["text"] == "Explore New Zealand"
    assert "text" in layers["title"]["properties"] and "imageUrl" not in layers["title"]["properties"]
    assert layers["image"]["type"] == "image"
    assert layers["badge"]["type"] == "shape"
    assert layers["card"]["type"] == "group"
    x, y, w, h = (layers["badge"][k] for k in ("x", "y", "width", "height"))
    assert (round(x), round(y), round(w), round(h)) == (590, 440, 240, 90)
    figma = {l["name"]: l for l in client.get("/templates/figma-export").json()["layers"]}
    assert figma["photo"]["type"] == "image"  # a pattern image fill
    assert figma["headline"]["type"] == "text"


def test_other_formats_and_scale(client):
    answer = client.post("/designs/certificate", json={"format": "pdf", "scale": 2}).json()
    assert answer["fileName"].endswith(".pdf") and answer["width"] == 2246
    pdf = client.get(answer["imageUrl"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert answer["thumbnailUrl"].endswith("-thumb.png")
    svg = client.post("/designs/social-card", json={"format": "svg"}).json()
    served = client.get(svg["imageUrl"])
    assert served.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in served.headers["content-security-policy"]
    webp = client.post("/designs/social-card", json={"format": "webp"}).json()
    assert client.get(webp["imageUrl"]).content[8:12] == b"WEBP"


ERRORS = [
    ("/designs/nope", {"params": []}, 404, "template_not_found"),
    ("/designs/social-card", {"params": [{"name": "ttle", "text": "x"}]}, 422, "unknown_layer"),
    ("/designs/social-card", {"params": [{"name": "title", "imageUrl": "data:,"}]}, 422,
     "property_not_allowed"),
    ("/designs/social-card", {"params": [{"name": "image", "text": "x"}]}, 422,
     "property_not_allowed"),
    ("/designs/social-card", {"params": [{"name": "title", "color": "blurple"}]}, 422,
     "invalid_color"),
    ("/designs/social-card", {"params": [{"name": "title", "color": "rgb(" + " " * 50000}]}, 422,
     "invalid_color"),
    ("/designs/social-card", {"format": "bmp"}, 422, "invalid_format"),
    ("/designs/social-card", {"scale": 5}, 422, "invalid_scale"),
    ("/designs/social-card", {"scale": 0.5}, 422, "invalid_scale"),
    ("/designs/social-card", {"params": [{"name": "title", "text": "x" * 10001}]}, 422,
     "text_too_long"),
    ("/designs/social-card", {"params": [{"name": "title", "text": 5}]}, 422, "invalid_param"),
    ("/designs/social-card", {"params": [{"name": "title", "bogus": 1}]}, 422, "invalid_param"),
    ("/designs/social-card", {"params": [{"name": "title", "opacity": 2}]}, 422, "invalid_param"),
    ("/designs/social-card", {"params": [{"name": "badge", "borderWidth": "thick"}]}, 422,
     "invalid_param"),
    ("/designs/social-card", {"params": [{"name": "title", "fontFamily": "Intr"}]}, 422,
     "unknown_font"),
    ("/designs/social-card", {"params": [{"name": "title", "fontWeight": "heavy"}]}, 422,
     "invalid_param"),
    ("/designs/social-card", {"params": [{"name": "image", "imageUrl": "http://127.0.0.1/a.jpg"}]},
     422, "invalid_image_url"),
    ("/designs/social-card", {"params": [{"name": "image", "imageUrl": "//evil.example/a.jpg"}]},
     422, "invalid_image_url"),
    ("/designs/social-card", {"params": [{"name": "image", "imageUrl": "file:///etc/passwd"}]},
     422, "invalid_image_url"),
    ("/designs/social-card", {"params": [{"name": "image", "imageUrl": "data:image/png;base64,AAAA"}]},
     422, "invalid_image"),
    ("/designs/social-card", {"params": [{"name": "subtitle", "borderRadius": 4}]}, 422,
     "property_not_allowed"),
    ("/designs/social-card", {"metadata": "m" * 5000}, 422, "metadata_too_long"),
]


@pytest.mark.parametrize("path,body,status,code", ERRORS)
def test_errors(client, path, body, status, code):
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["code"] == code and payload["message"]
    assert "Traceback" not in response.text


def test_error_details_name_layer_and_field(client):
    payload = client.post("/designs/social-card",
                          json={"params": [{"name": "ttle", "text": "x"}]}).json()
    assert payload["layer"] == "ttle" and "title" in payload["message"]  # suggests the real layer
    assert "subtitle" in payload["message"]  # lists the template's layers
    payload = client.post("/designs/social-card",
                          json={"params": [{"name": "title", "color": "nope"}]}).json()
    assert payload["layer"] == "title" and payload["field"] == "color"
    payload = client.post("/designs/social-card",
                          json={"params": [{"name": "title", "bogus": 1}]}).json()
    assert payload["field"] == "params[0].bogus"


def test_malformed_json_and_big_body(client):
    response = client.post("/designs/social-card", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"
    response = client.post("/designs/social-card", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_files_and_images_refuse_bad_names(client):
    for path in ["/files/..%2F..%2Fetc%2Fpasswd", "/files/_records", "/files/abc.jpeg",
                 "/files/0123456789.exe"]:
        response = client.get(path)
        assert response.status_code == 404, path
    assert client.get("/images/../../etc").status_code == 404
    assert client.get("/images/0123456789").json()["code"] == "image_not_found"


def test_api_keys(settings):
    keyed = replace(settings, api_keys=("old-key", "new-key"))
    with TestClient(create_app(keyed)) as client:
        response = client.get("/templates")
        assert response.status_code == 401
        assert response.json()["message"] == ("Valid API key is required. Add request header "
                                              "like Authorization: Bearer API_KEY")
        assert client.get("/templates", headers={"Authorization": "Bearer wrong"}).status_code == 401
        for key in ("old-key", "new-key"):  # rotation: both keys work
            ok = client.get("/templates", headers={"Authorization": f"Bearer {key}"})
            assert ok.status_code == 200
        assert client.get("/healthz").status_code == 200
        answer = client.post("/designs/social-card", json={},
                             headers={"Authorization": "Bearer new-key"}).json()
        assert client.get(answer["imageUrl"]).status_code == 200  # /files needs no key


SAFE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
            b'<rect id="canvas" width="20" height="10" fill="#fff"/></svg>')


def test_render_only_and_admin_keys(settings, tmp_path):
    roles = replace(settings, api_keys=("render-key",), admin_keys=("admin-key",),
                    templates_dir=tmp_path / "templates")
    render = {"Authorization": "Bearer render-key"}
    admin = {"Authorization": "Bearer admin-key"}
    with TestClient(create_app(roles)) as client:
        refused = client.put("/templates/mine", content=SAFE_SVG, headers=render)
        assert refused.status_code == 403 and refused.json()["code"] == "admin_key_required"
        assert client.put("/templates/mine", content=SAFE_SVG, headers=admin).status_code == 200
        answer = client.post("/designs/mine", json={}, headers=render)
        assert answer.status_code == 201  # render keys render
        assert client.get("/templates/mine", headers=render).status_code == 200
        image = answer.json()["id"]
        assert client.delete(f"/images/{image}", headers=render).status_code == 403
        assert client.post("/templates/mine/layers", headers=render,
                           json={"path": "/svg/rect", "name": "x"}).status_code == 403
        assert client.delete("/templates/mine", headers=render).status_code == 403
        assert client.delete(f"/images/{image}", headers=admin).status_code == 204
        assert client.delete("/templates/mine", headers=admin).status_code == 204
        assert client.delete("/templates/mine", headers=admin).status_code == 404


def test_the_operators_templates_are_read_only(settings, tmp_path):
    import shutil

    templates = tmp_path / "templates"
    shutil.copytree(settings.templates_dir, templates)
    local = replace(settings, templates_dir=templates)
    with TestClient(create_app(local)) as client:
        for answer in (client.put("/templates/social-card", content=SAFE_SVG),
                       client.delete("/templates/social-card"),
                       client.post("/templates/social-card/layers",
                                   json={"path": "/svg/rect", "name": "x"})):
            assert answer.status_code == 403, answer.text
            assert answer.json()["code"] == "template_read_only"
        assert (templates / "social-card.svg").read_bytes() == (
            settings.templates_dir / "social-card.svg").read_bytes()
        # Uploaded ones stay the uploader's: replace, then delete.
        assert client.put("/templates/uploaded", content=SAFE_SVG).status_code == 200
        assert client.put("/templates/uploaded", content=SAFE_SVG).status_code == 200
        assert client.delete("/templates/uploaded").status_code == 204
    with TestClient(create_app(replace(local, templates_writable=True))) as client:
        assert client.put("/templates/social-card", content=SAFE_SVG).status_code == 200


def test_public_url(settings):
    with TestClient(create_app(replace(settings, public_url="https://img.example.com/"))) as c:
        answer = c.post("/designs/social-card", json={}).json()
    assert answer["imageUrl"].startswith("https://img.example.com/files/")


def test_broken_template_does_not_hide_others(settings, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "good.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" '
                                        'height="10"><rect id="a" width="5" height="5"/></svg>')
    (templates / "broken.svg").write_text("<svg><unclosed>")
    (templates / "laughs.svg").write_text(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&b;</text></svg>')
    with TestClient(create_app(replace(settings, templates_dir=templates))) as client:
        listed = {t["id"]: t for t in client.get("/templates").json()}
        assert listed["good"]["valid"] and not listed["broken"]["valid"]
        assert not listed["laughs"]["valid"] and "DOCTYPE" in listed["laughs"]["error"]
        assert client.post("/designs/good", json={}).status_code == 201
        response = client.post("/designs/broken", json={})
        assert response.status_code == 422 and response.json()["code"] == "template_invalid"


def test_image_data_uri_by_http(client):
    url = png_data_uri(Image.new("RGB", (50, 50), (0, 255, 0)))
    answer = client.post("/designs/social-card", json={
        "format": "png", "params": [{"name": "image", "imageUrl": url}]}).json()
    image = Image.open(io.BytesIO(client.get(answer["imageUrl"]).content)).convert("RGB")
    assert close(image.getpixel((300, 300)), (0, 255, 0), 4)


def test_svg_outputs_download_sandboxed(client):
    answer = client.post("/designs/social-card", json={"format": "svg"}).json()
    response = client.get(answer["imageUrl"])
    assert response.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in response.headers["content-security-policy"]
    inline = client.get(answer["imageUrl"] + "?inline=1")
    assert "content-disposition" not in inline.headers


def test_files_answer_304_to_their_etag(client):
    answer = client.post("/designs/social-card", json={"format": "png"}).json()
    first = client.get(answer["imageUrl"])
    again = client.get(answer["imageUrl"], headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_non_latin1_warnings_do_not_fail_the_answer(client, monkeypatch):
    from svgrender.api import views

    header = views.warnings_header(["font 'Ünïcødé 字体' is not installed"])
    value = header["X-Svgrender-Warnings"]
    value.encode("latin-1")  # what Starlette needs; raised before the fix
    assert "\\u5b57" in value


def test_a_request_font_with_a_free_substitute_is_drawn_and_named(client):
    answer = client.post("/designs/social-card", json={
        "params": [{"name": "title", "text": "Set in Arial", "fontFamily": "Arial"}]})
    assert answer.status_code == 201, answer.text
    assert "drawn with Liberation Sans" in answer.headers.get("X-Svgrender-Warnings", "")
