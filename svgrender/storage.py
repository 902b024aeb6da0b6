"""Where rendered files go. LocalStorage is the default; others implement the same four methods."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

FILE_NAME = re.compile(r"^[0-9a-f]{10}(-thumb|-thumb-2x)?\.(jpeg|png|webp|pdf|svg)$")
IMAGE_ID = re.compile(r"^[0-9a-f]{10}$")
RESULT_KEY = re.compile(r"^[0-9a-f]{64}$")


class Storage(Protocol):
    def put(self, name: str, data: bytes) -> None: ...
    def path(self, name: str) -> Path | None: ...
    def delete(self, name: str) -> None: ...
    def put_record(self, image_id: str, record: dict) -> None: ...
    def get_record(self, image_id: str) -> dict | None: ...
    def delete_record(self, image_id: str) -> None: ...
    def link(self, existing: str, new: str) -> None: ...
    def put_alias(self, key: str, image_id: str) -> None: ...
    def get_alias(self, key: str) -> str | None: ...


class LocalStorage:
    """Files in one directory; render records (the JSON answers) in its `_records/` folder."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.records = self.directory / "_records"
        self.records.mkdir(parents=True, exist_ok=True)
        self.aliases = self.directory / "_results"  # result key -> first image id
        self.aliases.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _atomic_write(path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    def put(self, name: str, data: bytes) -> None:
        if not FILE_NAME.match(name):
            raise ValueError(f"bad file name {name!r}")
        self._atomic_write(self.directory / name, data)

    def path(self, name: str) -> Path | None:
        """The file's path, only for names we could have written (no traversal possible)."""
        if not FILE_NAME.match(name):
            return None
        candidate = self.directory / name
        return candidate if candidate.is_file() else None

    def delete(self, name: str) -> None:
        if FILE_NAME.match(name):
            (self.directory / name).unlink(missing_ok=True)

    def put_record(self, image_id: str, record: dict) -> None:
        self._atomic_write(self.records / f"{image_id}.json", json.dumps(record).encode())

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

    def link(self, existing: str, new: str) -> None:
        """The same bytes under a second name (a hard link: no copy, deletable separately)."""
        if not (FILE_NAME.match(existing) and FILE_NAME.match(new)):
            raise ValueError("bad file name")
        os.link(self.directory / existing, self.directory / new)

    def put_alias(self, key: str, image_id: str) -> None:
        if RESULT_KEY.match(key):
            self._atomic_write(self.aliases / key, image_id.encode())

    def get_alias(self, key: str) -> str | None:
        if not RESULT_KEY.match(key):
            return None
        try:
            value = (self.aliases / key).read_text()
        except OSError:
            return None
        return value if IMAGE_ID.match(value) else None
