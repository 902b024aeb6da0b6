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


# The fit report of the render in progress: per changed text layer, how its text was laid out
# (lines, font size, scale, cut), decided once and returned with the answer.
current_fit: ContextVar[dict | None] = ContextVar("svgrender_fit", default=None)


def report_fit(layer: str, entry: dict) -> None:
    report = current_fit.get()
    if report is not None and layer not in report:
        report[layer] = entry
