"""Retention: stored renders older than SVGRENDER_RETENTION_DAYS, and (local disk) the oldest
beyond SVGRENDER_STORAGE_MAX_BYTES, are deleted with their records; then every result-index or
link entry that points at a deleted render goes too, so nothing points at a missing file."""

from __future__ import annotations

import asyncio
import logging
import time

from svgrender.io.storage import FILE_NAME, LocalFileStore

log = logging.getLogger("svgrender.retention")


def sweep(service, now: float | None = None) -> dict:
    settings, records = service.settings, service.records
    now = time.time() if now is None else now
    removed = 0
    if settings.retention_days > 0:
        cutoff = now - settings.retention_days * 86400
        for image_id, stored_at in list(records.record_ages()):
            if stored_at < cutoff and service.delete(image_id):
                removed += 1
    if settings.storage_max_bytes > 0 and isinstance(service.files, LocalFileStore):
        removed += _trim_to_size(service, settings.storage_max_bytes)
    dangling = 0
    for key, image_id in list(records.alias_items()):
        if records.get_record(image_id) is None:
            records.delete_alias(key)
            dangling += 1
    if removed or dangling:
        log.info("retention: %d renders and %d index entries removed", removed, dangling)
    return {"removed": removed, "indexEntries": dangling}


def _trim_to_size(service, limit: int) -> int:
    """Oldest renders first, until the stored files fit in `limit` bytes."""
    sizes: dict[str, int] = {}
    for path in service.files.directory.iterdir():
        if FILE_NAME.match(path.name):
            try:
                sizes[path.name[:10]] = sizes.get(path.name[:10], 0) + path.stat().st_size
            except OSError:
                continue
    total = sum(sizes.values())
    removed = 0
    for image_id, _ in sorted(service.records.record_ages(), key=lambda item: item[1]):
        if total <= limit:
            break
        if service.delete(image_id):
            total -= sizes.get(image_id, 0)
            removed += 1
    return removed


async def sweep_forever(service) -> None:
    """The server's background sweep (only started when a retention setting is set)."""
    while True:
        try:
            await asyncio.to_thread(sweep, service)
        except Exception:  # a failed sweep is retried at the next interval
            log.exception("retention sweep")
        await asyncio.sleep(service.settings.sweep_interval_seconds)
