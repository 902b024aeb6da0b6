"""Batch rows from a spreadsheet (CSV) or a JSON list: each row becomes a render body.

CSV: a header row of `layer.property` columns (`title.text`, `canvas.backgroundColor`,
`photo.imageUrl`…) plus optional `format`, `scale`, `metadata`, `fileName`; an empty cell leaves
the property unset. JSON: a list of render bodies (each may add `fileName`), or
`{"rows": [...], "format"?, "webhookUrl"?, "pdf"?}`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import BinaryIO, Callable

import msgspec

from svgrender.errors import BadRequest, InvalidParam, SvgRenderError
from svgrender.properties import PROPERTIES
from svgrender.params import LayerParam, RenderRequest, params_from_pairs

ROW_FIELDS = ("format", "scale", "metadata", "fileName")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Row:
    number: int  # 1 = the first data row
    body: bytes  # a render request, JSON: what POST /designs would get
    file_name: str | None = None
    error: dict | None = None  # the row cannot be rendered: {message, code, layer?, field?}
    checked: bool = False  # checked against the template already (JobManager.row_checker)


class JsonRow(msgspec.Struct, forbid_unknown_fields=True):
    params: list[LayerParam] = []
    format: str | None = None
    metadata: str | None = None
    scale: float = 1.0
    fileName: str | None = None


class JsonBatch(msgspec.Struct, forbid_unknown_fields=True):
    rows: list[JsonRow]
    format: str | None = None
    webhookUrl: str | None = None
    pdf: str | None = None


@dataclass
class BatchInput:
    rows: list[Row]
    webhook_url: str | None = None
    pdf: str | None = None


def clean_file_name(name: str | None) -> str | None:
    """A zip entry name from a user's fileName: no paths, no odd characters."""
    if not name:
        return None
    stem = SAFE_NAME.sub("-", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(".-")
    return stem[:100] or None


def _encode(request: RenderRequest) -> bytes:
    return msgspec.json.encode(request)


def rows_from_csv(data: bytes | BinaryIO, default_format: str | None, max_rows: int,
                  has_layer=None, check: Callable[[RenderRequest], RenderRequest] | None = None,
                  cap: int = 0) -> list[Row]:
    """Rows of a CSV read as a stream (bytes, or a binary file such as the spooled body):
    each row is converted, checked by `check` (a bad row fails alone, with its number) and
    encoded as it is read, so only the small encoded rows are held, never the whole text.

    `has_layer(name)`: whether the template has that layer (a bad column fails the batch).
    `cap`: SVGRENDER_MAX_QUEUED_ROWS_PER_KEY; a CSV with more rows to render is refused as
    soon as the row past it is read (the queue's own check counts what is already waiting)."""
    stream = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    reader = csv.reader(_utf8_lines(stream))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InvalidParam("the CSV has no header row", field="body", code="invalid_csv") from None
    header = [column.strip() for column in header]
    check_header(header, has_layer)
    rows, good = [], 0
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, as spreadsheets export them
            if number > max_rows:
                raise InvalidParam(f"more than {max_rows:,} rows (SVGRENDER_MAX_BATCH_ROWS)",
                                   field="body", code="too_many_rows")
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                raise InvalidParam(f"CSV line {reader.line_num}: {len(cells)} cells, but the "
                                   f"header has {len(header)} columns (a comma not in quotes?)",
                                   field="body", code="invalid_csv")
            row = _csv_row(number, dict(zip(header, cells)), default_format, check)
            rows.append(row)
            good += row.error is None
            if cap and good > cap:
                raise InvalidParam(f"this batch has more than {cap:,} rows to render (row "
                                   f"{number:,} is one too many); one key may have at most "
                                   f"{cap:,} queued (SVGRENDER_MAX_QUEUED_ROWS_PER_KEY): split it",
                                   field="rows", code="too_many_queued_rows")
    except csv.Error as exc:
        raise InvalidParam(f"CSV line {reader.line_num}: {exc}", field="body",
                           code="invalid_csv") from None
    return rows


def _utf8_lines(stream: BinaryIO):
    """The file's lines as text, one at a time; a line that is not UTF-8 is a 400 naming it."""
    for number, line in enumerate(stream, start=1):
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise BadRequest(f"the CSV is not UTF-8 (line {number})", field="body",
                             code="invalid_csv") from None


def check_header(header: list[str], has_layer) -> None:
    for column in header:
        if column not in ROW_FIELDS and "." not in column:
            raise InvalidParam(f"CSV column {column[:60]!r} is neither layer.property nor one of "
                               f"{', '.join(ROW_FIELDS)}", field=column[:60],
                               code="invalid_csv")
    known = {p.name for p in PROPERTIES}
    for column in header:
        layer, _, prop = column.rpartition(".")
        if column not in ROW_FIELDS and prop not in known:
            raise InvalidParam(f"CSV column {column[:60]!r}: {prop[:40]!r} is not a layer "
                               "property", field=column[:60], code="invalid_csv")
        if column not in ROW_FIELDS and has_layer is not None and not has_layer(layer):
            raise InvalidParam(f"CSV column {column[:60]!r}: the template has no layer "
                               f"{layer[:60]!r}", layer=layer[:60], field=column[:60],
                               code="unknown_layer")
    if len(set(header)) != len(header):
        raise InvalidParam("a CSV column is repeated", field="body", code="invalid_csv")


def _csv_row(number: int, cells: dict[str, str], default_format: str | None,
             check: Callable[[RenderRequest], RenderRequest] | None = None) -> Row:
    file_name = clean_file_name(cells.get("fileName"))
    try:
        params = params_from_pairs([(k, v) for k, v in cells.items()
                                    if k not in ROW_FIELDS and v != ""])
        scale = float(cells["scale"]) if cells.get("scale") else 1.0
    except InvalidParam as exc:
        return Row(number, b"{}", file_name, exc.to_json())
    except ValueError:
        return Row(number, b"{}", file_name, InvalidParam(
            f"scale must be a number, got {cells['scale'][:20]!r}", field="scale").to_json())
    request = RenderRequest(params=params, format=cells.get("format") or default_format or "jpeg",
                            metadata=cells.get("metadata") or None, scale=scale)
    if check is not None:
        try:
            request = check(request)
        except SvgRenderError as exc:
            return Row(number, b"{}", file_name, exc.to_json(), checked=True)
    return Row(number, _encode(request), file_name, checked=check is not None)


def rows_from_json(data: bytes, max_rows: int) -> BatchInput:
    try:
        value = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise BadRequest(f"Malformed JSON body: {exc}"[:300]) from None
    if isinstance(value, list):
        value = {"rows": value}
    try:
        batch = msgspec.convert(value, JsonBatch)
    except msgspec.ValidationError as exc:
        raise InvalidParam(f"Invalid batch: {exc}"[:300], field="rows") from None
    if len(batch.rows) > max_rows:
        raise InvalidParam(f"more than {max_rows:,} rows (SVGRENDER_MAX_BATCH_ROWS)",
                           field="rows", code="too_many_rows")
    rows = []
    for number, item in enumerate(batch.rows, start=1):
        request = RenderRequest(params=item.params, metadata=item.metadata, scale=item.scale,
                                format=item.format or batch.format or "jpeg")
        rows.append(Row(number, _encode(request), clean_file_name(item.fileName)))
    return BatchInput(rows, batch.webhookUrl, batch.pdf)



# A batch over a template set (POST /sets/{id}/batches): the batch is stored under
# SET_PREFIX + set id, and each row's body names the member it is for, so both job engines carry
# it unchanged (one row per data row × member).
SET_PREFIX = "set:"


class MemberRow(msgspec.Struct, forbid_unknown_fields=True):
    member: str
    request: msgspec.Raw
    version: str | None = None  # the member's version the row was checked with


def member_body(template_id: str, body: bytes, version: str | None = None) -> bytes:
    return msgspec.json.encode(MemberRow(template_id, msgspec.Raw(body), version))


def row_target(template_id: str, body: bytes, version: str | None = None
               ) -> tuple[str, bytes, str | None]:
    """The template, render body and template version a stored row is for (a set row names
    its member and the member's version; the batch's version is the members' joined)."""
    if not template_id.startswith(SET_PREFIX):
        return template_id, body, version
    row = msgspec.json.decode(body, type=MemberRow)
    return row.member, bytes(row.request), row.version
