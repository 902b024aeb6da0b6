"""One exception hierarchy; app.py maps it to HTTP in one place."""

from __future__ import annotations


class SvgRenderError(Exception):
    status = 422
    code = "invalid_request"

    def __init__(self, message: str, *, layer: str | None = None, field: str | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        self.layer = layer
        self.field = field
        if code:
            self.code = code

    def to_json(self) -> dict:
        body = {"message": self.message, "code": self.code}
        if self.layer is not None:
            body["layer"] = self.layer
        if self.field is not None:
            body["field"] = self.field
        return body


class BadRequest(SvgRenderError):
    status = 400
    code = "invalid_json"


class Unauthorized(SvgRenderError):
    status = 401
    code = "unauthorized"


class Forbidden(SvgRenderError):
    status = 403
    code = "forbidden"


class InvalidSignature(Forbidden):
    """A render link without a valid signature."""

    code = "invalid_signature"


class LinkTooLong(SvgRenderError):
    status = 414
    code = "link_too_long"


class LinksDisabled(SvgRenderError):
    status = 409
    code = "links_disabled"


class NotFound(SvgRenderError):
    status = 404
    code = "not_found"


class TemplateNotFound(NotFound):
    code = "template_not_found"


class ImageNotFound(NotFound):
    code = "image_not_found"


class BatchNotFound(NotFound):
    code = "batch_not_found"


class BodyTooLarge(SvgRenderError):
    status = 413
    code = "body_too_large"


class InvalidParam(SvgRenderError):
    code = "invalid_param"


class UnknownLayer(InvalidParam):
    code = "unknown_layer"


class PropertyNotAllowed(InvalidParam):
    code = "property_not_allowed"


class InvalidColor(InvalidParam):
    code = "invalid_color"


class InvalidTemplate(SvgRenderError):
    code = "template_invalid"


class ImageFetchError(SvgRenderError):
    code = "invalid_image"


class UpstreamError(SvgRenderError):
    status = 502
    code = "upstream_error"


class UpstreamTimeout(SvgRenderError):
    status = 504
    code = "upstream_timeout"


class RenderLimitExceeded(SvgRenderError):
    code = "limit_exceeded"


class TooManyRequests(SvgRenderError):
    status = 429
    code = "too_many_requests"


class Overloaded(SvgRenderError):
    status = 503
    code = "overloaded"


class RenderTimeout(SvgRenderError):
    status = 504
    code = "render_timeout"


class RenderFailed(SvgRenderError):
    """The renderer could not draw this template with these params (not a server crash)."""

    code = "render_failed"


class StorageFull(SvgRenderError):
    """The storage has no space (or quota) left: nothing was half-written."""

    status = 507
    code = "storage_full"


class DependencyUnavailable(SvgRenderError):
    """Redis (jobs, the shared result index) did not answer in time: retry shortly."""

    status = 503
    code = "dependency_unavailable"


class StorageUnavailable(SvgRenderError):
    """The storage refused a write (read-only, permissions): nothing was half-written."""

    status = 503
    code = "storage_unavailable"
