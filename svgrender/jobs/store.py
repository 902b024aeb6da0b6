"""Job state: batches, their rows and webhook deliveries.

`JobStore` is the interface; `SqliteJobStore` (the embedded default) keeps everything in one
SQLite file beside the stored images, so a batch interrupted by a restart resumes where it was.
The Redis engine keeps the same facts in Redis (jobs/redis_engine.py).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from svgrender.errors import InvalidParam, TooManyRequests
from svgrender.jobs.rows import Row

MAX_LISTED_ERRORS = 1000


@dataclass
class BatchInfo:
    id: str
    kind: str  # "batch", or "image" for an async single render
    template_id: str
    template_version: str
    base_url: str = ""
    webhook_url: str | None = None
    pdf: str | None = None


@dataclass
class Claimed:
    batch_id: str
    number: int
    template_id: str
    body: bytes
    image_id: str | None
    attempts: int
    template_version: str = ""  # the version the API checked the row against ("" = current)


class JobStore(Protocol):
    def create(self, batch: BatchInfo, rows: list[Row], image_ids: list[str | None], *,
               queue_key: str | None = None, cap: int = 0) -> None: ...
    def claim(self, limit: int) -> list[Claimed]: ...
    def finish_row(self, batch_id: str, number: int, image_id: str | None,
                   error: dict | None, notes: dict | None = None) -> bool: ...
    def retry_row(self, batch_id: str, number: int, delay: float) -> None: ...
    def finish_batch_if_done(self, batch_id: str) -> bool: ...
    def status(self, batch_id: str) -> dict | None: ...
    def results(self, batch_id: str) -> list[tuple[int, str | None, str]]: ...
    def cancel(self, batch_id: str) -> int | None: ...
    def image_state(self, image_id: str) -> dict | None: ...
    def resume(self) -> int: ...
    def add_delivery(self, batch_id: str, url: str, body: bytes) -> int: ...
    def due_deliveries(self) -> list[tuple[int, str, bytes, int]]: ...
    def record_attempt(self, delivery_id: int, outcome: dict, next_delay: float | None) -> None: ...
    def set_owner(self, batch_id: str, owner: str) -> None: ...
    def owner(self, batch_id: str) -> str | None: ...
    def put_template(self, template_id: str, version: str, data: bytes) -> None: ...
    def template_source(self, template_id: str, version: str) -> bytes | None: ...


SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, template_id TEXT NOT NULL,
    template_version TEXT NOT NULL, base_url TEXT NOT NULL, webhook_url TEXT, pdf TEXT,
    total INTEGER NOT NULL,
    state TEXT NOT NULL, created REAL NOT NULL, finished REAL);
CREATE TABLE IF NOT EXISTS rows (
    batch_id TEXT NOT NULL, n INTEGER NOT NULL, body BLOB NOT NULL, file_name TEXT,
    image_id TEXT, state TEXT NOT NULL, error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0, finished REAL, notes TEXT, PRIMARY KEY (batch_id, n));
CREATE INDEX IF NOT EXISTS rows_queued ON rows (state, not_before);
CREATE INDEX IF NOT EXISTS rows_image ON rows (image_id);
CREATE TABLE IF NOT EXISTS owners (batch_id TEXT PRIMARY KEY, owner TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue_keys (batch_id TEXT PRIMARY KEY, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS queue_keys_key ON queue_keys (key);
CREATE TABLE IF NOT EXISTS templates (
    id TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (id, version));
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, url TEXT NOT NULL, body BLOB NOT NULL,
    attempts TEXT NOT NULL DEFAULT '[]', next_at REAL, state TEXT NOT NULL);
"""


class QueueFull(TooManyRequests):
    code = "too_many_queued_rows"


def check_room(waiting: int, adding: int, cap: int) -> None:
    """429 when a key's queued rows would pass the cap; 422 when the batch alone is over it."""
    if adding > cap:
        raise InvalidParam(f"this batch has {adding:,} rows to render; one key may have at most "
                           f"{cap:,} queued (SVGRENDER_MAX_QUEUED_ROWS_PER_KEY): split it",
                           field="rows", code="too_many_queued_rows")
    if waiting + adding > cap:
        raise QueueFull(f"this key already has {waiting:,} rows queued or running; {adding:,} "
                        f"more would pass its limit of {cap:,} (SVGRENDER_MAX_QUEUED_ROWS_PER_KEY)"
                        ". Retry when some are done", field="rows")


class SqliteJobStore:
    """One SQLite file (WAL); every call is one short transaction under a lock."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(rows)")}
        if "notes" not in columns:  # a job database from before row notes
            self.db.execute("ALTER TABLE rows ADD COLUMN notes TEXT")
        self.lock = threading.Lock()

    def _tx(self, fn):
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                out = fn(self.db)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return out

    def create(self, batch: BatchInfo, rows: list[Row], image_ids: list[str | None], *,
               queue_key: str | None = None, cap: int = 0) -> None:
        """Store a batch; with `queue_key` and `cap`, refuse it (QueueFull) when that key's
        rows queued or running would then pass `cap`."""
        now = time.time()

        def write(db):
            if queue_key is not None:
                adding = sum(1 for row in rows if not row.error)
                if cap:
                    waiting = db.execute(
                        "SELECT COUNT(*) FROM rows r JOIN queue_keys q ON q.batch_id = "
                        "r.batch_id WHERE q.key = ? AND r.state IN ('queued', 'running')",
                        (queue_key,)).fetchone()[0]
                    check_room(waiting, adding, cap)
                db.execute("INSERT INTO queue_keys VALUES (?, ?)", (batch.id, queue_key))
            db.execute("INSERT INTO batches VALUES (?,?,?,?,?,?,?,?,?,?,NULL)",
                       (batch.id, batch.kind, batch.template_id, batch.template_version,
                        batch.base_url, batch.webhook_url, batch.pdf, len(rows), "running", now))
            db.executemany(
                "INSERT INTO rows (batch_id, n, body, file_name, image_id, state, error, finished)"
                " VALUES (?,?,?,?,?,?,?,?)",
                [(batch.id, row.number, row.body, row.file_name, image_id,
                  "failed" if row.error else "queued",
                  json.dumps(row.error) if row.error else None, now if row.error else None)
                 for row, image_id in zip(rows, image_ids)])
        self._tx(write)

    def claim(self, limit: int) -> list[Claimed]:
        def take(db):
            found = db.execute(
                "SELECT r.batch_id, r.n, b.template_id, r.body, r.image_id, r.attempts,"
                " b.template_version FROM rows r"
                " JOIN batches b ON b.id = r.batch_id WHERE r.state = 'queued' AND r.not_before"
                " <= ? ORDER BY b.created, r.batch_id, r.n LIMIT ?", (time.time(), limit)).fetchall()
            db.executemany("UPDATE rows SET state = 'running' WHERE batch_id = ? AND n = ?",
                           [(f[0], f[1]) for f in found])
            return [Claimed(*f) for f in found]
        return self._tx(take)

    def finish_row(self, batch_id: str, number: int, image_id: str | None,
                   error: dict | None, notes: dict | None = None) -> bool:
        """Record a row's outcome once: False if it was already finished (or cancelled)."""
        def write(db):
            cursor = db.execute(
                "UPDATE rows SET state = ?, image_id = COALESCE(?, image_id), error = ?,"
                " finished = ?, attempts = attempts + 1, notes = ? WHERE batch_id = ? AND n = ?"
                " AND state IN ('queued', 'running')",
                ("failed" if error else "done", image_id, json.dumps(error) if error else None,
                 time.time(), json.dumps(notes) if notes else None, batch_id, number))
            return cursor.rowcount == 1
        return self._tx(write)

    def retry_row(self, batch_id: str, number: int, delay: float) -> None:
        self._tx(lambda db: db.execute(
            "UPDATE rows SET state = 'queued', attempts = attempts + 1, not_before = ?"
            " WHERE batch_id = ? AND n = ? AND state = 'running'",
            (time.time() + delay, batch_id, number)))

    def finish_batch_if_done(self, batch_id: str) -> bool:
        """True exactly once: when the last row of a running batch has finished."""
        def write(db):
            left = db.execute("SELECT COUNT(*) FROM rows WHERE batch_id = ? AND state IN"
                              " ('queued', 'running')", (batch_id,)).fetchone()[0]
            if left:
                return False
            cursor = db.execute("UPDATE batches SET state = 'finished', finished = ? WHERE"
                                " id = ? AND state = 'running'", (time.time(), batch_id))
            return cursor.rowcount == 1
        return self._tx(write)

    def status(self, batch_id: str) -> dict | None:
        with self.lock:
            batch = self.db.execute("SELECT id, kind, template_id, template_version, base_url,"
                                    " webhook_url, pdf, total, state, created, finished FROM batches"
                                    " WHERE id = ?", (batch_id,)).fetchone()
            if batch is None:
                return None
            counts = dict(self.db.execute("SELECT state, COUNT(*) FROM rows WHERE batch_id = ?"
                                          " GROUP BY state", (batch_id,)).fetchall())
            errors = self.db.execute("SELECT n, error FROM rows WHERE batch_id = ? AND state ="
                                     " 'failed' ORDER BY n LIMIT ?",
                                     (batch_id, MAX_LISTED_ERRORS)).fetchall()
            notes = self.db.execute("SELECT n, notes FROM rows WHERE batch_id = ? AND notes IS"
                                    " NOT NULL ORDER BY n LIMIT ?",
                                    (batch_id, MAX_LISTED_ERRORS)).fetchall()
            deliveries = self.db.execute("SELECT url, attempts, state FROM deliveries WHERE"
                                         " batch_id = ? ORDER BY id", (batch_id,)).fetchall()
        keys = ("id", "kind", "templateId", "templateVersion", "baseUrl", "webhookUrl", "pdf",
                "total", "state", "created", "finished")
        info = dict(zip(keys, batch))
        return summarize(info, counts, [{"row": n, **json.loads(e)} for n, e in errors],
                         [{"url": u, "attempts": json.loads(a), "state": s}
                          for u, a, s in deliveries],
                         [{"row": n, **json.loads(note)} for n, note in notes])

    def results(self, batch_id: str) -> list[tuple[int, str | None, str]]:
        with self.lock:
            return self.db.execute("SELECT n, file_name, image_id FROM rows WHERE batch_id = ?"
                                   " AND state = 'done' ORDER BY n", (batch_id,)).fetchall()

    def cancel(self, batch_id: str) -> int | None:
        def write(db):
            if db.execute("SELECT 1 FROM batches WHERE id = ?", (batch_id,)).fetchone() is None:
                return None
            cursor = db.execute("UPDATE rows SET state = 'cancelled', finished = ? WHERE"
                                " batch_id = ? AND state = 'queued'", (time.time(), batch_id))
            return cursor.rowcount
        return self._tx(write)

    def image_state(self, image_id: str) -> dict | None:
        with self.lock:
            found = self.db.execute("SELECT r.state, r.error, b.template_id, b.id FROM rows r"
                                    " JOIN batches b ON b.id = r.batch_id WHERE r.image_id = ?",
                                    (image_id,)).fetchone()
        if found is None:
            return None
        state, error, template_id, batch_id = found
        return {"id": image_id, "templateId": template_id, "state": state,
                "error": json.loads(error) if error else None,
                "webhook": (self.status(batch_id) or {}).get("webhook")}

    def set_owner(self, batch_id: str, owner: str) -> None:
        """Who made the batch (a key's canonical identity): render-only keys see only theirs."""
        self._tx(lambda db: db.execute("INSERT OR REPLACE INTO owners VALUES (?, ?)",
                                       (batch_id, owner)))

    def owner(self, batch_id: str) -> str | None:
        with self.lock:
            found = self.db.execute("SELECT owner FROM owners WHERE batch_id = ?",
                                    (batch_id,)).fetchone()
        return found[0] if found else None

    def put_template(self, template_id: str, version: str, data: bytes) -> None:
        """The bytes of the template version a batch was queued with: its rows draw that
        version even if the template changes or is deleted before they run."""
        self._tx(lambda db: db.execute("INSERT OR IGNORE INTO templates VALUES (?, ?, ?)",
                                       (template_id, version, data)))

    def template_source(self, template_id: str, version: str) -> bytes | None:
        with self.lock:
            found = self.db.execute("SELECT data FROM templates WHERE id = ? AND version = ?",
                                    (template_id, version)).fetchone()
        return found[0] if found else None

    def resume(self) -> int:
        """After a restart: rows that were running are queued again."""
        return self._tx(lambda db: db.execute(
            "UPDATE rows SET state = 'queued' WHERE state = 'running'").rowcount)

    def add_delivery(self, batch_id: str, url: str, body: bytes) -> int:
        """The batch's one webhook delivery (made once, however often this is called)."""
        def write(db):
            found = db.execute("SELECT id FROM deliveries WHERE batch_id = ?",
                               (batch_id,)).fetchone()
            return found[0] if found else db.execute(
                "INSERT INTO deliveries (batch_id, url, body, next_at, state) VALUES "
                "(?,?,?,?,?)", (batch_id, url, body, time.time(), "pending")).lastrowid
        return self._tx(write)

    def due_deliveries(self) -> list[tuple[int, str, bytes, int]]:
        with self.lock:
            found = self.db.execute("SELECT id, url, body, attempts FROM deliveries WHERE state ="
                                    " 'pending' AND next_at <= ? ORDER BY next_at LIMIT 20",
                                    (time.time(),)).fetchall()
        return [(i, u, b, len(json.loads(a))) for i, u, b, a in found]

    def record_attempt(self, delivery_id: int, outcome: dict, next_delay: float | None) -> None:
        def write(db):
            attempts = json.loads(db.execute("SELECT attempts FROM deliveries WHERE id = ?",
                                             (delivery_id,)).fetchone()[0])
            attempts.append(outcome)
            state = "delivered" if outcome.get("ok") else (
                "pending" if next_delay is not None else "failed")
            db.execute("UPDATE deliveries SET attempts = ?, state = ?, next_at = ? WHERE id = ?",
                       (json.dumps(attempts), state,
                        time.time() + next_delay if next_delay is not None else None,
                        delivery_id))
        self._tx(write)


def summarize(info: dict, counts: dict[str, int], errors: list[dict],
              deliveries: list[dict], notes: list[dict] | None = None) -> dict:
    """The batch as GET /batches/{id} shows it: progress, rate, ETA, row errors, the rows whose
    text was cut, shrunk or overlaps (`notes`: warnings and fit report), webhooks."""
    done, failed = counts.get("done", 0), counts.get("failed", 0)
    finished = done + failed + counts.get("cancelled", 0)
    end = info.get("finished") or time.time()
    elapsed = max(end - info["created"], 1e-6)
    rate = (done + failed) / elapsed
    left = info["total"] - finished
    state = info["state"]
    if state == "running" and counts.get("cancelled") and not left:
        state = "cancelled"
    return {
        "id": info["id"], "kind": info["kind"], "templateId": info["templateId"],
        "templateVersion": info["templateVersion"], "state": state, "total": info["total"],
        "done": done, "failed": failed, "cancelled": counts.get("cancelled", 0),
        "queued": counts.get("queued", 0), "running": counts.get("running", 0),
        "rowsPerSecond": round(rate, 2),
        "etaSeconds": round(left / rate, 1) if rate > 0 and left else (0 if not left else None),
        "createdAt": info["created"], "finishedAt": info.get("finished"),
        "errors": errors, "notes": notes or [], "pdf": info.get("pdf"),
        "baseUrl": info["baseUrl"],
        "webhook": {"url": info["webhookUrl"], "deliveries": deliveries}
        if info.get("webhookUrl") else None,
    }
