"""Jobs on many machines: Dramatiq on Redis carries the rows to `svgrender worker` processes;
the job state (rows, counters, webhook attempts) lives in Redis beside it.

Dramatiq acknowledges a message only after its actor returns (late ack), so a killed worker's
row is delivered again to another worker; a row's outcome is recorded at most once (a Lua
script), so a row rendered twice is still counted once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import (AgeLimit, Callbacks, CurrentMessage, Retries,
                                 ShutdownNotifications, TimeLimit)

from svgrender.jobs.rows import Row
from svgrender.jobs.store import MAX_LISTED_ERRORS, BatchInfo, Claimed, check_room, summarize
from svgrender.settings import Settings

log = logging.getLogger("svgrender.jobs")
PREFIX = "svgrender:jobs:"
ROW_RETRIES = 2  # three tries in all, as in the embedded engine
# How long a queued template version is kept for the workers (renewed by every batch using it).
TEMPLATE_KEEP_SECONDS = 7 * 24 * 3600


class TransientRowError(Exception):
    """Raised by the row actor so Dramatiq retries the message with backoff."""


# Records a row's outcome once: only a queued row can become done / failed / cancelled.
FINISH_ROW = """
local state = redis.call('HGET', KEYS[1], ARGV[1])
if state ~= 'queued' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], ARGV[1], ARGV[4]) end
if ARGV[5] and ARGV[5] ~= '' then redis.call('HSET', KEYS[5], ARGV[1], ARGV[5]) end
if KEYS[6] then
  local queue = redis.call('HGET', KEYS[6], 'queue_counter')
  if queue then redis.call('DECR', queue) end
end
if KEYS[7] then
  redis.call('HDEL', KEYS[7], ARGV[1])
  redis.call('SET', KEYS[8], ARGV[6])
end
return 1
"""
# A key's room in the queue (SVGRENDER_MAX_QUEUED_ROWS_PER_KEY): -1 - waiting when `adding`
# more would pass the cap, else the rows are counted and the number waiting before is answered.
RESERVE = """
local waiting = tonumber(redis.call('GET', KEYS[1]) or '0')
local adding, cap = tonumber(ARGV[1]), tonumber(ARGV[2])
if cap > 0 and waiting + adding > cap then return -1 - waiting end
redis.call('INCRBY', KEYS[1], adding)
return waiting
"""
# One webhook delivery per batch, however often this is called (a call whose answer was lost
# to a timeout is made again): answers the batch's delivery id.
ADD_DELIVERY = """
local existing = redis.call('HGET', KEYS[1], 'delivery')
if existing then return tonumber(existing) end
local id = redis.call('INCR', KEYS[2])
redis.call('SET', ARGV[1] .. id, ARGV[2])
redis.call('HSET', KEYS[3], id, ARGV[3])
redis.call('HSET', KEYS[1], 'delivery', id)
return id
"""
# True exactly once: the call that sees every row finished while the batch still runs.
FINISH_BATCH = """
local total = tonumber(redis.call('HGET', KEYS[1], 'total'))
local c = redis.call('HMGET', KEYS[2], 'done', 'failed', 'cancelled')
local finished = (tonumber(c[1]) or 0) + (tonumber(c[2]) or 0) + (tonumber(c[3]) or 0)
if finished < total or redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'finished', 'finished', ARGV[1])
redis.call('SREM', KEYS[3], ARGV[2])
return 1
"""


class RedisJobStore:
    """The JobStore interface on Redis (one hash per batch and per kind of row fact)."""

    def __init__(self, url: str, settings: Settings | None = None):
        from svgrender.io.deps import redis_client

        from svgrender.io.deps import redis_prefix

        self.redis = redis_client(url, settings)
        self.prefix = redis_prefix(settings) + "jobs:" if settings else PREFIX
        self.finish_script = self.redis.register_script(FINISH_ROW)
        self.batch_script = self.redis.register_script(FINISH_BATCH)
        self.reserve_script = self.redis.register_script(RESERVE)
        self.delivery_script = self.redis.register_script(ADD_DELIVERY)

    def keys(self, batch_id: str) -> dict[str, str]:
        base = self.prefix + batch_id
        return {"batch": base, "state": base + ":state", "counts": base + ":counts",
                "image": base + ":image", "error": base + ":error", "name": base + ":name",
                "deliveries": base + ":deliveries", "notes": base + ":notes",
                "body": base + ":body"}

    def create(self, batch: BatchInfo, rows: list[Row], image_ids: list[str | None], *,
               queue_key: str | None = None, cap: int = 0) -> None:
        k = self.keys(batch.id)
        counter = None
        if queue_key is not None:
            import hashlib

            adding = sum(1 for row in rows if not row.error)
            counter = self.prefix + "queued:" + hashlib.sha256(queue_key.encode()).hexdigest()[:32]
            if cap and adding > cap:
                check_room(0, adding, cap)
            waiting = int(self.reserve_script(keys=[counter], args=[adding, cap]))
            if waiting < 0:
                check_room(-1 - waiting, adding, cap)
        pipe = self.redis.pipeline()
        pipe.hset(k["batch"], mapping={
            "kind": batch.kind, "template_id": batch.template_id,
            "template_version": batch.template_version, "base_url": batch.base_url,
            "webhook_url": batch.webhook_url or "", "pdf": batch.pdf or "",
            "total": len(rows), "state": "running", "created": time.time(), "finished": "",
            **({"queue_counter": counter} if counter else {})})
        states = {}
        for row, image_id in zip(rows, image_ids):
            states[row.number] = "failed" if row.error else "queued"
            if row.error:
                pipe.hset(k["error"], row.number, json.dumps(row.error))
            if row.file_name:
                pipe.hset(k["name"], row.number, row.file_name)
            if not row.error:  # kept until the row is done: sent again if its message is lost
                pipe.hset(k["body"], row.number, row.body)
            if image_id:
                pipe.hset(k["image"], row.number, image_id)
                pipe.set(self.prefix + "image:" + image_id, batch.id)
        if states:
            pipe.hset(k["state"], mapping=states)
        pipe.hset(k["counts"], mapping={"done": 0, "failed": sum(1 for r in rows if r.error),
                                        "cancelled": 0})
        pipe.sadd(self.prefix + "running", batch.id)
        pipe.set(self.prefix + "progress", time.time())  # a new batch is not a stalled one
        pipe.execute()

    def set_owner(self, batch_id: str, owner: str) -> None:
        self.redis.hset(self.keys(batch_id)["batch"], "owner", owner)

    def owner(self, batch_id: str) -> str | None:
        value = self.redis.hget(self.keys(batch_id)["batch"], "owner")
        return value.decode() if value else None

    def put_template(self, template_id: str, version: str, data: bytes) -> None:
        """The queued version's bytes, where every worker can read them (workers need not
        share the API's templates folder or bucket)."""
        key = self.template_key(template_id, version)
        if not self.redis.expire(key, TEMPLATE_KEEP_SECONDS):  # absent: store it once
            self.redis.set(key, data, ex=TEMPLATE_KEEP_SECONDS)

    def template_source(self, template_id: str, version: str) -> bytes | None:
        return self.redis.get(self.template_key(template_id, version))

    def template_key(self, template_id: str, version: str) -> str:
        return f"{self.prefix}template:{version}:{template_id}"

    def row_state(self, batch_id: str, number: int) -> str | None:
        value = self.redis.hget(self.keys(batch_id)["state"], number)
        return value.decode() if value else None

    def claim(self, limit: int) -> list[Claimed]:
        return []  # Dramatiq delivers the rows

    def finish_row(self, batch_id: str, number: int, image_id: str | None,
                   error: dict | None, notes: dict | None = None,
                   state: str | None = None) -> bool:
        k = self.keys(batch_id)
        return bool(self.finish_script(
            keys=[k["state"], k["counts"], k["image"], k["error"], k["notes"], k["batch"],
                  k["body"], self.prefix + "progress"],
            args=[number, state or ("failed" if error else "done"), image_id or "",
                  json.dumps(error) if error else "", json.dumps(notes) if notes else "",
                  time.time()]))

    def lost_rows(self, stall: float, waiting: list[str]) -> list[tuple[BatchInfo, list]]:
        """Rows whose messages were lost (a fetch or a retry that Redis never answered in an
        outage): when no row anywhere has finished for `stall` seconds and no message waits
        in the queues `waiting`, every queued row of a running batch, with its body and
        image id, at most once per `stall` seconds (one process does it: a lock)."""
        now = time.time()
        last = float(self.redis.get(self.prefix + "progress") or 0)
        if now - last < stall or any(self.redis.llen(key) for key in waiting):
            return []
        if not self.redis.set(self.prefix + "resend", now, nx=True, ex=max(1, int(stall))):
            return []
        self.redis.set(self.prefix + "progress", now)  # the next look is `stall` from now
        found = []
        for raw in self.redis.smembers(self.prefix + "running"):
            batch_id = raw.decode()
            k = self.keys(batch_id)
            b = {key.decode(): v.decode() for key, v in self.redis.hgetall(k["batch"]).items()}
            if b.get("state") != "running":
                self.redis.srem(self.prefix + "running", batch_id)
                continue
            queued = [int(n) for n, s in self.redis.hgetall(k["state"]).items() if s == b"queued"]
            if not queued:
                continue
            bodies = self.redis.hmget(k["body"], queued)
            images = self.redis.hmget(k["image"], queued)
            found.append((BatchInfo(batch_id, b["kind"], b["template_id"],
                                    b["template_version"]),
                          [(n, body, image.decode() if image else None)
                           for n, body, image in zip(queued, bodies, images) if body]))
        return found

    def retry_row(self, batch_id: str, number: int, delay: float) -> None:
        pass  # Dramatiq's Retries middleware re-sends the message

    def finish_batch_if_done(self, batch_id: str) -> bool:
        k = self.keys(batch_id)
        return bool(self.batch_script(keys=[k["batch"], k["counts"], self.prefix + "running"],
                                      args=[time.time(), batch_id]))

    def status(self, batch_id: str) -> dict | None:
        k = self.keys(batch_id)
        raw = self.redis.hgetall(k["batch"])
        if not raw:
            return None
        b = {key.decode(): value.decode() for key, value in raw.items()}
        states = [v.decode() for v in self.redis.hvals(k["state"])]
        counts = {state: states.count(state) for state in set(states)}
        counts["running"] = 0  # Redis does not know which queued rows a worker holds
        errors = sorted(((int(n), json.loads(e)) for n, e in
                         self.redis.hgetall(k["error"]).items()))[:MAX_LISTED_ERRORS]
        notes = sorted(((int(n), json.loads(v)) for n, v in
                        self.redis.hgetall(k["notes"]).items()))[:MAX_LISTED_ERRORS]
        deliveries = [json.loads(d) for d in self.redis.hvals(k["deliveries"])]
        info = {"id": batch_id, "kind": b["kind"], "templateId": b["template_id"],
                "templateVersion": b["template_version"], "baseUrl": b["base_url"],
                "webhookUrl": b["webhook_url"] or None, "pdf": b["pdf"] or None,
                "total": int(b["total"]), "state": b["state"], "created": float(b["created"]),
                "finished": float(b["finished"]) if b["finished"] else None}
        return summarize(info, counts, [{"row": n, **e} for n, e in errors],
                         [{k2: v for k2, v in d.items() if k2 != "body"} for d in deliveries],
                         [{"row": n, **note} for n, note in notes])

    def results(self, batch_id: str) -> list[tuple[int, str | None, str]]:
        k = self.keys(batch_id)
        images = {int(n): v.decode() for n, v in self.redis.hgetall(k["image"]).items()}
        names = {int(n): v.decode() for n, v in self.redis.hgetall(k["name"]).items()}
        done = sorted(int(n) for n, s in self.redis.hgetall(k["state"]).items()
                      if s == b"done")
        return [(n, names.get(n), images[n]) for n in done if n in images]

    def cancel(self, batch_id: str) -> int | None:
        k = self.keys(batch_id)
        if not self.redis.exists(k["batch"]):
            return None
        queued = [n for n, s in self.redis.hgetall(k["state"]).items() if s == b"queued"]
        return sum(self.finish_row(batch_id, int(n), None, None, None, "cancelled")
                   for n in queued)

    def image_state(self, image_id: str) -> dict | None:
        batch_id = self.redis.get(self.prefix + "image:" + image_id)
        if batch_id is None:
            return None
        status = self.status(batch_id.decode())
        if status is None:
            return None
        state = "done" if status["done"] else "failed" if status["failed"] else "queued"
        return {"id": image_id, "templateId": status["templateId"], "state": state,
                "error": status["errors"][0] if status["errors"] else None,
                "webhook": status.get("webhook")}

    def resume(self) -> int:
        return 0  # unacknowledged messages are redelivered by Dramatiq

    def add_delivery(self, batch_id: str, url: str, body: bytes) -> int:
        k = self.keys(batch_id)
        return int(self.delivery_script(
            keys=[k["batch"], self.prefix + "delivery-seq", k["deliveries"]],
            args=[self.prefix + "delivery:", batch_id, json.dumps(
                {"url": url, "body": body.decode(), "attempts": [], "state": "pending"})]))

    def delivery(self, delivery_id: int) -> tuple[str, dict] | None:
        batch_id = self.redis.get(self.prefix + f"delivery:{delivery_id}")
        if batch_id is None:
            return None
        raw = self.redis.hget(self.keys(batch_id.decode())["deliveries"], delivery_id)
        return (batch_id.decode(), json.loads(raw)) if raw else None

    def due_deliveries(self) -> list[tuple[int, str, bytes, int]]:
        return []  # Dramatiq schedules the attempts

    def record_attempt(self, delivery_id: int, outcome: dict, next_delay: float | None) -> None:
        found = self.delivery(delivery_id)
        if found is None:
            return
        batch_id, delivery = found
        delivery["attempts"].append(outcome)
        delivery["state"] = "delivered" if outcome.get("ok") else (
            "pending" if next_delay is not None else "failed")
        self.redis.hset(self.keys(batch_id)["deliveries"], delivery_id, json.dumps(delivery))


def make_broker(settings: Settings) -> RedisBroker:
    middleware = [AgeLimit(), TimeLimit(time_limit=int(settings.render_timeout * 3000) + 60_000),
                  ShutdownNotifications(), Callbacks(), CurrentMessage(),
                  Retries(max_retries=ROW_RETRIES)]
    from svgrender.io.deps import dramatiq_namespace

    return RedisBroker(url=settings.redis_url, middleware=middleware,
                       namespace=dramatiq_namespace(settings),
                       socket_connect_timeout=settings.redis_connect_timeout,
                       socket_timeout=max(settings.redis_socket_timeout, 5.0),
                       heartbeat_timeout=int(settings.worker_heartbeat_timeout * 1000),
                       maintenance_chance=100_000)  # of a million: requeue dead workers' rows


class DramatiqEngine:  # a JobEngine (jobs/engine.py)
    """The engine on the API side (sends messages) and in workers (runs the actors)."""

    def __init__(self, settings: Settings, broker: RedisBroker | None = None):
        self.settings = settings
        self.broker = broker or make_broker(settings)
        self.manager = None
        self.loops = threading.local()
        retry_ms = int(settings.row_retry_seconds * 1000)
        self.render_row = dramatiq.actor(
            self._render_row, broker=self.broker, actor_name="svgrender_render_row",
            queue_name="svgrender_rows", max_retries=ROW_RETRIES, min_backoff=retry_ms,
            max_backoff=retry_ms * 16, retry_when=lambda tries, exc:
            isinstance(exc, TransientRowError) and tries <= ROW_RETRIES)
        hook_ms = int(settings.webhook_retry_seconds * 1000)
        self.deliver_webhook = dramatiq.actor(
            self._deliver_webhook, broker=self.broker, actor_name="svgrender_webhook",
            queue_name="svgrender_webhooks", min_backoff=hook_ms, max_backoff=hook_ms * 81,
            retry_when=lambda tries, exc: isinstance(exc, TransientRowError) and tries <= 5)

    def bind(self, manager) -> None:
        self.manager = manager

    async def start(self) -> None:
        from svgrender.io.deps import warn_other_namespaces

        await asyncio.to_thread(warn_other_namespaces, self.settings, "svgrender serve")
        self.resending = asyncio.create_task(self.resend_lost())

    async def stop(self) -> None:
        if getattr(self, "resending", None):
            self.resending.cancel()
            await asyncio.gather(self.resending, return_exceptions=True)
        self.broker.close()

    async def resend_lost(self) -> None:
        """Rows whose messages an outage lost are sent again (RedisJobStore.lost_rows); a row
        sent twice is still done once (its state is checked, its image id fixed)."""
        queue = f"{self.broker.namespace}:svgrender_rows"
        stall = self.settings.job_stall_seconds
        while True:
            await asyncio.sleep(max(0.5, stall / 4))
            try:
                lost = await asyncio.to_thread(self.manager.store.lost_rows, stall,
                                               [queue, queue + ".DQ"])
                for batch, rows in lost:
                    log.warning("batch %s: %d queued rows had no message; sent again",
                                batch.id, len(rows))
                    await asyncio.to_thread(self._send, batch, rows)
            except Exception as exc:  # Redis away: look again later
                log.info("looking for lost rows: %s", type(exc).__name__)

    def _send(self, batch: BatchInfo, rows: list[tuple[int, bytes, str | None]]) -> None:
        for number, body, image_id in rows:
            self.render_row.send(batch.id, number, batch.template_id, batch.template_version,
                                 body.decode() if isinstance(body, bytes) else body, image_id)

    # --- the API side --------------------------------------------------------------------

    async def enqueue(self, batch: BatchInfo, rows: list[Row], image_id: str | None) -> None:
        # Redis round trips: never on the event loop
        await asyncio.to_thread(self._send, batch, [(r.number, r.body, image_id) for r in rows])

    async def deliver(self, delivery_id: int) -> None:
        await asyncio.to_thread(self.deliver_webhook.send, delivery_id)

    # --- the worker side -------------------------------------------------------------------

    def _run(self, coroutine):
        """Each worker thread keeps one event loop (the render service is asyncio)."""
        loop = getattr(self.loops, "loop", None)
        if loop is None:
            loop = self.loops.loop = asyncio.new_event_loop()
        return loop.run_until_complete(coroutine)

    def _render_row(self, batch_id: str, number: int, template_id: str, version: str,
                    body: str, image_id: str | None) -> None:
        store, outages = self.manager.store, self.manager.outages
        if self._run(outages.wait_call(store.row_state, batch_id, number)) != "queued":
            return  # cancelled, or finished by a worker that died before acknowledging
        message = CurrentMessage.get_current_message()
        tries = message.options.get("retries", 0) if message else 0
        row = Claimed(batch_id, number, template_id, body.encode(), image_id, tries, version)
        if not self._run(self.manager.render_row(row)):
            raise TransientRowError(f"batch {batch_id} row {number}: transient failure")

    def _deliver_webhook(self, delivery_id: int) -> None:
        found = self._run(self.manager.outages.wait_call(self.manager.store.delivery,
                                                         delivery_id))
        if found is None or found[1]["state"] != "pending":
            return  # delivered or given up already (a message sent twice through a blip)
        _, delivery = found
        attempts = len(delivery["attempts"])
        delivered = self._run(self.manager.deliver(delivery_id, delivery["url"],
                                                   delivery["body"].encode(), attempts))
        if not delivered and delivery["state"] == "pending" and attempts + 1 < 6:
            raise TransientRowError(f"webhook {delivery_id}: not delivered yet")
