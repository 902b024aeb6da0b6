"""Outside services (Redis, object storage) with short deadlines and honest failures.

`redis_client` builds every Redis client with the settings' timeouts, so a hung or stopped Redis
costs a command at most SVGRENDER_REDIS_SOCKET_TIMEOUT, never a hang. `Breaker` remembers a
failure for a few seconds so optional uses (the shared result index, link locks) skip Redis
instead of waiting on it for every render. `unavailable` turns a Redis failure into a 503
`dependency_unavailable` (with Retry-After) for the routes that cannot work without it.
"""

from __future__ import annotations

import logging
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


def is_redis_failure(exc: BaseException) -> bool:
    try:
        import redis
    except ImportError:
        return False
    return isinstance(exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError))


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
