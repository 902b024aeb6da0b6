"""State several replicas share through Redis (SVGRENDER_REDIS_URL): the result index (params →
stored render, so a render on one replica is a cache hit on another) and a lock per render link
so concurrent first hits on different replicas still render once."""

from __future__ import annotations

import asyncio
import time

import redis

PREFIX = "svgrender:"


class RedisIndexedRecords:
    """A RecordStore whose result index lives in Redis; answers stay in the wrapped store."""

    def __init__(self, records, url: str, settings=None):
        from svgrender.io.deps import Breaker, redis_client

        from svgrender.io.deps import redis_prefix

        self.records = records
        self.prefix = redis_prefix(settings) if settings else PREFIX
        self.redis = redis_client(url, settings) if settings else redis.Redis.from_url(
            url, socket_timeout=5)
        # The index only saves work: with Redis down, renders go on without it.
        self.breaker = Breaker("Redis (result index)")
        self.remote = True  # network calls: the service makes them in a thread

    def put_record(self, image_id: str, record: dict) -> None:
        self.records.put_record(image_id, record)

    def get_record(self, image_id: str) -> dict | None:
        return self.records.get_record(image_id)

    def delete_record(self, image_id: str) -> None:
        self.records.delete_record(image_id)

    def record_ages(self):
        return self.records.record_ages()

    def put_alias(self, key: str, image_id: str) -> None:
        if self.breaker.open:
            return
        try:
            self.redis.set(self.prefix + "index:" + key, image_id)
        except redis.RedisError as exc:
            self.breaker.failed(exc)

    def get_alias(self, key: str) -> str | None:
        if self.breaker.open:
            return None
        try:
            value = self.redis.get(self.prefix + "index:" + key)
        except redis.RedisError as exc:
            self.breaker.failed(exc)
            return None
        return value.decode() if value else None

    def alias_items(self):
        for name in self.redis.scan_iter(self.prefix + "index:*", count=1000):
            value = self.redis.get(name)
            if value:
                yield name.decode()[len(self.prefix + "index:"):], value.decode()

    def delete_alias(self, key: str) -> None:
        self.redis.delete(self.prefix + "index:" + key)


class RedisFlights:
    """One render per key across replicas: the first to take the lock renders, the others wait
    for its result to be indexed (or for the lock to lapse, then try themselves)."""

    def __init__(self, url: str, hold_seconds: float, settings=None):
        from svgrender.io.deps import Breaker, redis_client

        from svgrender.io.deps import redis_prefix

        self.prefix = redis_prefix(settings) if settings else PREFIX
        self.redis = redis_client(url, settings) if settings else redis.Redis.from_url(
            url, socket_timeout=5)
        self.hold_ms = int(hold_seconds * 1000)
        # A lock only saves duplicate work: with Redis down, each replica renders on its own.
        self.breaker = Breaker("Redis (render locks)")

    async def run_once(self, key: str, render, stored):
        if self.breaker.open:
            return await render()
        try:
            return await self._run_once(key, render, stored)
        except redis.RedisError as exc:
            self.breaker.failed(exc)
            found = await stored()
            return found if found is not None else await render()

    async def _run_once(self, key: str, render, stored):
        lock = self.prefix + "flight:" + key
        token = f"{time.time_ns()}"
        while True:
            taken = await asyncio.to_thread(self.redis.set, lock, token, nx=True,
                                            px=self.hold_ms)
            if taken:
                try:
                    return await render()
                finally:
                    try:
                        await asyncio.to_thread(self._release, lock, token)
                    except redis.RedisError as exc:  # the lock lapses by itself
                        self.breaker.failed(exc)
            while await asyncio.to_thread(self.redis.exists, lock):
                await asyncio.sleep(0.05)
                found = await stored()
                if found is not None:
                    return found
            found = await stored()
            if found is not None:
                return found

    def _release(self, lock: str, token: str) -> None:
        if self.redis.get(lock) == token.encode():
            self.redis.delete(lock)
