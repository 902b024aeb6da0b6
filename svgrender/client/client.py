"""`Client` and `AsyncClient`: the HTTP API from Python, on httpx.

Every method is written once, in `_Api`, as a `Call` (method, path, body, how to read the
answer); `Client._send` runs it and returns the result, `AsyncClient._send` returns an awaitable
of it. Only the loops that wait (`wait`, `progress`) are written twice.

    client = Client("http://127.0.0.1:9333", key="…")
    card = client.render("social-card", {"title": {"text": "Hello"}}, format="png")
    png = client.file(card.imageUrl)
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec

from svgrender.client.types import (ApiError, BatchStatus, Links, Pending, Rendered,
                                    RenderRequest, SetImages, Template, TemplateInfo,
                                    Variants)
from svgrender.formats import lookup
from svgrender.links import link_urls
from svgrender.params import LayerParam

DEFAULT_URL = "http://127.0.0.1:9333"
RETRY_STATUSES = (429, 503)  # answered with Retry-After: the request may simply be sent again

# Params: a list of LayerParam / {"name", …} dicts, or {layer: {property: value}}.
Params = Sequence[LayerParam | Mapping[str, Any]] | Mapping[str, Mapping[str, Any]] | None
# Batch rows: CSV text or bytes, a .csv / .json file, or a list of render bodies or flat
# {"layer.property": value, "fileName": …} rows.
Rows = str | bytes | Path | Sequence[Mapping[str, Any] | RenderRequest]


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    content_type: str | None = None
    read: Callable[[httpx.Response], Any] = lambda response: None


def _json(kind: Any) -> Callable[[httpx.Response], Any]:
    return lambda response: msgspec.json.decode(response.content, type=kind)


def _rendered_or_pending(response: httpx.Response) -> Rendered | Pending:
    body = msgspec.json.decode(response.content)
    kind = Rendered if isinstance(body, dict) and "imageUrl" in body else Pending
    return msgspec.convert(body, kind)


def layer_params(params: Params) -> list[LayerParam | Mapping[str, Any]]:
    """Params as the list a render body carries (sent as given: the server validates them)."""
    if not params:
        return []
    if isinstance(params, Mapping):
        return [{"name": name, **props} for name, props in params.items()]
    return list(params)


def render_body(params: Params = None, *, format: str | None = None, scale: float | None = None,
                metadata: str | None = None, **extra: Any) -> dict[str, Any]:
    """A render request with only the fields given (DynaPictures clients send `params` only)."""
    body: dict[str, Any] = {"params": layer_params(params)}
    for name, value in (("format", format), ("scale", scale), ("metadata", metadata),
                        *extra.items()):
        if value is not None:
            body[name] = value
    return body


def _file_name(url_or_name: str) -> str:
    """`/files/{name}` from a full file URL (local or a bucket's public URL) or a bare name."""
    return url_or_name.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _csv(rows: Sequence[Mapping[str, Any]]) -> bytes:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue().encode()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class _Api:
    """The methods, written once. `_send(call)` is a result (Client) or an awaitable (AsyncClient)."""

    base_url: str
    link_key: str | None

    def _send(self, call: Call) -> Any:  # pragma: no cover - each client defines it
        raise NotImplementedError

    # --- templates ---------------------------------------------------------------------

    def templates(self) -> list[Template]:
        """Every template: id, name, size, layer count, valid (with the reason when not)."""
        return self._send(Call("GET", "/templates", read=_json(list[Template])))

    def template(self, template_id: str) -> TemplateInfo:
        """One template's layers (kind, box, properties…), findings and unnamed elements."""
        return self._send(Call("GET", f"/templates/{template_id}", read=_json(TemplateInfo)))

    def template_json(self, template_id: str) -> dict:
        """GET /templates/{id} as the server wrote it (every field, including newer ones)."""
        return self._send(Call("GET", f"/templates/{template_id}",
                               read=lambda r: msgspec.json.decode(r.content)))

    def upload_template(self, svg: bytes | str | Path, *, template_id: str | None = None,
                        name: str | None = None) -> TemplateInfo:
        """Upload an SVG (a new id is chosen), or replace `template_id`. Needs an admin key."""
        data = svg.read_bytes() if isinstance(svg, Path) else (
            svg.encode() if isinstance(svg, str) else svg)
        query = {"name": name} if name else {}
        if template_id:
            return self._send(Call("PUT", f"/templates/{template_id}", query, data,
                                   "image/svg+xml", _json(TemplateInfo)))
        return self._send(Call("POST", "/templates", query, data, "image/svg+xml",
                               _json(TemplateInfo)))

    def name_layer(self, template_id: str, path: str, name: str) -> TemplateInfo:
        """Make an unnamed element (its `path` from `template().unnamed`) a layer."""
        return self._send(Call("POST", f"/templates/{template_id}/layers", body=msgspec.json.encode(
            {"path": path, "name": name}), content_type="application/json",
            read=_json(TemplateInfo)))

    def delete_template(self, template_id: str) -> None:
        return self._send(Call("DELETE", f"/templates/{template_id}"))

    # --- renders -----------------------------------------------------------------------

    def render(self, template_id: str, params: Params = None, *, format: str | None = None,
               scale: float | None = None, metadata: str | None = None) -> Rendered:
        """Render and store; answers the nine fields (plus warnings, layout)."""
        body = msgspec.json.encode(render_body(params, format=format, scale=scale,
                                               metadata=metadata))
        return self._send(Call("POST", f"/designs/{template_id}", body=body,
                               content_type="application/json", read=_json(Rendered)))

    def render_request(self, template_id: str, request: RenderRequest) -> Rendered:
        """Render a `RenderRequest` (the server's own struct) as it is."""
        return self._send(Call("POST", f"/designs/{template_id}", body=msgspec.json.encode(
            request), content_type="application/json", read=_json(Rendered)))

    def render_variants(self, template_id: str, variants: Mapping[str, Params],
                        params: Params = None, *, format: str | None = None,
                        scale: float | None = None) -> Variants:
        """One image per variant ({key: params}, laid over the shared `params`), each with
        its fit report: `client.render_variants("card", {"de": {"title": {"text": …}}})["de"]`."""
        body = render_body(params, format=format, scale=scale)
        body["variants"] = [{"key": key, "params": layer_params(own)}
                            for key, own in variants.items()]
        return self._send(Call("POST", f"/designs/{template_id}", body=msgspec.json.encode(body),
                               content_type="application/json", read=_json(Variants)))

    def render_pages(self, template_id: str, pages: Sequence[Params], params: Params = None, *,
                     metadata: str | None = None) -> Rendered:
        """One multi-page PDF: a page per entry of `pages`, laid over the shared `params`."""
        body = render_body(params, format="pdf", metadata=metadata)
        body["pages"] = [{"params": layer_params(page)} for page in pages]
        return self._send(Call("POST", f"/designs/{template_id}", body=msgspec.json.encode(body),
                               content_type="application/json", read=_json(Rendered)))

    def render_animation(self, template_id: str, frames: Sequence[tuple[Params, int]],
                         params: Params = None, *, format: str = "gif",
                         scale: float | None = None) -> Rendered:
        """One animation (gif, webp, apng, mp4): a frame per (params, durationMs) of `frames`,
        laid over the shared `params`; the thumbnails are frame 1 as PNG."""
        body = render_body(params, format=format, scale=scale)
        body["frames"] = [{"params": layer_params(own), "durationMs": ms} for own, ms in frames]
        return self._send(Call("POST", f"/designs/{template_id}", body=msgspec.json.encode(body),
                               content_type="application/json", read=_json(Rendered)))

    def render_set(self, set_id: str, params: Params = None, *, format: str | None = None,
                   scale: float | None = None, metadata: str | None = None) -> SetImages:
        """Every template of a set rendered with the same params (templates/sets.json);
        `answer["instagram-post"].skipped` names the layers that member does not have."""
        body = msgspec.json.encode(render_body(params, format=format, scale=scale,
                                               metadata=metadata))
        return self._send(Call("POST", f"/sets/{set_id}/images", body=body,
                               content_type="application/json", read=_json(SetImages)))

    def render_async(self, template_id: str, params: Params = None, *,
                     format: str | None = None, scale: float | None = None,
                     metadata: str | None = None, webhook_url: str | None = None) -> Pending:
        """Queue a render (202 at once); follow it with `image()` or `wait()`."""
        body = msgspec.json.encode(render_body(params, format=format, scale=scale,
                                               metadata=metadata, webhookUrl=webhook_url))
        return self._send(Call("POST", f"/designs/{template_id}", {"async": "1"}, body,
                               "application/json", _json(Pending)))

    def image(self, image_id: str) -> Rendered | Pending:
        """A render's answer again, or its state while it is queued or running."""
        return self._send(Call("GET", f"/images/{image_id}", read=_rendered_or_pending))

    def delete_image(self, image_id: str) -> None:
        return self._send(Call("DELETE", f"/images/{image_id}"))

    def file(self, url_or_name: str) -> bytes:
        """The bytes of a stored file, by its URL (imageUrl, thumbnailUrl…) or file name."""
        return self._send(Call("GET", f"/files/{_file_name(url_or_name)}",
                               read=lambda r: r.content))

    def fonts(self) -> list[str]:
        return self._send(Call("GET", "/v1/fonts", read=lambda r: r.json()["families"]))

    # --- links -------------------------------------------------------------------------

    def link(self, template_id: str, params: Params = None, *, format: str = "png",
             scale: float | None = None, pin: bool = False) -> Links:
        """Signed render links made by the server (checked against the template)."""
        body = msgspec.json.encode(render_body(params, format=format, scale=scale))
        return self._send(Call("POST", f"/links/{template_id}", {"pin": "1"} if pin else {},
                               body, "application/json", _json(Links)))

    def sign_link(self, template_id: str, params: Params = None, *, format: str = "png",
                  scale: float = 1.0, version: str | None = None,
                  key: str | None = None) -> dict[str, str]:
        """The same signed URLs, made here with the link key (nothing is sent). The params
        are not checked against the template: `link()` does that."""
        key = key or self.link_key
        if not key:
            raise ApiError("no link key: pass link_key= to the client (the server's first "
                           "SVGRENDER_LINK_KEYS key)", code="links_disabled")
        fmt = lookup(format)
        if fmt is None:
            raise ApiError(f"unknown format {format!r}", code="invalid_format", field="format")
        try:
            layers = msgspec.convert(layer_params(params), list[LayerParam])
        except msgspec.ValidationError as exc:
            raise ApiError(f"Invalid params: {exc}", code="invalid_param",
                           field="params") from None
        request = RenderRequest(params=layers, format=fmt.name, scale=float(scale))
        return link_urls(self.base_url, key, template_id, request, version)

    # --- batches -----------------------------------------------------------------------

    def submit_batch(self, template_id: str, rows: Rows, *, format: str | None = None,
                     pdf: bool = False, webhook_url: str | None = None) -> BatchStatus:
        """Start a batch: CSV (text, bytes or a .csv file), a .json file, or a list of rows."""
        if isinstance(rows, Path):
            rows = rows.read_bytes() if rows.suffix.lower() != ".json" else msgspec.json.decode(
                rows.read_bytes())
        if isinstance(rows, str):
            rows = rows.encode()
        if not isinstance(rows, bytes) and rows and all(
                isinstance(r, Mapping) and "params" not in r for r in rows):
            rows = _csv(rows)  # flat {"layer.property": value} rows
        if isinstance(rows, bytes):
            query = {k: v for k, v in (("format", format), ("webhookUrl", webhook_url),
                                       ("pdf", "combined" if pdf else None)) if v}
            return self._send(Call("POST", f"/batches/{template_id}", query, rows, "text/csv",
                                   _json(BatchStatus)))
        body: dict[str, Any] = {"rows": list(rows)}
        for name, value in (("format", format), ("webhookUrl", webhook_url),
                            ("pdf", "combined" if pdf else None)):
            if value:
                body[name] = value
        return self._send(Call("POST", f"/batches/{template_id}", body=msgspec.json.encode(body),
                               content_type="application/json", read=_json(BatchStatus)))

    def batch(self, batch_id: str) -> BatchStatus:
        return self._send(Call("GET", f"/batches/{batch_id}", read=_json(BatchStatus)))

    def cancel_batch(self, batch_id: str) -> BatchStatus:
        """Cancel the rows that have not started."""
        return self._send(Call("DELETE", f"/batches/{batch_id}", read=_json(BatchStatus)))

    def batch_zip(self, batch_id: str) -> bytes:
        """The finished rows' images in one zip, in row order."""
        return self._send(Call("GET", f"/batches/{batch_id}/zip", read=lambda r: r.content))

    def batch_pdf(self, batch_id: str) -> bytes:
        """One combined PDF (a batch submitted with pdf=True)."""
        return self._send(Call("GET", f"/batches/{batch_id}/pdf", read=lambda r: r.content))


def _error(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return ApiError.from_json(body, response.status_code)


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(float(response.headers.get("retry-after", "1")), 10.0)
    except ValueError:
        return 1.0


def _headers(key: str | None) -> dict[str, str]:
    headers = {"User-Agent": "svgrender-python"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return headers


def _failed(pending: Pending) -> ApiError:
    error = pending.error or {}
    return ApiError.from_json(error if error else {"message": "the render failed",
                                                   "code": "render_failed"}, 0)


class Client(_Api):
    """The HTTP API, blocking. Use as a context manager, or call `close()`."""

    def __init__(self, base_url: str = DEFAULT_URL, key: str | None = None, *,
                 link_key: str | None = None, timeout: float = 60.0, retries: int = 2,
                 transport: httpx.BaseTransport | None = None):
        self.base_url, self.link_key, self.retries = base_url.rstrip("/"), link_key, retries
        self.http = httpx.Client(base_url=self.base_url, headers=_headers(key), timeout=timeout,
                                 transport=transport)

    def _send(self, call: Call) -> Any:
        for attempt in range(self.retries + 1):
            try:
                response = self.http.request(call.method, call.path, params=call.query or None,
                                             content=call.body, headers={
                                                 "Content-Type": call.content_type}
                                             if call.content_type else None)
            except httpx.HTTPError as exc:
                raise ApiError(f"{type(exc).__name__}: {exc}", code="connection_error") from exc
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                time.sleep(_retry_after(response))
                continue
            if response.status_code >= 400:
                raise _error(response)
            return call.read(response)

    def wait(self, image: str | Pending | Rendered, *, timeout: float = 120.0,
             interval: float = 0.25) -> Rendered:
        """Poll an async render until it is done; raise its error if it failed."""
        if isinstance(image, Rendered):
            return image
        image_id = image if isinstance(image, str) else image.id
        deadline = time.monotonic() + timeout
        while True:
            answer = self.image(image_id)
            if isinstance(answer, Rendered):
                return answer
            if answer.state in ("failed", "cancelled"):
                raise _failed(answer)
            if time.monotonic() > deadline:
                raise ApiError(f"render {image_id} is still {answer.state} after {timeout:g} s",
                               code="wait_timeout")
            time.sleep(interval)

    def progress(self, batch_id: str, *, interval: float = 0.5,
                 timeout: float | None = None) -> Iterator[BatchStatus]:
        """The batch's status, again and again until no row is left (the last one included)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.batch(batch_id)
            yield status
            if status.finished:
                return
            if deadline is not None and time.monotonic() > deadline:
                raise ApiError(f"batch {batch_id} is still running after {timeout:g} s",
                               code="wait_timeout")
            time.sleep(interval)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class AsyncClient(_Api):
    """The same methods as `Client`, each awaited (`await client.render(…)`)."""

    def __init__(self, base_url: str = DEFAULT_URL, key: str | None = None, *,
                 link_key: str | None = None, timeout: float = 60.0, retries: int = 2,
                 transport: httpx.AsyncBaseTransport | None = None):
        self.base_url, self.link_key, self.retries = base_url.rstrip("/"), link_key, retries
        self.http = httpx.AsyncClient(base_url=self.base_url, headers=_headers(key),
                                      timeout=timeout, transport=transport)

    async def _send(self, call: Call) -> Any:
        for attempt in range(self.retries + 1):
            try:
                response = await self.http.request(
                    call.method, call.path, params=call.query or None, content=call.body,
                    headers={"Content-Type": call.content_type} if call.content_type else None)
            except httpx.HTTPError as exc:
                raise ApiError(f"{type(exc).__name__}: {exc}", code="connection_error") from exc
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                await asyncio.sleep(_retry_after(response))
                continue
            if response.status_code >= 400:
                raise _error(response)
            return call.read(response)

    async def wait(self, image: str | Pending | Rendered, *, timeout: float = 120.0,
                   interval: float = 0.25) -> Rendered:
        if isinstance(image, Rendered):
            return image
        image_id = image if isinstance(image, str) else image.id
        deadline = time.monotonic() + timeout
        while True:
            answer = await self.image(image_id)
            if isinstance(answer, Rendered):
                return answer
            if answer.state in ("failed", "cancelled"):
                raise _failed(answer)
            if time.monotonic() > deadline:
                raise ApiError(f"render {image_id} is still {answer.state} after {timeout:g} s",
                               code="wait_timeout")
            await asyncio.sleep(interval)

    async def progress(self, batch_id: str, *, interval: float = 0.5,
                       timeout: float | None = None) -> AsyncIterator[BatchStatus]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = await self.batch(batch_id)
            yield status
            if status.finished:
                return
            if deadline is not None and time.monotonic() > deadline:
                raise ApiError(f"batch {batch_id} is still running after {timeout:g} s",
                               code="wait_timeout")
            await asyncio.sleep(interval)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()
