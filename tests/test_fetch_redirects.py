"""An imageUrl whose server redirects somewhere unparsable or non-http (`http:\\\\127.0.0.1…`, a
`data:` URL, `javascript:`) is a 422 naming the layer and field, never a 500. Real servers on
loopback, raw sockets so the Location header is sent byte for byte."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from faultservers import RudeServer
from svgrender.api.app import create_app


@pytest.mark.parametrize("location", [
    b"http:\\\\127.0.0.1/photo.jpg",
    b"http:\\\\127.0.0.1:9/x",
    b"data:image/png;base64,iVBORw0KGgo=",
    b"javascript:alert(1)",
    b"http://[::1/x",
    b"https://:0/",
])
def test_a_redirect_to_a_bad_location_is_a_422_naming_the_layer(settings, location):
    rude = RudeServer(b"HTTP/1.1 302 Found\r\nLocation: " + location
                      + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    try:
        settings = replace(settings, allow_private_networks=("127.0.0.1/32",),
                           fetch_total_timeout=3.0)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            answer = client.post("/designs/social-card", json={"format": "png", "params": [
                {"name": "image", "imageUrl": rude.url}]})
        assert answer.status_code == 422, (answer.status_code, answer.text)
        body = answer.json()
        assert body["layer"] == "image" and body["field"] == "imageUrl", body
        assert body["code"] == "invalid_image_url"
        assert "redirect" in body["message"], body
    finally:
        rude.close()
