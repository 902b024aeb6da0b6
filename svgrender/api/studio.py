"""The studio: static HTML, CSS and JavaScript modules shipped in the package, served as they are
(no build step, no CDN). The page uses only the public API; it needs no key to load, only to act."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from svgrender.errors import NotFound

STUDIO = Path(__file__).resolve().parent.parent / "studio"
NAME = re.compile(r"^[a-z]+\.(js|css|html)$")
TYPES = {"js": "text/javascript", "css": "text/css", "html": "text/html"}
# Everything from this origin; images may come from a public files URL or CDN.
POLICY = ("default-src 'self'; img-src * data: blob:; style-src 'self'; script-src 'self'; "
          "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


async def studio_page(request: Request) -> Response:
    if request.url.path == "/studio":
        return RedirectResponse("/studio/", status_code=308)
    return _file("index.html")


async def docs_page(request: Request) -> Response:
    """/docs: the API reference, drawn from /openapi.json by a local script."""
    return _file("docs.html")


async def studio_file(request: Request) -> Response:
    return _file(request.path_params["name"])


def _file(name: str) -> Response:
    if not NAME.match(name) or not (STUDIO / name).is_file():
        raise NotFound(f"no studio file {name[:40]!r}")
    return Response((STUDIO / name).read_bytes(), media_type=TYPES[name.rsplit(".", 1)[1]],
                    headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-cache",
                             "X-Content-Type-Options": "nosniff"})
