"""Warnings of the render in progress (e.g. an unsupported filter primitive): logged, collected,
and returned to the client in the X-Svgrender-Warnings header. Never an error.

Each distinct warning is logged and returned once per render (or per template load), however
many text runs, sizes or layers raise it: a font missing from 30 texts drawn at 3 sizes is one
line, not 120. A `Notices` is made per render and handed down (draw/context.py), never global."""

from __future__ import annotations

import logging

log = logging.getLogger("svgrender.render")


class Notices:
    """Where one render's (or template load's) warnings go. `warnings` None: nothing collects
    (a draw outside a render): every warning is logged, every time."""

    def __init__(self, warnings: list[str] | None = None, logged: set[str] | None = None):
        self.warnings = warnings
        self.logged = logged if logged is not None else set()

    @property
    def collecting(self) -> bool:
        """Whether a render (or a template load) collects these warnings."""
        return self.warnings is not None

    def warn(self, message: str) -> None:
        if self.warnings is None:
            log.warning(message)
            return
        if message not in self.warnings:
            self.warnings.append(message)
        if message not in self.logged:
            self.logged.add(message)
            log.warning(message)

    def into(self, warnings: list[str]) -> "Notices":
        """Warnings collected into `warnings`, logged once with this collection (a render's
        static layers collect into a list of their own, but log like the render around them)."""
        return Notices(warnings, self.logged)


def collecting(warnings: list[str]) -> Notices:
    """A fresh collection into `warnings` (a render, a template load)."""
    return Notices(warnings)
