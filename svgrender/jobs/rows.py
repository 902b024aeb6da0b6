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

import msgspec

from svgrender.properties import PROPERTIES
from svgrender.errors import BadRequest, InvalidParam
from svgrender.params import LayerParam, RenderRequest, params_from_pairs

ROW_FIELDS = ("format", "scale", "metadata", "fileName")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Row:
    number: int  # 1 = the first data row
    body: bytes  # a render request, JSON: what POST /designs would get
    file_name: str | None = None
    error: dict | None = None  # the row cannot be rendered: {message, code, layer?, field?}


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


def rows_from_csv(data: bytes, default_format: str | None, max_rows: int,
                  has_layer=None) -> list[Row]:
    """`has_layer(name)`: whether the template has that layer (a bad column fails the batch)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("the CSV is not UTF-8", field="body", code="invalid_csv") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InvalidParam("the CSV has no header row", field="body", code="invalid_csv") from None
    header = [column.strip() for column in header]
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
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, as spreadsheets export them
            if number > max_rows:
                raise InvalidParam(f"more than {max_rows:,} rows (SVGRENDER_MAX_BATCH_ROWS)",
                                   field="body", code="too_many_rows")
            rows.append(_csv_row(number, dict(zip(header, cells)), default_format))
    except csv.Error as exc:
        raise InvalidParam(f"CSV line {reader.line_num}: {exc}", field="body",
                           code="invalid_csv") from None
    return rows


def _csv_row(number: int, cells: dict[str, str], default_format: str | None) -> Row:
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
    return Row(number, _encode(request), file_name)


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

