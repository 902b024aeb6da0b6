"""Reading request bodies within their limits (413 before anything large is held)."""

from __future__ import annotations

import msgspec
from starlette.requests import Request

from svgrender.errors import BadRequest, BodyTooLarge, InvalidParam


async def read_limited(request: Request, limit: int, what: str = "request body") -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"{what} is {int(declared):,} bytes; the limit is {limit:,}")
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge(f"{what} is over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


SPOOL_IN_MEMORY = 1024 * 1024  # a larger body goes on to a temporary file


async def spool_limited(request: Request, limit: int, what: str = "request body"):
    """The body in a temporary file (the first MB in memory), read as it arrives, 413 past
    `limit`: a 30 MB batch is parsed as a stream instead of being held whole."""
    import tempfile

    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"{what} is {int(declared):,} bytes; the limit is {limit:,}")
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    try:
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise BodyTooLarge(f"{what} is over the limit of {limit:,} bytes")
            spool.write(chunk)  # past the first MB a temporary file's page cache: quick
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


async def read_json(request: Request, limit: int, kind: type, field: str):
    """A small JSON body decoded into `kind`: 413 over `limit`, 422 naming `field` when it does
    not match, 400 when it is not JSON."""
    body = await read_limited(request, limit)
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        raise InvalidParam(f"Invalid request: {exc}", field=field) from None
    except msgspec.DecodeError as exc:
        raise BadRequest(f"Malformed JSON body: {exc}") from None


async def read_svg_upload(request: Request, limit: int) -> tuple[bytes, str | None]:
    """The SVG of an upload: a raw body, or the `file` part of a multipart form."""
    name = request.query_params.get("name")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await read_limited(request, limit, "template upload"), name
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise BodyTooLarge(f"template upload is {int(declared):,} bytes; the limit is {limit:,}")
    async with request.form(max_files=1, max_fields=4, max_part_size=limit + 1) as form:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidParam("multipart upload needs a `file` part with the SVG", field="file")
        data = await upload.read(limit + 1)
        name = form.get("name") if isinstance(form.get("name"), str) else name
    if len(data) > limit:
        raise BodyTooLarge(f"template upload is over the limit of {limit:,} bytes")
    return data, name


def clean_name(name: str | None) -> str | None:
    """A display name: printable characters only (control characters and non-characters out)."""
    if name is None:
        return None
    kept = "".join(c for c in name if c.isprintable() and not 0xFDD0 <= ord(c) <= 0xFDEF
                   and (ord(c) & 0xFFFE) != 0xFFFE)
    return kept.strip()[:200] or None
