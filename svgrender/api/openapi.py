"""OpenAPI 3.1 description of the HTTP API, generated from the msgspec types it validates with
(so the document cannot drift from what the server accepts), for the routes of api/routes.py
(so no route goes undocumented)."""

from __future__ import annotations

import copy
import re
from typing import Literal

import msgspec

from svgrender.api.auth import ADMIN, PUBLIC
from svgrender.api.operations import errors
from svgrender.formats import BY_NAME
from svgrender.params import RenderRequest


class Fit(msgspec.Struct, omit_defaults=True):
    """How a changed text was fitted, or where a smart crop was centred (the answer's `layout`,
    by layer name): text layers have lines, fontSize, scale and cut; cropped image layers
    imageFocus ("x,y" fractions of the picture) and imageFocusSource."""
    lines: int | None = None
    fontSize: float | None = None
    scale: float | None = None
    cut: bool | None = None
    overlaps: list[str] = []
    imageFocus: str | None = None
    imageFocusSource: Literal["face", "attention", "given"] | None = None


class Answer(msgspec.Struct, omit_defaults=True):
    id: str
    templateId: str
    imageUrl: str
    thumbnailUrl: str
    retinaThumbnailUrl: str
    fileName: str
    metadata: str | None
    width: int
    height: int
    warnings: list[str] = []
    layout: dict[str, Fit] = {}


class VariantAnswer(Answer):
    key: str = ""


class VariantsAnswer(msgspec.Struct):
    """The answer to a request with `variants`: one image (nine fields + fit report) each."""
    templateId: str
    variants: list[VariantAnswer]


class SetMemberAnswer(Answer):
    """One member of a set render: its nine fields, fit report, and the layers of the request
    it does not have (skipped there, not an error)."""
    skipped: list[str] = []


class SetMemberVariants(msgspec.Struct):
    """One member of a set render with `variants`: an image per variant, and the layers of the
    request the member does not have."""
    templateId: str
    variants: list[VariantAnswer]
    skipped: list[str] = []


class SetAnswer(msgspec.Struct, omit_defaults=True):
    """The answer to POST /sets/{setId}/images: one image per member template (`images`), or
    with `variants`, one entry per member with an image per variant (`members`)."""
    setId: str
    images: list[SetMemberAnswer] | None = None
    members: list[SetMemberVariants] | None = None


class TemplateSet(msgspec.Struct):
    id: str
    templates: list[str]


class RowNote(msgspec.Struct):
    """A batch row whose text was cut, shrunk or now overlaps another: what its answer said."""
    row: int
    warnings: list[str]
    layout: dict[str, Fit]


class BatchStatus(msgspec.Struct, omit_defaults=True):
    id: str
    templateId: str
    state: str
    total: int
    done: int
    failed: int
    errors: list[dict] = []
    notes: list[RowNote] = []


class Error(msgspec.Struct, omit_defaults=True):
    message: str
    code: str
    layer: str | None = None
    field: str | None = None


class TemplateSummary(msgspec.Struct, omit_defaults=True):
    id: str
    name: str
    width: int
    height: int
    layerCount: int
    valid: bool
    error: str | None = None


class TextBox(msgspec.Struct):
    """Where a changed text may go, in pixels."""
    x: float
    y: float
    width: float
    height: float


class Layer(msgspec.Struct, omit_defaults=True):
    type: str
    name: str
    x: float
    y: float
    width: float
    height: float
    properties: list[str]
    label: str | None = None
    text: str | None = None
    color: str | None = None
    imageUrl: str | None = None
    anchor: str | None = None  # start | middle | end: where a changed text is anchored
    grows: str | None = None  # down | up | both: where its extra lines go
    boxSource: str | None = None  # explicit | flow | shape | canvas | request | none
    box: TextBox | None = None
    current: dict[str, str | float | int | bool] | None = None  # the template's own values


class TemplateDetail(TemplateSummary):
    layers: list[Layer] = []


class Upload(TemplateSummary):
    removed: list[str] = []


class Links(msgspec.Struct):
    url: str
    thumbnailUrl: str
    retinaThumbnailUrl: str
    templateId: str
    templateVersion: str
    pinned: bool


class FontAdded(msgspec.Struct):
    family: str
    style: str
    file: str


class Fonts(msgspec.Struct):
    families: list[str]


def document(endpoints, secured: bool = True) -> dict:
    """The spec of the routes table (api/routes.py); `secured` when API keys are configured (an
    open server declares no auth, and its state-changing operations may answer 403
    `csrf_refused`: see api/csrf.py). Public operations declare no security; admin ones a 403."""
    _, components = msgspec.json.schema_components(
        [RenderRequest, Answer, VariantsAnswer, SetAnswer, TemplateSet, BatchStatus, Error,
         TemplateSummary, TemplateDetail, Upload, Fonts, FontAdded, Links, TextBox],
        ref_template="#/components/schemas/{name}")
    components["RenderRequest"]["properties"]["format"]["enum"] = list(BY_NAME)
    paths = {}
    for endpoint in endpoints:
        names = re.findall(r"{(\w+)}", endpoint.openapi_path)
        item = {"parameters": [{"name": name, "in": "path", "required": True,
                                "schema": {"type": "string"}} for name in names]} if names else {}
        for method, op in endpoint.methods.items():
            operation = copy.deepcopy(op.operation)
            if op.access == PUBLIC:
                operation["security"] = []
            if op.access == ADMIN or (not secured and method in ("POST", "PUT", "DELETE")):
                operation["responses"].setdefault("403", errors(403)["403"])
            item[method.lower()] = operation
        paths[endpoint.openapi_path] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "svgrender", "version": "0.1.0",
                 "description": "SVG templates in, personalised images out."},
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}] if secured else [],
        "paths": paths,
    }
