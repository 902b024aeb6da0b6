"""What the client sends and reads: the server's own msgspec structs, and a few more for answers
the server builds as plain dicts. Answers are decoded leniently: a field the server adds later
is ignored, never an error (msgspec Structs ignore unknown fields unless told otherwise)."""

from __future__ import annotations

import msgspec

from svgrender.api.openapi import Answer, Error, Layer, Links, TemplateDetail, TemplateSummary
from svgrender.properties import Box
from svgrender.errors import SvgRenderError
from svgrender.jobs.rows import JsonRow
from svgrender.params import LayerParam, RenderRequest

__all__ = ["Answer", "ApiError", "BatchStatus", "Box", "Error", "Finding", "JsonRow", "Layer",
           "LayerParam", "Links", "Pending", "Rendered", "RenderRequest", "Template",
           "TemplateDetail", "TemplateInfo", "TemplateSummary"]


class ApiError(SvgRenderError):
    """Every error the client raises: the server's `{message, code, layer?, field?}` and the
    HTTP status (0 when no answer came: a connection error, a wait that timed out)."""

    def __init__(self, message: str, *, code: str = "http_error", layer: str | None = None,
                 field: str | None = None, status: int = 0):
        super().__init__(message, layer=layer, field=field, code=code)
        self.status = status

    @classmethod
    def from_json(cls, body: object, status: int) -> "ApiError":
        if not isinstance(body, dict) or "message" not in body:
            return cls(f"HTTP {status}: {str(body)[:200]}", status=status)
        return cls(str(body["message"]), code=str(body.get("code") or "http_error"),
                   layer=body.get("layer"), field=body.get("field"), status=status)

    def __str__(self) -> str:
        where = ", ".join(f"{k} {v}" for k, v in (("layer", self.layer), ("field", self.field))
                          if v is not None)
        return f"{self.code}{f' ({where})' if where else ''}: {self.message}"


class Rendered(Answer, kw_only=True):
    """A finished render: the nine fields, plus what the server adds beside them."""

    warnings: list[str] = []
    layout: dict | None = None


class RenderedVariant(Rendered, kw_only=True):
    """One image of a request with variants, with its key (a language, say)."""

    key: str = ""


class Variants(msgspec.Struct, kw_only=True):
    """The answer to a request with variants: one finished render each, in order."""

    templateId: str
    variants: list[RenderedVariant]

    def __getitem__(self, key: str) -> RenderedVariant:
        return next(v for v in self.variants if v.key == key)


class RenderedMember(Rendered, kw_only=True):
    """One member of a set render, with the request's layers it does not have."""

    skipped: list[str] = []


class SetImages(msgspec.Struct, kw_only=True):
    """The answer to a set render: one finished render per member template, in order."""

    setId: str
    images: list[RenderedMember]

    def __getitem__(self, template_id: str) -> RenderedMember:
        return next(m for m in self.images if m.templateId == template_id)


class Pending(msgspec.Struct, kw_only=True):
    """An async render that has not finished (`state`: queued, running, failed)."""

    id: str
    templateId: str | None = None
    state: str
    statusUrl: str | None = None
    error: dict | None = None


class Template(TemplateSummary, kw_only=True):
    version: str | None = None


class Finding(msgspec.Struct):
    code: str
    message: str
    fix: str = ""


class TemplateInfo(TemplateDetail, kw_only=True):
    """GET /templates/{id} (and the answer to an upload or a layer naming)."""

    version: str | None = None
    findings: list[Finding] = []
    unnamed: list[dict] = []
    removed: list[str] = []


class BatchStatus(msgspec.Struct, kw_only=True):
    id: str
    templateId: str
    state: str
    total: int
    done: int = 0
    failed: int = 0
    cancelled: int = 0
    queued: int = 0
    running: int = 0
    rowsPerSecond: float = 0.0
    etaSeconds: float | None = None
    errors: list[dict] = []
    statusUrl: str | None = None
    zipUrl: str | None = None
    pdfUrl: str | None = None
    templateVersion: str | None = None
    webhook: dict | None = None

    @property
    def finished(self) -> bool:
        """No row is left to run (finished, or cancelled)."""
        return self.state != "running"
