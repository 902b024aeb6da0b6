"""HTTP API (Starlette). DynaPictures' paths and field names, plus /v1 aliases."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import hmac
import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from . import pipeline
from .apply import check_params
from .errors import (BodyTooLarge, ImageNotFound, InvalidParam, NotFound, SvgRenderError,
                     Unauthorized)
from .fetch import ImageFetcher
from .fonts import add_font_dir, available_families
from .openapi import document as openapi_document
from .params import decode_request, properties_for
from .settings import Settings
from .storage import LocalStorage, Storage
from .svgxml import href
from .templates import Template, TemplateStore
from .errors import Overloaded
from .workers import Job, WorkerPool, encode_request

log = logging.getLogger("svgrender.app")

AUTH_MESSAGE = ("Valid API key is required. Add request header like "
                "Authorization: Bearer API_KEY")
RETRY_AFTER_SECONDS = 2


def layer_json(template: Template, layer) -> dict:
    x, y, w, h = layer.box
    out = {"type": layer.kind, "name": layer.name, "x": round(x, 2), "y": round(y, 2),
           "width": round(w, 2), "height": round(h, 2)}
    if layer.label:
        out["label"] = layer.label
    element = layer.element
    if layer.kind == "text":
        out["text"] = "".join(element.itertext()).strip()
    fill = element.get("fill")
    if fill and not fill.startswith("url("):
        out["color"] = fill
    link = href(element) if layer.kind == "image" else None
    if link and link.startswith(("http://", "https://")):
        out["imageUrl"] = link
    out["properties"] = properties_for(layer.kind)
    return out


def template_summary(template: Template) -> dict:
    out = {"id": template.id, "name": template.name, "width": template.width,
           "height": template.height, "layerCount": len(template.listed_layers())
           if not template.error else 0, "valid": template.error is None}
    if template.error:
        out["error"] = template.error
    return out


def create_app(settings: Settings | None = None, storage: Storage | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    add_font_dir(settings.fonts_dir)
    store = TemplateStore(settings.templates_dir, settings.max_template_bytes)
    storage = storage or LocalStorage(settings.storage_dir)
    keys = [k.encode() for k in settings.api_keys]
    fetcher = ImageFetcher(settings)
    state = {"in_flight": 0}

    def require_key(request: Request) -> None:
        if not keys:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        supplied = token.strip().encode()
        # Compare against every key, always, so timing says nothing about which one matched.
        ok = False
        for key in keys:
            ok |= hmac.compare_digest(hashlib.sha256(supplied).digest(),
                                      hashlib.sha256(key).digest())
        if scheme.lower() != "bearer" or not ok:
            raise Unauthorized(AUTH_MESSAGE)

    def base_url(request: Request) -> str:
        return settings.public_url or str(request.base_url)

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
            raise BodyTooLarge(f"request body is {int(declared):,} bytes; the limit is "
                               f"{settings.max_body_bytes:,}")
        chunks, total = [], 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > settings.max_body_bytes:
                raise BodyTooLarge(f"request body is over the limit of "
                                   f"{settings.max_body_bytes:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def render(request: Request) -> Response:
        require_key(request)
        template_id = request.path_params["template_id"]
        template = store.valid(template_id)  # 404 / 422 before reading a large body
        body = await read_body(request)
        render_request = decode_request(
            body or b"{}", max_text_chars=settings.max_text_chars,
            max_metadata_bytes=settings.max_metadata_bytes, max_params=settings.max_params,
            max_scale=settings.max_scale)
        if state["in_flight"] >= settings.max_in_flight:
            raise Overloaded("the renderer is busy; retry shortly")
        state["in_flight"] += 1
        try:
            check_params(template, render_request.params)
            images = await pipeline.load_images(render_request, fetcher, settings)
            key = pipeline.result_key(template, render_request, images)
            image_id = pipeline.new_image_id(storage)
            cached = pipeline.from_cache(key, storage, template, render_request, image_id,
                                         base_url(request))
            if cached is not None:
                answer, warnings = cached
            else:
                rendered = await draw(template, render_request, images, image_id)
                warnings = rendered.warnings
                answer = pipeline.store(rendered, storage, template, render_request, image_id,
                                        base_url(request), key)
        finally:
            state["in_flight"] -= 1
        headers = {"X-Svgrender-Warnings": "; ".join(warnings)[:2000]} if warnings else None
        return JSONResponse(answer, status_code=201, headers=headers)

    async def draw(template, render_request, images, image_id) -> pipeline.Rendered:
        """In worker processes when SVGRENDER_WORKERS > 0, else in a thread of this process."""
        pool = state.get("pool")
        if pool is None:
            return await run_in_threadpool(pipeline.render, template, render_request, settings,
                                           image_id, images)
        job = Job(template.id, str(template.path), template.stamp, encode_request(render_request),
                  {layer: image.data for layer, image in images.items()}, image_id)
        return await pool.render(job)

    async def list_templates(request: Request) -> Response:
        require_key(request)
        return JSONResponse([template_summary(t) for t in store.all()])

    async def show_template(request: Request) -> Response:
        require_key(request)
        template = store.valid(request.path_params["template_id"])
        body = template_summary(template)
        body["layers"] = [layer_json(template, layer) for layer in template.listed_layers()]
        return JSONResponse(body)

    async def read_template_body(request: Request) -> tuple[bytes, str | None]:
        """The SVG of an upload: a raw body, or the `file` part of a multipart form."""
        declared = request.headers.get("content-length")
        limit = settings.max_template_bytes
        if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
            raise BodyTooLarge(f"template upload is {int(declared):,} bytes; the limit is "
                               f"{limit:,}")
        name = request.query_params.get("name")
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            async with request.form(max_files=1, max_fields=4,
                                    max_part_size=limit + 1) as form:
                upload = form.get("file")
                if upload is None or isinstance(upload, str):
                    raise InvalidParam("multipart upload needs a `file` part with the SVG",
                                       field="file")
                data = await upload.read(limit + 1)
                name = form.get("name") if isinstance(form.get("name"), str) else name
        else:
            data = b"".join([chunk async for chunk in _limited(request, limit + 1)])
        if len(data) > limit:
            raise BodyTooLarge(f"template upload is over the limit of {limit:,} bytes")
        return data, name

    async def upload_template(request: Request) -> Response:
        require_key(request)
        template_id = request.path_params.get("template_id") or secrets.token_hex(5)
        if "template_id" in request.path_params:
            store.check_id(template_id)
        data, name = await read_template_body(request)
        template, clean = await run_in_threadpool(store.save, template_id, data, name)
        body = template_summary(template)
        body["removed"] = template.removed
        return JSONResponse(body, status_code=201 if request.method == "POST" else 200)

    async def delete_template(request: Request) -> Response:
        require_key(request)
        store.delete(request.path_params["template_id"])
        return Response(status_code=204)

    async def get_image(request: Request) -> Response:
        require_key(request)
        record = storage.get_record(request.path_params["image_id"])
        if record is None:
            raise ImageNotFound(f"Image {request.path_params['image_id'][:40]!r} not found")
        return JSONResponse(record["answer"])

    async def delete_image(request: Request) -> Response:
        require_key(request)
        image_id = request.path_params["image_id"]
        record = storage.get_record(image_id)
        if record is None:
            raise ImageNotFound(f"Image {image_id[:40]!r} not found")
        for name in record["files"]:
            storage.delete(name)
        storage.delete_record(image_id)
        return Response(status_code=204)

    async def serve_file(request: Request) -> Response:
        name = request.path_params["file_name"]
        path = storage.path(name)
        if path is None:
            raise NotFound(f"File {name[:80]!r} not found", code="file_not_found")
        headers = {"Cache-Control": "public, max-age=31536000, immutable",
                   "X-Content-Type-Options": "nosniff"}
        if name.endswith(".svg"):
            headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        return FileResponse(path, headers=headers, media_type=_media_type(name))

    async def fonts(request: Request) -> Response:
        require_key(request)
        return JSONResponse({"families": list(available_families())})

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(secured=bool(keys)))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def on_error(request: Request, exc: SvgRenderError) -> Response:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if exc.status == 503 else None
        return JSONResponse(exc.to_json(), status_code=exc.status, headers=headers)

    async def on_http_error(request: Request, exc: HTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"message": str(exc.detail), "code": code},
                            status_code=exc.status_code, headers=exc.headers)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"message": "internal error; it has been logged", "code": "internal"},
                            status_code=500)

    routes = [
        Route("/healthz", healthz),
        Route("/openapi.json", openapi),
        Route("/designs/{template_id}", render, methods=["POST"]),
        Route("/v1/templates/{template_id}/images", render, methods=["POST"]),
        Route("/templates", by_method(GET=list_templates, POST=upload_template),
              methods=["GET", "POST"]),
        Route("/v1/templates", list_templates),
        Route("/templates/{template_id}", by_method(GET=show_template, PUT=upload_template,
                                                    DELETE=delete_template),
              methods=["GET", "PUT", "DELETE"]),
        Route("/v1/templates/{template_id}", show_template),
        Route("/images/{image_id}", by_method(GET=get_image, DELETE=delete_image),
              methods=["GET", "DELETE"]),
        Route("/v1/images/{image_id}", by_method(GET=get_image, DELETE=delete_image),
              methods=["GET", "DELETE"]),
        Route("/v1/fonts", fonts),
        Route("/files/{file_name}", serve_file),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        if settings.workers > 0:
            state["pool"] = WorkerPool(settings, settings.workers)
            await state["pool"].start()
        try:
            yield
        finally:
            if state.get("pool") is not None:
                await state.pop("pool").stop()

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        SvgRenderError: on_error, HTTPException: on_http_error, Exception: on_unexpected})
    app.state.settings, app.state.store, app.state.storage = settings, store, storage
    app.state.fetcher = fetcher
    app.state.render_state = state
    return app


def by_method(**handlers):
    """One route, several methods: so a 405 lists every method the path supports."""
    async def endpoint(request: Request) -> Response:
        handler = handlers.get(request.method) or (
            handlers.get("GET") if request.method == "HEAD" else None)
        return await handler(request)
    return endpoint


async def _limited(request: Request, limit: int):
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        yield chunk
        if total > limit:
            return


def _media_type(name: str) -> str:
    from .encode import CONTENT_TYPES
    return CONTENT_TYPES.get(Path(name).suffix.lstrip("."), "application/octet-stream")
