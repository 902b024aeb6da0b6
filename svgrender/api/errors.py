"""The one place errors become HTTP answers: `{"message", "code", "layer"?, "field"?}`."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from svgrender.errors import SvgRenderError

log = logging.getLogger("svgrender.api")
RETRY_AFTER_SECONDS = 2


def error_response(exc: SvgRenderError) -> JSONResponse:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if exc.status in (429, 503) else None
    return JSONResponse(exc.to_json(), status_code=exc.status, headers=headers)


async def on_error(request: Request, exc: SvgRenderError) -> Response:
    return error_response(exc)


async def on_http_error(request: Request, exc: HTTPException) -> Response:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse({"message": str(exc.detail), "code": code},
                        status_code=exc.status_code, headers=exc.headers)


async def on_dependency_down(request: Request, exc: Exception) -> Response:
    """Redis stopped or hung: a 503 `dependency_unavailable` to retry, not a 500."""
    from svgrender.io.deps import unavailable

    log.warning("%s %s: Redis unavailable (%s)", request.method, request.url.path,
                type(exc).__name__)
    return error_response(unavailable(exc))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse({"message": "internal error; it has been logged", "code": "internal"},
                        status_code=500)


HANDLERS = {SvgRenderError: on_error, HTTPException: on_http_error, Exception: on_unexpected}
try:  # the redis client is installed with the jobs extra
    import redis

    HANDLERS.update({redis.exceptions.ConnectionError: on_dependency_down,
                     redis.exceptions.TimeoutError: on_dependency_down})
except ImportError:
    pass
