"""Building the render service and its job manager: one place, used by the API (api/app.py),
the CLI (`render`, `batch`, `worker`, `sweep`) and the workers alike, so they render the same way.

The settings choose the backends (local disk or a bucket, SQLite or Redis jobs, worker processes
or threads); each one can be replaced for tests. The executor is chosen here too, and the template
store is pointed at it once: while its worker pool runs, templates and uploaded fonts are parsed
there, not in the API process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from svgrender.formats import media_type
from svgrender.executors import ProcessExecutor, RenderExecutor, executor_for
from svgrender.io.loaders import ImageFetcher
from svgrender.io.storage import (FileStore, LocalFileStore, LocalRecordStore, MemoryFileStore,
                                  MemoryRecordStore, RecordStore)
from svgrender.service import RenderResult, RenderService
from svgrender.settings import Settings
from svgrender.templates.store import TemplateStore

if TYPE_CHECKING:
    from svgrender.jobs.manager import JobManager


def build_service(settings: Settings, *, files: FileStore | None = None,
                  records: RecordStore | None = None,
                  executor: RenderExecutor | None = None,
                  templates: TemplateStore | None = None) -> RenderService:
    """The service with the backends the settings choose (each one replaceable for tests)."""
    if settings.storage_url and (files is None or records is None):
        from svgrender.io.s3 import Bucket, S3FileStore, S3RecordStore

        bucket = Bucket(settings.storage_url, settings=settings)
        files = files or S3FileStore(bucket, settings.public_files_url, media_type)
        records = records or S3RecordStore(bucket)
    records = records or LocalRecordStore(settings.storage_dir)
    if settings.redis_url:  # the result index and link renders shared between replicas
        from svgrender.io.shared import RedisFlights, RedisIndexedRecords

        records = RedisIndexedRecords(records, settings.redis_url, settings)
    executor = executor or executor_for(settings)
    # With worker processes, they decode images; this process only reads their headers.
    images = ImageFetcher(settings, decode_pixels=not isinstance(executor, ProcessExecutor))
    service = RenderService(
        settings, on_executor(templates or TemplateStore.for_settings(settings), executor),
        files or LocalFileStore(settings.storage_dir, settings.public_files_url),
        records, images, executor)
    if settings.redis_url:
        service.shared_flights = RedisFlights(settings.redis_url, settings.render_timeout * 3,
                                              settings)
    return service


def local_service(settings: Settings, executor: RenderExecutor | None = None) -> RenderService:
    """For `svgrender render` and `svgrender batch`: the templates folder with the uploads over
    it (as the API sees them), results kept in memory (the command writes them where it was
    told), nothing shared; its rows use every render worker (no batch processes)."""
    executor = executor or executor_for(settings, batch=False)
    templates = on_executor(TemplateStore.for_settings(settings), executor)
    return RenderService(settings, templates, MemoryFileStore(), MemoryRecordStore(),
                         ImageFetcher(settings), executor)


def on_executor(templates: TemplateStore, executor: RenderExecutor) -> TemplateStore:
    """Templates and uploaded fonts parsed by the executor's workers while it runs (set once
    here, never swapped at start-up)."""
    templates.loader = executor.template_loader(templates.loader)
    templates.fonts.reader = executor.font_reader(templates.fonts.reader)
    return templates


def build_jobs(settings: Settings, service: RenderService) -> JobManager:
    """Embedded jobs (SQLite beside the images), or Dramatiq on Redis when configured."""
    from svgrender.api.views import image_answer
    from svgrender.jobs.manager import JobManager  # here: `svgrender render` needs no jobs
    from svgrender.jobs.store import SqliteJobStore

    def answer(image_id: str, base: str) -> dict | None:
        record = service.records.get_record(image_id)
        return image_answer(RenderResult.from_record(record), base, service.files) \
            if record else None

    if settings.redis_url:
        from svgrender.jobs.redis_engine import DramatiqEngine, RedisJobStore

        return JobManager(service, RedisJobStore(settings.redis_url, settings), answer,
                          DramatiqEngine(settings))
    store = SqliteJobStore(settings.storage_dir / "_jobs.sqlite3")
    return JobManager(service, store, answer)
