"""Warnings of the render in progress (e.g. an unsupported filter primitive): logged, collected,
and returned to the client in the X-Svgrender-Warnings header. Never an error.

Each distinct warning is logged and returned once per render (or per template load), however
many text runs, sizes or layers raise it: a font missing from 30 texts drawn at 3 sizes is one
line, not 120."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar

log = logging.getLogger("svgrender.render")
# The collecting list, and the messages already logged in the outermost collection (a render's
# static layers collect into a list of their own, but log like the render around them).
_collecting: ContextVar[tuple[list[str], set[str]] | None] = ContextVar("svgrender_warnings",
                                                                         default=None)


def warn(message: str) -> None:
    current = _collecting.get()
    if current is None:  # nothing collects (a caller outside a render): log every time
        log.warning(message)
        return
    warnings, logged = current
    if message not in warnings:
        warnings.append(message)
    if message not in logged:
        logged.add(message)
        log.warning(message)


def collecting_now() -> bool:
    """Whether a render (or a template load) is collecting warnings right now."""
    return _collecting.get() is not None


@contextmanager
def collecting(warnings: list[str]):
    """The warnings raised inside go to `warnings` once each, and are logged once each in the
    outermost collection (a render, a template load)."""
    outer = _collecting.get()
    token = _collecting.set((warnings, outer[1] if outer else set()))
    try:
        yield warnings
    finally:
        _collecting.reset(token)


# The fit report of the render in progress: per changed text layer, how its text was laid out
# (lines, font size, scale, cut), decided once and returned with the answer.
current_fit: ContextVar[dict | None] = ContextVar("svgrender_fit", default=None)


def report_fit(layer: str, entry: dict) -> None:
    report = current_fit.get()
    if report is not None and layer not in report:
        report[layer] = entry
