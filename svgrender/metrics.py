"""Prometheus metrics, in prometheus-client's multiprocess mode so render worker processes count.

`setup()` must run before the first metric is touched in a process: it points
PROMETHEUS_MULTIPROC_DIR at a fresh directory (unless the operator set one) so the server and the
worker processes it starts (which inherit the environment) write to the same place.
"""

from __future__ import annotations

import glob
import os
import tempfile
import threading
from types import SimpleNamespace

M = SimpleNamespace()  # the metrics, once set up
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


_SETTING_UP = threading.Lock()


def setup() -> SimpleNamespace:
    if getattr(M, "ready", False):
        return M
    with _SETTING_UP:  # two threads' first renders (a worker's --threads) register once
        if getattr(M, "ready", False):
            return M
        return _register()


def _register() -> SimpleNamespace:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="svgrender-metrics-")
    from prometheus_client import Counter, Gauge, Histogram

    M.requests = Counter("svgrender_http_requests_total", "HTTP requests answered",
                         ["route", "method", "status"])
    M.request_seconds = Histogram("svgrender_http_request_seconds", "HTTP answer time",
                                  ["route"], buckets=BUCKETS)
    M.render_seconds = Histogram("svgrender_render_seconds", "Render time by template and "
                                 "stage (fetch, draw, store; draw is measured in the worker)",
                                 ["template", "stage"], buckets=BUCKETS)
    M.in_flight = Gauge("svgrender_renders_in_flight", "Renders queued or drawing",
                        multiprocess_mode="livesum")
    M.queue_depth = Gauge("svgrender_render_queue_depth", "Renders waiting for a worker",
                          multiprocess_mode="livesum")
    M.cache_hits = Counter("svgrender_cache_hits_total", "Answers served without drawing",
                           ["kind"])
    M.fetch_bytes = Counter("svgrender_image_fetch_bytes_total", "Image bytes downloaded")
    M.fetch_failures = Counter("svgrender_image_fetch_failures_total", "Image downloads that "
                               "failed", ["code"])
    M.worker_recycles = Counter("svgrender_worker_recycles_total", "Render workers replaced",
                                ["reason"])
    M.storage_errors = Counter("svgrender_storage_errors_total", "Storage writes refused",
                               ["code"])
    M.ready = True
    return M


def exposition() -> tuple[bytes, str]:
    """Every process's metrics, merged, in the Prometheus text format."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    class SettledFiles(MultiProcessCollector):
        """Only files a process has finished creating: prometheus-client creates a process's
        file empty and then sizes it, and reading it in between raised struct.error (a 500 on
        /metrics while a worker started its first metric)."""

        def collect(self):
            files = []
            for path in glob.glob(os.path.join(self._path, "*.db")):
                try:
                    if os.path.getsize(path) >= 8:  # the used-bytes header is written
                        files.append(path)
                except OSError:  # removed meanwhile (mark_dead)
                    pass
            return self.merge(files, accumulate=True)

    registry = CollectorRegistry()
    SettledFiles(registry)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def mark_dead(pid: int) -> None:
    """A worker process ended: its live gauges no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)
