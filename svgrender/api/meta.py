"""Health, readiness, metrics, OpenAPI and fonts."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from svgrender import metrics
from svgrender.api.body import read_limited
from svgrender.api.openapi import document
from svgrender.draw.fonts import available_families


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def openapi(request: Request) -> Response:
    return JSONResponse(document(request.app.state.endpoints,
                                 secured=bool(request.app.state.settings.api_keys)))


async def fonts(request: Request) -> Response:
    store = request.app.state.service.templates
    await run_in_threadpool(store.fonts.sync)  # another replica may have added one
    return JSONResponse({"families": list(available_families())})


async def upload_font(request: Request) -> Response:
    """POST /v1/fonts: a TTF/OTF/WOFF/WOFF2 file, stored with the templates (admin key)."""
    service = request.app.state.service
    limit = service.settings.max_font_bytes
    name = (request.query_params.get("name") or "")[:200] or None
    data = await read_limited(request, limit, f"font file {name!r}" if name else "font file")
    settings = service.settings
    info = await run_in_threadpool(service.templates.fonts.save, data, limit,
                                   settings.max_font_unpacked_bytes, name,
                                   settings.font_decode_timeout)
    return JSONResponse(info.json(), status_code=201)


async def readyz(request: Request) -> Response:
    """Ready to take renders: templates readable, storage writable with room, Redis answering."""
    service = request.app.state.service
    checks = await bounded_readiness(service)
    ready = all(check["ok"] for check in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


CHECK_SECONDS = 1.5  # each check's deadline: /readyz answers within 2 s, whatever hangs


async def bounded_readiness(service) -> dict:
    """The checks at once, each cut at CHECK_SECONDS and then reported as not ready (a hung
    bucket or Redis names itself instead of holding the answer)."""
    import asyncio

    def one(name):
        return lambda: readiness(service, only=name)

    names = ["templates", "storage"] + (["redis"] if service.settings.redis_url else [])
    found = await asyncio.gather(*(asyncio.wait_for(asyncio.to_thread(one(name)), CHECK_SECONDS)
                                   for name in names), return_exceptions=True)
    checks = {}
    for name, result in zip(names, found):
        if isinstance(result, BaseException):
            what = (f"no answer within {CHECK_SECONDS:g} s"
                    if isinstance(result, (asyncio.TimeoutError, TimeoutError))
                    else f"{type(result).__name__}: {result}"[:200])
            checks[name] = {"ok": False, "error": what}
        else:
            checks.update(result)
    return checks


def readiness(service, only: str | None = None) -> dict:
    checks = {}
    if only in (None, "templates"):
        try:
            checks["templates"] = {"ok": True, "count": len(service.templates.ids())}
        except OSError as exc:
            checks["templates"] = {"ok": False, "error": str(exc)[:200]}
    if only in (None, "storage"):
        checks["storage"] = service.files.health(service.settings.min_free_bytes)
    if service.settings.redis_url and only in (None, "redis"):
        try:
            from svgrender.io.deps import redis_client

            redis_client(service.settings.redis_url, service.settings).ping()
            checks["redis"] = {"ok": True}
        except Exception as exc:  # any failure to answer is "not ready", with its reason
            checks["redis"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
    return checks


async def prometheus(request: Request) -> Response:
    body, content_type = await run_in_threadpool(metrics.exposition)
    return Response(body, media_type=content_type.split(";")[0],
                    headers={"Content-Type": content_type})
