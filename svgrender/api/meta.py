"""Health, OpenAPI and fonts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from svgrender.api.openapi import document
from svgrender.draw.fonts import available_families


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def openapi(request: Request) -> Response:
    return JSONResponse(document(secured=bool(request.app.state.settings.api_keys)))


async def fonts(request: Request) -> Response:
    return JSONResponse({"families": list(available_families())})
