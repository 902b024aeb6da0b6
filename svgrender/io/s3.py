"""Object storage (AWS S3, MinIO, Cloudflare R2, Ceph RGW) through boto3, chosen by
SVGRENDER_STORAGE_URL=s3://bucket/prefix; endpoint, region and credentials come from the usual
AWS variables (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).

Under the prefix: `files/` (rendered images), `records/` (answers), `results/` (the result and
link index) and `templates/` (uploaded templates), so every replica sees the same things.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Callable
from urllib.parse import urlsplit

from svgrender.errors import StorageUnavailable
from svgrender.io.storage import FILE_NAME, IMAGE_ID, RESULT_KEY, FileMissing, StoredFile


class Bucket:
    """The few object operations the stores need, on one bucket and prefix."""

    def __init__(self, url: str, endpoint_url: str | None = None, settings=None):
        """`endpoint_url` None: boto3 reads AWS_ENDPOINT_URL (MinIO, R2, a test server)."""
        import boto3
        from botocore.config import Config

        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"SVGRENDER_STORAGE_URL must be s3://bucket/prefix, got {url!r}")
        self.name = parts.netloc
        self.prefix = parts.path.strip("/") + "/" if parts.path.strip("/") else ""
        # Short deadlines (settings): a hung bucket is a quick 503, not a minute's wait.
        connect, read, attempts = ((settings.s3_connect_timeout, settings.s3_read_timeout,
                                    settings.s3_max_attempts) if settings is not None
                                   else (2.0, 5.0, 2))
        self.client = boto3.client("s3", endpoint_url=endpoint_url, config=Config(
            retries={"max_attempts": attempts, "mode": "standard"}, connect_timeout=connect,
            read_timeout=read, max_pool_connections=32))
        self.missing = (self.client.exceptions.NoSuchKey,)

    def key(self, name: str) -> str:
        return self.prefix + name

    def put(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        try:
            answer = self.client.put_object(Bucket=self.name, Key=self.key(name), Body=data,
                                            ContentType=content_type)
        except Exception as exc:  # botocore raises many kinds; all mean "not stored"
            raise StorageUnavailable(f"the object storage refused a write "
                                     f"({type(exc).__name__})") from None
        return answer.get("ETag", "")

    def _absent(self, exc: Exception) -> bool:
        return isinstance(exc, self.missing) or (
            isinstance(exc, self.client.exceptions.ClientError)
            and exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"))

    def _unavailable(self, what: str, exc: Exception) -> StorageUnavailable:
        # Any other failure (refused, unreachable, throttled): a 503 naming it, never a 500.
        return StorageUnavailable(f"the object storage failed to {what} "
                                  f"({type(exc).__name__})")

    def get(self, name: str):
        """(body stream, size, etag) or None when there is no such object."""
        try:
            answer = self.client.get_object(Bucket=self.name, Key=self.key(name))
        except Exception as exc:
            if self._absent(exc):
                return None
            raise self._unavailable("read", exc) from None
        return answer["Body"], answer["ContentLength"], answer.get("ETag", "")

    def read(self, name: str) -> bytes | None:
        found = self.get(name)
        if found is None:
            return None
        with found[0] as body:
            return body.read()

    def delete(self, name: str) -> None:
        try:
            self.client.delete_object(Bucket=self.name, Key=self.key(name))
        except Exception as exc:
            raise self._unavailable("delete", exc) from None

    def copy(self, existing: str, new: str) -> None:
        try:
            self.client.copy_object(Bucket=self.name, Key=self.key(new),
                                    CopySource={"Bucket": self.name, "Key": self.key(existing)})
        except Exception as exc:
            if self._absent(exc):
                raise FileMissing(existing) from None
            raise self._unavailable("copy", exc) from None

    def listing(self, folder: str) -> dict[str, tuple[str, float]]:
        """name (under folder) -> (etag, last modified as a timestamp)."""
        out = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=self.key(folder))
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"][len(self.key(folder)):]
                    out[name] = (item["ETag"], item["LastModified"].timestamp())
        except Exception as exc:
            raise self._unavailable("list", exc) from None
        return out


class S3FileStore:
    remote = True  # calls block on the network: callers use a thread

    def __init__(self, bucket: Bucket, public_base: str | None = None,
                 media_type: Callable[[str], str] = lambda name: "application/octet-stream"):
        """`media_type(file name)`: the Content-Type each file is stored with (the output
        formats' own, formats.media_type: given by wiring.py, so io/ knows no formats)."""
        self.bucket, self.public_base, self.media_type = bucket, public_base, media_type

    def put(self, name: str, data: bytes) -> None:
        self.bucket.put("files/" + name, data, self.media_type(name))

    def open(self, name: str) -> StoredFile | None:
        if not FILE_NAME.match(name):
            return None
        found = self.bucket.get("files/" + name)
        if found is None:
            return None
        body, size, etag = found
        return StoredFile(size, f'"{name}-{etag.strip(chr(34))[:16]}"', body)

    def delete(self, name: str) -> None:
        if FILE_NAME.match(name):
            self.bucket.delete("files/" + name)

    def copy(self, existing: str, new: str) -> None:
        self.bucket.copy("files/" + existing, "files/" + new)

    def public_url(self, name: str) -> str | None:
        return f"{self.public_base.rstrip('/')}/{name}" if self.public_base else None

    def health(self, min_free_bytes: int) -> dict:
        try:
            self.bucket.put("health/probe", b"ok")
            return {"ok": True, "bucket": self.bucket.name}
        except StorageUnavailable as exc:
            return {"ok": False, "error": exc.message}

    def names(self) -> dict[str, tuple[str, float]]:
        return self.bucket.listing("files/")


class S3RecordStore:
    remote = True

    def __init__(self, bucket: Bucket):
        self.bucket = bucket

    def put_record(self, image_id: str, record: dict) -> None:
        if not IMAGE_ID.match(image_id):
            raise ValueError(f"not an image id: {image_id[:40]!r}")
        self.bucket.put(f"records/{image_id}.json", json.dumps(record).encode(),
                        "application/json")

    def get_record(self, image_id: str) -> dict | None:
        if not IMAGE_ID.match(image_id):
            return None
        data = self.bucket.read(f"records/{image_id}.json")
        return json.loads(data) if data else None

    def delete_record(self, image_id: str) -> None:
        if IMAGE_ID.match(image_id):
            self.bucket.delete(f"records/{image_id}.json")

    def put_alias(self, key: str, image_id: str) -> None:
        if RESULT_KEY.match(key) and IMAGE_ID.match(image_id):
            self.bucket.put(f"results/{key}", image_id.encode(), "text/plain")

    def get_alias(self, key: str) -> str | None:
        if not RESULT_KEY.match(key):
            return None
        data = self.bucket.read(f"results/{key}")
        return data.decode() if data else None

    def record_ages(self):
        for name, (_, modified) in self.bucket.listing("records/").items():
            if name.endswith(".json"):
                yield name[:-5], modified

    def alias_items(self):
        for key in self.bucket.listing("results/"):
            value = self.get_alias(key)
            if value:
                yield key, value

    def delete_alias(self, key: str) -> None:
        if RESULT_KEY.match(key):
            self.bucket.delete(f"results/{key}")


class S3TemplateFiles:
    """Uploaded templates as objects, over the operator's read-only templates folder (`local`,
    e.g. the demo templates). The listing is refreshed every few seconds, so a replica notices
    another one's upload or change within SVGRENDER_TEMPLATE_REFRESH_SECONDS."""

    remote = True

    def __init__(self, bucket: Bucket, refresh_seconds: float, local=None):
        self.bucket, self.refresh, self.local = bucket, refresh_seconds, local
        self.known: dict[str, tuple[str, float]] = {}
        self.listed_at = 0.0
        self.lock = threading.Lock()

    def _listing(self) -> dict[str, tuple[str, float]]:
        with self.lock:
            if time.monotonic() - self.listed_at > self.refresh:
                self.known = self.bucket.listing("templates/")
                self.listed_at = time.monotonic()
            return self.known

    def stamp(self, name: str):
        found = self._listing().get(name)
        if found:
            return found[0]
        return self.local.stamp(name) if self.local and name.endswith(".svg") else None

    def read(self, name: str) -> bytes | None:
        if name in self._listing() or not (self.local and name.endswith(".svg")):
            return self.bucket.read("templates/" + name)
        return self.local.read(name)

    def write(self, name: str, data: bytes):
        kind = "image/svg+xml" if name.endswith(".svg") else "application/octet-stream"
        etag = self.bucket.put("templates/" + name, data, kind)
        with self.lock:
            self.known[name] = (etag, time.time())
        return etag

    def remove(self, name: str) -> bool:
        if name not in self._listing() and self.bucket.read("templates/" + name) is None:
            return False  # not uploaded (the local folder is read-only here)
        self.bucket.delete("templates/" + name)
        with self.lock:
            self.known.pop(name, None)
        return True

    def names(self) -> list[str]:
        local = self.local.names() if self.local else []
        return sorted(set(self._listing()) | set(local))

    def names_under(self, prefix: str) -> list[str]:
        local = self.local.names_under(prefix) if self.local else []
        return sorted({n for n in self._listing() if n.startswith(prefix)} | set(local))

    def path_of(self, name: str):
        """The operator's own fonts are files already; uploaded ones are copied (None)."""
        if self.local and name not in self._listing():
            return self.local.path_of(name)
        return None

