"""Waiting out an outage of a dependency (Redis, the object storage) inside a job, instead of
failing the row or losing the write: a hung or restarted Redis and a hung or restarted bucket
are expected events, and every write a job makes is idempotent (a row's outcome is recorded
once, its files have a fixed name), so trying again is always safe."""

from __future__ import annotations

import asyncio
import logging
import time

log = logging.getLogger("svgrender.jobs")

OUTAGE_CODES = {"storage_unavailable", "dependency_unavailable"}


def is_outage(exc: BaseException) -> bool:
    """A dependency that did not answer (not a refusal of this row)."""
    import redis

    if isinstance(exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
                        ConnectionError, TimeoutError)):
        return True
    return getattr(exc, "code", None) in OUTAGE_CODES


class Outages:
    def __init__(self, budget_seconds: float, first_pause: float = 0.2, longest_pause: float = 5.0):
        self.budget, self.first, self.longest = budget_seconds, first_pause, longest_pause

    async def wait(self, make):
        """`await make()` until it works, pausing while it fails with an outage; past the
        budget the outage's own error is raised (the row fails with it)."""
        deadline, pause, logged = time.monotonic() + self.budget, self.first, False
        while True:
            try:
                return await make()
            except Exception as exc:
                if not is_outage(exc) or time.monotonic() + pause > deadline:
                    raise
                if not logged:
                    log.warning("a dependency is down (%s); the job waits for it",
                                type(exc).__name__)
                    logged = True
            await asyncio.sleep(pause)
            pause = min(pause * 2, self.longest)

    async def wait_call(self, function, *args):
        """A blocking call (a job store's), in a thread, through an outage."""
        return await self.wait(lambda: asyncio.to_thread(function, *args))
