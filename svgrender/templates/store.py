"""TemplateStore: templates in one directory, by file name; parsed once, reparsed on change.

A broken or hostile file never stops the store: it is kept as an invalid template with its reason.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path


from svgrender.errors import (Forbidden, InvalidParam, InvalidTemplate, Overloaded,
                              SvgRenderError, TemplateNotFound)
from svgrender.io.storage import atomic_write
from svgrender.settings import Settings
from svgrender.templates.fonts import FontLibrary
from svgrender.templates.loading import TemplateSource, load_here
from svgrender.templates.model import Template, version_of

log = logging.getLogger("svgrender.templates")

MAX_TEMPLATE_ID = 128
MANIFEST = ".uploaded.json"  # which ids were uploaded through the API


class LocalTemplateFiles:
    """Template files in one directory; a file's stamp is its (mtime, size)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def stamp(self, name: str):
        try:
            st = (self.directory / name).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def read(self, name: str) -> bytes | None:
        try:
            return (self.directory / name).read_bytes()
        except OSError:
            return None

    def write(self, name: str, data: bytes):
        (self.directory / name).parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.directory / name, data)  # unique temporary name: no collisions
        return self.stamp(name)

    def names_under(self, prefix: str) -> list[str]:
        folder = self.directory / prefix
        if not folder.is_dir():
            return []
        return sorted(prefix + p.name for p in folder.iterdir() if p.is_file()
                      and not p.name.startswith("."))

    def path_of(self, name: str) -> Path:
        return self.directory / name

    def remove(self, name: str) -> bool:
        try:
            (self.directory / name).unlink()
            return True
        except FileNotFoundError:
            return False

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.name for p in self.directory.glob("*.svg") if p.is_file())


UPLOADS = "_templates"  # uploaded templates and fonts, in the local storage directory


class UploadsOverFolder:
    """Uploaded templates (and fonts) in the storage directory, over the operator's templates
    folder: the API writes only the uploads, so a checkout's `templates/` stays as it came, and
    an upload is still there after a restart from the same storage. With
    SVGRENDER_TEMPLATES_WRITABLE the operator's own files may be replaced and deleted in place."""

    def __init__(self, uploads: LocalTemplateFiles, folder: LocalTemplateFiles,
                 folder_writable: bool = False):
        self.uploads, self.folder, self.folder_writable = uploads, folder, folder_writable
        self.directory = folder.directory

    def _in_folder_only(self, name: str) -> bool:
        return self.uploads.stamp(name) is None and self.folder.stamp(name) is not None

    def stamp(self, name: str):
        uploaded = self.uploads.stamp(name)
        return ("uploaded", *uploaded) if uploaded else self.folder.stamp(name)

    def read(self, name: str) -> bytes | None:
        data = self.uploads.read(name)
        return data if data is not None else self.folder.read(name)

    def write(self, name: str, data: bytes):
        if self.folder_writable and self._in_folder_only(name):
            return self.folder.write(name, data)
        return ("uploaded", *self.uploads.write(name, data))

    def remove(self, name: str) -> bool:
        removed = self.uploads.remove(name)
        if self.folder_writable or name.removesuffix(".svg") in self._legacy_uploads():
            removed = self.folder.remove(name) or removed
        return removed

    def _legacy_uploads(self) -> set[str]:
        """Ids an earlier version uploaded into the folder itself (its own manifest there)."""
        try:
            return set(json.loads(self.folder.read(MANIFEST) or b"[]"))
        except ValueError:
            return set()

    def names(self) -> list[str]:
        return sorted(set(self.uploads.names()) | set(self.folder.names()))

    def names_under(self, prefix: str) -> list[str]:
        return sorted(set(self.uploads.names_under(prefix)) | set(self.folder.names_under(prefix)))

    def path_of(self, name: str) -> Path:
        return self.uploads.path_of(name) if self.uploads.stamp(name) else self.folder.path_of(name)


class TemplateStore:
    """Templates by id (file name without `.svg`) in a directory or a bucket; reparsed when a
    file changes.

    `get(id)` answers the current parse; `get(id, version)` answers exactly that version or
    raises TemplateNotFound (what a worker asks for: the version the API checked).
    """

    def __init__(self, directory: Path, settings: Settings, files=None):
        self.directory = Path(directory)
        self.settings = settings
        self.files = files or LocalTemplateFiles(self.directory)
        self._cache: dict[str, tuple[object, Template]] = {}  # id -> (file stamp, parse)
        self._lock = threading.Lock()
        # Where untrusted parsing happens: here by default (CLI, workers themselves); the server
        # points it at its worker processes (executors.ProcessExecutor.template_loader).
        self.loader = lambda source: load_here(source, settings)
        self.fonts = FontLibrary(self.files, Path(settings.storage_dir) / "_fonts")

    @classmethod
    def for_settings(cls, settings: Settings) -> "TemplateStore":
        """The bucket's uploads with SVGRENDER_STORAGE_URL, else the storage directory's, over
        the operator's templates folder (never written for an upload)."""
        if settings.storage_url:
            from svgrender.io.s3 import Bucket, S3TemplateFiles

            bucket = Bucket(settings.storage_url, settings=settings)
            return cls(settings.templates_dir, settings, S3TemplateFiles(
                bucket, settings.template_refresh_seconds,
                LocalTemplateFiles(settings.templates_dir)))
        return cls(settings.templates_dir, settings, UploadsOverFolder(
            LocalTemplateFiles(Path(settings.storage_dir) / UPLOADS),
            LocalTemplateFiles(settings.templates_dir), settings.templates_writable))

    # --- which templates the API may change -------------------------------------------------

    def uploaded(self) -> set[str]:
        """Ids saved through the API (the others were put in the folder by the operator)."""
        try:
            return set(json.loads(self.files.read(MANIFEST) or b"[]"))
        except ValueError:
            return set()

    def _mark_uploaded(self, template_id: str, uploaded: bool) -> None:
        with self._lock:
            ids = self.uploaded()
            if (template_id in ids) == uploaded:
                return
            ids = ids | {template_id} if uploaded else ids - {template_id}
            self.files.write(MANIFEST, json.dumps(sorted(ids)).encode())

    def check_writable(self, template_id: str) -> None:
        """403 for the operator's own templates, unless SVGRENDER_TEMPLATES_WRITABLE."""
        name = self._name(template_id)
        if (self.settings.templates_writable or self.files.stamp(name) is None
                or template_id in self.uploaded()):
            return
        raise Forbidden(f"template {template_id!r} came with the server (it is in the templates "
                        "folder, not uploaded): upload your version under another id, or set "
                        "SVGRENDER_TEMPLATES_WRITABLE=1", field="templateId",
                        code="template_read_only")

    def _name(self, template_id: str) -> str:
        if (not template_id or len(template_id) > MAX_TEMPLATE_ID or template_id.startswith(".")
                or any(c in template_id for c in "/\\\0")):
            raise TemplateNotFound(f"Template {template_id[:MAX_TEMPLATE_ID]!r} not found")
        return f"{template_id}.svg"

    def check_id(self, template_id: str) -> str:
        name = self._name(template_id)
        if not all(c.isalnum() or c in "-_." for c in template_id):
            raise InvalidParam("template ids use letters, digits, '-', '_' and '.'",
                               field="templateId", code="invalid_template_id")
        return name

    def save(self, template_id: str, data: bytes, name: str | None = None) -> Template:
        """Sanitise and store an uploaded template; refuse it (422) if it cannot be used."""
        self.check_id(template_id)
        return self._store(TemplateSource(template_id, data, upload=True, title=name))

    def name_layer(self, template_id: str, path: str, name: str) -> Template:
        """Give the element at `path` the layer name `name` and store the template again."""
        data = self.files.read(self._name(template_id))
        if data is None:
            raise TemplateNotFound(f"Template {template_id!r} not found")
        return self._store(TemplateSource(template_id, data, upload=True, rename=(path, name)))

    def set_attributes(self, template_id: str, path: str, attributes: dict[str, str]) -> Template:
        """Set attributes on the element at `path` (a text layer's `data-box`) and store the
        template again: a new version, like naming a layer."""
        data = self.files.read(self._name(template_id))
        if data is None:
            raise TemplateNotFound(f"Template {template_id!r} not found")
        return self._store(TemplateSource(template_id, data, upload=True,
                                          attributes=(path, dict(attributes))))

    def _store(self, source: TemplateSource) -> Template:
        template, clean = self.loader(source)  # fails loudly: nothing is stored
        stamp = self.files.write(self._name(source.template_id), clean)
        with self._lock:
            self._cache[source.template_id] = (stamp, template)
        self._mark_uploaded(source.template_id, True)
        return template

    def delete(self, template_id: str) -> None:
        if not self.files.remove(self._name(template_id)):
            raise TemplateNotFound(f"Template {template_id!r} not found")
        with self._lock:
            self._cache.pop(template_id, None)
        self._mark_uploaded(template_id, False)

    def ids(self) -> list[str]:
        return [name[:-4] for name in self.files.names() if name.endswith(".svg")]

    def get(self, template_id: str, version: str | None = None) -> Template:
        """The current parse of a template (invalid ones included: check `.error`)."""
        name = self._name(template_id)
        stamp = self.files.stamp(name)
        if stamp is None:
            raise TemplateNotFound(f"Template {template_id!r} not found")
        cached = self._cache.get(template_id)
        if cached is None or cached[0] != stamp:
            with self._lock:
                cached = self._cache.get(template_id)
                if cached is None or cached[0] != stamp:
                    cached = (stamp, self._load(template_id, name))
                    self._cache[template_id] = cached
        template = cached[1]
        if version is not None and template.version != version:
            raise TemplateNotFound(f"Template {template_id!r} version {version[:20]!r} is gone "
                                   f"(current: {template.version})")
        return template

    def source(self, template_id: str, version: str) -> bytes | None:
        """The stored bytes of exactly this version, or None if the file is now another."""
        data = self.files.read(self._name(template_id))
        return data if data is not None and version_of(data) == version else None

    def loaded(self, template_id: str) -> Template | None:
        """The parse already in memory if the file has not changed since, else None (then call
        get() in a thread: it parses). Cheap enough for the event loop locally (one stat)."""
        cached = self._cache.get(template_id)
        if cached is None or getattr(self.files, "remote", False):
            return None
        try:
            stamp = self.files.stamp(self._name(template_id))
        except TemplateNotFound:
            return None
        return cached[1] if cached[0] == stamp else None

    def _load(self, template_id: str, name: str) -> Template:
        data = b""
        try:
            data = self.files.read(name)
            if data is None:
                raise TemplateNotFound(f"Template {template_id!r} not found")
            if len(data) > self.settings.max_template_bytes:
                raise InvalidTemplate(f"file is {len(data):,} bytes; the limit is "
                                      f"{self.settings.max_template_bytes:,}")
            return self.loader(TemplateSource(template_id, data))[0]
        except (TemplateNotFound, Overloaded):  # not the file's fault: try again next time
            raise
        except SvgRenderError as exc:
            reason = exc.message
        except Exception as exc:  # a hostile file must not take the service down
            reason = f"{type(exc).__name__}: {exc}"
        log.warning("template %s is invalid: %s", template_id, reason)
        return Template(template_id, version_of(data), error=reason)

    def valid(self, template_id: str, version: str | None = None) -> Template:
        template = self.get(template_id, version)
        if template.error:
            raise InvalidTemplate(f"Template {template_id!r} cannot be rendered: {template.error}")
        return template

    def all(self) -> list[Template]:
        out = []
        for template_id in self.ids():
            try:
                out.append(self.get(template_id))
            except TemplateNotFound:  # removed between listing and reading
                pass
        return out
