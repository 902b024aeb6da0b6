"""Warnings of the render in progress (e.g. an unsupported filter primitive): logged, collected,
and returned to the client in the X-Svgrender-Warnings header. Never an error."""

from __future__ import annotations

import logging
from contextvars import ContextVar

log = logging.getLogger("svgrender.render")
current_warnings: ContextVar[list[str] | None] = ContextVar("svgrender_warnings", default=None)


def warn(message: str) -> None:
    log.warning(message)
    warnings = current_warnings.get()
    if warnings is not None and message not in warnings:
        warnings.append(message)
