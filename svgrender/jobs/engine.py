"""JobEngine: what runs queued rows and webhook deliveries for a JobManager (jobs/manager.py).

Two engines: the embedded one (jobs/runner.py, the server's own workers over SQLite) and
Dramatiq on Redis (jobs/redis_engine.py, separate worker processes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from svgrender.jobs.rows import Row
    from svgrender.jobs.store import BatchInfo


@runtime_checkable
class JobEngine(Protocol):
    def bind(self, manager) -> None:
        """The JobManager whose rows and deliveries this engine runs (called once, first; not
        typed here: the manager imports this module)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def enqueue(self, batch: BatchInfo, rows: list[Row], image_id: str | None) -> None:
        """The rows are in the job store already: see that they get rendered."""

    async def deliver(self, delivery_id: int) -> None:
        """The delivery is in the job store already: see that it gets sent."""
