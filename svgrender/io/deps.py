"""Outside services (Redis, object storage) with short deadlines and honest failures.

`redis_client` builds every Redis client with the settings' timeouts, so a hung or stopped Redis
costs a command at most SVGRENDER_REDIS_SOCKET_TIMEOUT, never a hang. `Breaker` remembers a
failure for a few seconds so optional uses (the shared result index, link locks) skip Redis
instead of waiting on it for every render. `unavailable` turns a Redis failure into a 503
`dependency_unavailable` (with Retry-After) for the routes that cannot work without it.
"""

from __future__ import annotations

import logging
import re
import time

from svgrender.errors import DependencyUnavailable

log = logging.getLogger("svgrender.deps")


def redis_client(url: str, settings=None, **extra):
    import redis

    timeouts = {}
    if settings is not None:
        timeouts = {"socket_timeout": settings.redis_socket_timeout,
                    "socket_connect_timeout": settings.redis_connect_timeout}
    return redis.Redis.from_url(url, **{**timeouts, **extra})


def unavailable(exc: BaseException) -> DependencyUnavailable:
    return DependencyUnavailable(f"Redis did not answer ({type(exc).__name__}); retry shortly")


class Breaker:
    """Open for `cool_down` seconds after a failure: callers skip the dependency meanwhile."""

    def __init__(self, name: str, cool_down: float = 5.0):
        self.name, self.cool_down, self.until = name, cool_down, 0.0

    @property
    def open(self) -> bool:
        return time.monotonic() < self.until

    def failed(self, exc: BaseException) -> None:
        if not self.open:
            log.warning("%s unavailable (%s); skipped for %.0f s", self.name,
                        type(exc).__name__, self.cool_down)
        self.until = time.monotonic() + self.cool_down


NAMESPACE = re.compile(r"^[A-Za-z0-9_-]{0,40}$")
# The second part of the un-namespaced keys: jobs and the shared index (ours), Dramatiq's.
DEFAULT_PARTS = {"jobs", "index", "flight"}


def redis_prefix(settings) -> str:
    """`svgrender:` (no namespace: the names of earlier versions) or `svgrender:<ns>:`."""
    namespace = getattr(settings, "queue_namespace", "") or ""
    if not NAMESPACE.match(namespace) or namespace in DEFAULT_PARTS:
        raise ValueError(f"SVGRENDER_QUEUE_NAMESPACE {namespace[:50]!r}: use letters, digits, "
                         "- and _ (at most 40; not jobs, index or flight)")
    return f"svgrender:{namespace}:" if namespace else "svgrender:"


def dramatiq_namespace(settings) -> str:
    return redis_prefix(settings).rstrip(":")


def namespace_of(key: str) -> str:
    """The queue namespace a `svgrender:…` key belongs to ("" for none)."""
    part = key.split(":")[1] if key.count(":") >= 1 else ""
    if part in DEFAULT_PARTS or part.startswith(("svgrender_", "__")) or key.count(":") < 2:
        return ""
    return part


def other_namespaces(client, settings, sample: int = 2000) -> set[str]:
    """Namespaces other than ours seen among (at most `sample`) `svgrender:*` keys."""
    ours = getattr(settings, "queue_namespace", "") or ""
    seen = set()
    for n, key in enumerate(client.scan_iter("svgrender:*", count=500)):
        if n >= sample:
            break
        seen.add(namespace_of(key.decode() if isinstance(key, bytes) else key))
    return seen - {ours}


def warn_other_namespaces(settings, where: str) -> set[str]:
    """At start: say so when this Redis holds another deployment's keys (a shared Redis
    without SVGRENDER_QUEUE_NAMESPACE means two deployments taking each other's jobs)."""
    try:
        others = other_namespaces(redis_client(settings.redis_url, settings), settings)
    except Exception as exc:  # a Redis that does not answer is /readyz's to report
        log.warning("%s: could not look for other queue namespaces in Redis (%s)", where,
                    type(exc).__name__)
        return set()
    if others:
        names = ", ".join(repr(n) if n else "(none)" for n in sorted(others))
        log.warning("%s: this Redis also holds the keys of queue namespace(s) %s; this "
                    "deployment's is %r. Deployments sharing a Redis must each set their own "
                    "SVGRENDER_QUEUE_NAMESPACE", where, names,
                    getattr(settings, "queue_namespace", "") or "(none)")
    return others
