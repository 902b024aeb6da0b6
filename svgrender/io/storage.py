"""Where rendered files and answer records go: two small interfaces, each with a local backend.

`FileStore` holds the image files (immutable bytes by name); `RecordStore` holds each render's
JSON answer and the result index (result key → first image id). An object-storage backend
implements the same methods; the service never sees a path.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, BinaryIO, Protocol

from svgrender import metrics
from svgrender.errors import StorageFull, StorageUnavailable

# Every name we write: an image id, a variant, an extension. Nothing else is ever read or served.
FILE_NAME = re.compile(r"^[0-9a-f]{10}(-thumb|-thumb-2x)?\.[a-z0-9]{2,5}$")
IMAGE_ID = re.compile(r"^[0-9a-f]{10}$")
RESULT_KEY = re.compile(r"^[0-9a-f]{64}$")


class FileMissing(LookupError):
    """A stored file is gone (deleted or swept since it was indexed)."""


@dataclass
class StoredFile:
    size: int
    etag: str
    stream: BinaryIO  # the caller closes it
    path: Path | None = None  # set when the bytes are a local file (sendfile-friendly)


class FileStore(Protocol):
    remote: bool  # its calls block on the network: the service makes them in a thread

    def put(self, name: str, data: bytes) -> None: ...
    def open(self, name: str) -> StoredFile | None: ...
    def delete(self, name: str) -> None: ...
    def copy(self, existing: str, new: str) -> None: ...  # raises FileMissing
    def public_url(self, name: str) -> str | None: ...  # None: served through /files/
    def health(self, min_free_bytes: int) -> dict: ...  # {"ok": bool, …} for /readyz


class RecordStore(Protocol):
    remote: bool  # as FileStore.remote

    def put_record(self, image_id: str, record: dict) -> None: ...
    def get_record(self, image_id: str) -> dict | None: ...
    def delete_record(self, image_id: str) -> None: ...
    def put_alias(self, key: str, image_id: str) -> None: ...
    def get_alias(self, key: str) -> str | None: ...
    # For the retention sweep:
    def record_ages(self) -> Iterator[tuple[str, float]]: ...  # (image id, stored at)
    def alias_items(self) -> Iterator[tuple[str, str]]: ...  # (key, image id)
    def delete_alias(self, key: str) -> None: ...


def new_file_write(path: Path, data: bytes) -> None:
    """A file under a name nobody has been given yet (a new image's): created and written in
    place, one file-system entry and no rename (a third of the cost of atomic_write's on a busy
    disk). A name that exists already (a job row drawn again) is replaced atomically."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return atomic_write(path, data)
    except OSError as exc:
        raise _storage_error(exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        path.unlink(missing_ok=True)  # no partial file left behind
        raise _storage_error(exc) from None


def _storage_error(exc: OSError) -> Exception:
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    metrics.setup().storage_errors.labels("storage_full" if full else
                                          "storage_unavailable").inc()
    if full:
        return StorageFull("the image storage is full; try again later")
    return StorageUnavailable(f"the image storage refused a write "
                              f"({errno.errorcode.get(exc.errno, exc.errno)})")


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a unique temporary name, then rename: readers never see a partial file, and a
    failed write (a full disk) leaves nothing behind."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise _storage_error(exc) from None


class LocalFileStore:
    """Files in one directory."""

    remote = False  # local disk: called directly

    def __init__(self, directory: Path, public_base: str | None = None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.public_base = public_base

    def _path(self, name: str) -> Path:
        if not FILE_NAME.match(name):
            raise ValueError(f"not a stored file name: {name[:80]!r}")
        return self.directory / name

    def put(self, name: str, data: bytes) -> None:
        # Rendered files get new names; nothing points at one before its record is written.
        new_file_write(self._path(name), data)

    def open(self, name: str) -> StoredFile | None:
        """Only names we could have written (no traversal possible)."""
        if not FILE_NAME.match(name):
            return None
        path = self.directory / name
        try:
            handle = path.open("rb")
        except OSError:
            return None
        stat = os.fstat(handle.fileno())
        return StoredFile(stat.st_size, f'"{name}-{stat.st_size:x}"', handle, path)

    def delete(self, name: str) -> None:
        if FILE_NAME.match(name):
            (self.directory / name).unlink(missing_ok=True)

    def copy(self, existing: str, new: str) -> None:
        """The same bytes under a second name (a hard link: no copy, deletable separately)."""
        try:
            os.link(self._path(existing), self._path(new))
        except FileNotFoundError:
            raise FileMissing(existing) from None
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull("the image storage is full; try again later") from None
            raise StorageUnavailable("the image storage refused a write") from None

    def public_url(self, name: str) -> str | None:
        return f"{self.public_base.rstrip('/')}/{name}" if self.public_base else None

    def health(self, min_free_bytes: int) -> dict:
        """Writable, with room: a full disk is reported before renders fail on it."""
        try:
            free = shutil.disk_usage(self.directory).free
        except OSError as exc:
            return {"ok": False, "error": str(exc)[:200]}
        if not os.access(self.directory, os.W_OK):
            return {"ok": False, "error": "the storage directory is not writable",
                    "freeBytes": free}
        ok = free >= min_free_bytes
        return {"ok": ok, "freeBytes": free, **({} if ok else {
            "error": f"{free:,} bytes free, under SVGRENDER_MIN_FREE_BYTES"})}


class LocalRecordStore:
    """Answers in `_records/<id>.json`; the result index in `_results/<key>`."""

    remote = False  # local disk: called directly

    def __init__(self, directory: Path):
        self.records = Path(directory) / "_records"
        self.aliases = Path(directory) / "_results"
        self.records.mkdir(parents=True, exist_ok=True)
        self.aliases.mkdir(parents=True, exist_ok=True)

    def put_record(self, image_id: str, record: dict) -> None:
        if not IMAGE_ID.match(image_id):
            raise ValueError(f"not an image id: {image_id[:40]!r}")
        atomic_write(self.records / f"{image_id}.json", json.dumps(record).encode())

    def get_record(self, image_id: str) -> dict | None:
        if not IMAGE_ID.match(image_id):
            return None
        try:
            return json.loads((self.records / f"{image_id}.json").read_bytes())
        except (OSError, ValueError):
            return None

    def delete_record(self, image_id: str) -> None:
        if IMAGE_ID.match(image_id):
            (self.records / f"{image_id}.json").unlink(missing_ok=True)

    def put_alias(self, key: str, image_id: str) -> None:
        if RESULT_KEY.match(key) and IMAGE_ID.match(image_id):
            atomic_write(self.aliases / key, image_id.encode())

    def get_alias(self, key: str) -> str | None:
        if not RESULT_KEY.match(key):
            return None
        try:
            value = (self.aliases / key).read_text()
        except OSError:
            return None
        return value if IMAGE_ID.match(value) else None

    def record_ages(self) -> Iterator[tuple[str, float]]:
        for path in self.records.glob("*.json"):
            try:
                yield path.stem, path.stat().st_mtime
            except OSError:
                continue

    def alias_items(self) -> Iterator[tuple[str, str]]:
        for path in self.aliases.iterdir():
            if RESULT_KEY.match(path.name):
                try:
                    yield path.name, path.read_text()
                except OSError:
                    continue

    def delete_alias(self, key: str) -> None:
        if RESULT_KEY.match(key):
            (self.aliases / key).unlink(missing_ok=True)


class MemoryFileStore:
    """Files in a dict: the CLI's `render` (which writes only its output file) and tests."""

    remote = False

    def __init__(self):
        self.files: dict[str, bytes] = {}

    def put(self, name: str, data: bytes) -> None:
        self.files[name] = data

    def open(self, name: str) -> StoredFile | None:
        data = self.files.get(name)
        if data is None:
            return None
        return StoredFile(len(data), f'"{name}-{len(data):x}"', io.BytesIO(data))

    def delete(self, name: str) -> None:
        self.files.pop(name, None)

    def copy(self, existing: str, new: str) -> None:
        if existing not in self.files:
            raise FileMissing(existing)
        self.files[new] = self.files[existing]

    def public_url(self, name: str) -> str | None:
        return None

    def health(self, min_free_bytes: int) -> dict:
        return {"ok": True}


class MemoryRecordStore:
    remote = False

    def __init__(self):
        self.records: dict[str, dict] = {}
        self.aliases: dict[str, str] = {}

    def put_record(self, image_id: str, record: dict) -> None:
        self.records[image_id] = json.loads(json.dumps(record))

    def get_record(self, image_id: str) -> dict | None:
        return self.records.get(image_id)

    def delete_record(self, image_id: str) -> None:
        self.records.pop(image_id, None)

    def put_alias(self, key: str, image_id: str) -> None:
        self.aliases[key] = image_id

    def get_alias(self, key: str) -> str | None:
        return self.aliases.get(key)

    def record_ages(self) -> Iterator[tuple[str, float]]:
        return iter([(i, r.get("_stored", time.time())) for i, r in self.records.items()])

    def alias_items(self) -> Iterator[tuple[str, str]]:
        return iter(list(self.aliases.items()))

    def delete_alias(self, key: str) -> None:
        self.aliases.pop(key, None)
