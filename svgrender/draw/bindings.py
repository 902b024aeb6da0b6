"""cairocffi, pangocffi and pangocairocffi without parsing C at every start.

The three packages declare their C API as C source that cffi parses with pycparser when they
are imported (cffi's in-line ABI mode): about a quarter of a second of CPU, the largest part of
`svgrender render`'s start-up. cffi's out-of-line ABI mode loads the same declarations from a
generated Python module with no parsing at all. `install()` generates those modules once (in
the cache folder, keyed by the packages' versions) from the very declarations the packages
parsed, and hands them to the packages in place of their own FFI objects: the same C functions
called the same way, so the same pixels.

Only for short-lived processes (`svgrender render`), called before anything imports cairocffi;
any surprise (a version without the attributes read here, xcffib present, a read-only cache)
leaves the packages to import as usual.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import logging
import os
import sys
import types
from importlib import metadata
from pathlib import Path

log = logging.getLogger("svgrender.bindings")

PACKAGES = ("cffi", "cairocffi", "pangocffi", "pangocairocffi")
# (module name, FFI it includes), in include order.
MODULES = (("cairo", None), ("pixbuf", "cairo"), ("pango", None), ("pangocairo", "pango"))


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    versions = ";".join(f"{name}={metadata.version(name)}" for name in PACKAGES)
    key = hashlib.sha256(f"{sys.version};{versions}".encode()).hexdigest()[:16]
    return Path(base) / "svgrender" / f"cffi-{key}"


def _own_sources(ffi) -> list[str]:
    """The cdef sources an FFI declared itself (an include adds the other's between [ ])."""
    own, depth = [], 0
    for source in ffi._cdefsources:
        if source == "[":
            depth += 1
        elif source == "]":
            depth -= 1
        elif depth == 0:
            own.append(source)
    return own


def _generate(folder: Path) -> None:
    """Import the packages as usual (parsing their C once) and write each FFI's declarations
    as an out-of-line ABI module."""
    from cffi import FFI

    import cairocffi.ffi
    import pangocairocffi.ffi_build
    import pangocffi.ffi_build  # noqa: F401 (the packages' own FFIs, parsed as usual)

    cairo = sys.modules["cairocffi.ffi"]  # (the package attribute `ffi` is the FFI itself)
    parsed = {"cairo": cairo.ffi, "pixbuf": cairo.ffi_pixbuf,
              "pango": sys.modules["pangocffi.ffi_build"].ffi,
              "pangocairo": sys.modules["pangocairocffi.ffi_build"].ffi}
    folder.mkdir(parents=True, exist_ok=True)
    builders: dict[str, FFI] = {}
    for name, included in MODULES:
        builder = FFI()
        if included:
            builder.include(builders[included])
        for source in _own_sources(parsed[name]):
            builder.cdef(source)
        builder.set_source(_module_name(name), None)
        builders[name] = builder
        temporary = folder / f"{_module_name(name)}.py.{os.getpid()}"
        with contextlib.redirect_stdout(io.StringIO()):  # cffi prints "generating …"
            builder.emit_python_code(str(temporary))
        os.replace(temporary, folder / f"{_module_name(name)}.py")  # whole or absent


def _module_name(name: str) -> str:
    return f"_svgrender_cffi_{name}"


def _load(folder: Path) -> dict[str, object]:
    loaded = {}
    for name, _ in MODULES:  # included modules first: a module imports the one it includes
        module_name = _module_name(name)
        spec = importlib.util.spec_from_file_location(module_name, folder / f"{module_name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        loaded[name] = module.ffi
    return loaded


def _stand_in(name: str, **values) -> None:
    module = types.ModuleType(name)
    module.__dict__.update(values)
    sys.modules[name] = module


def install() -> bool:
    """Give cairocffi, pangocffi and pangocairocffi pre-parsed FFIs; True if they got them."""
    if any(name in sys.modules for name in ("cairocffi", "pangocffi", "pangocairocffi")):
        return False  # too late: they parsed already
    if importlib.util.find_spec("xcffib") is not None:
        return False  # cairocffi then declares XCB too: leave it to do so
    try:
        folder = cache_folder()
    except (RuntimeError, KeyError, metadata.PackageNotFoundError):  # no home, no metadata
        return False
    if not all((folder / f"{_module_name(name)}.py").is_file() for name, _ in MODULES):
        try:
            _generate(folder)  # parses this once: this process gains nothing
        except Exception as exc:  # noqa: BLE001 — e.g. no writable cache: imported as usual
            log.debug("pre-parsed cffi bindings not written: %r", exc)
        return False
    try:
        ffis = _load(folder)
        _stand_in("cairocffi.ffi", ffi=ffis["cairo"], ffi_pixbuf=ffis["pixbuf"])
        _stand_in("pangocffi.ffi_build", ffi=ffis["pango"])
        _stand_in("pangocairocffi.ffi_build", ffi=ffis["pangocairo"])
        with _remembered_library_names(folder / "libraries.json"):
            import cairocffi
            import pangocairocffi
            import pangocffi  # noqa: F401 (imported here, under the remembered names)
    except Exception as exc:  # noqa: BLE001 — any failure: the packages import as usual
        log.debug("pre-parsed cffi bindings not used: %r", exc)
        _forget()
        return False
    return True


def _forget() -> None:
    """Undo a half-done install: the next import of the packages starts afresh."""
    for name in list(sys.modules):
        if name.split(".")[0] in ("cairocffi", "pangocffi", "pangocairocffi") \
                or name.startswith("_svgrender_cffi_"):
            del sys.modules[name]


@contextlib.contextmanager
def _remembered_library_names(path: Path):
    """ctypes.util.find_library answered from a file while the packages load. They look each
    library up under several names, and each name not found costs a gcc/ld run (~40 ms);
    the answers (sonames like libcairo.so.2) are remembered on the first run. A remembered
    name that no longer loads makes the package try its next one, as without this."""
    import ctypes.util
    import json

    original = ctypes.util.find_library
    try:
        known = json.loads(path.read_text())
    except (OSError, ValueError):
        known = {}
    asked: dict[str, str | None] = {}

    def find_library(name: str) -> str | None:
        if name not in known:
            known[name] = original(name)
        asked[name] = known[name]
        return known[name]

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original
    if asked and not path.is_file():
        temporary = path.with_suffix(f".{os.getpid()}")
        with contextlib.suppress(OSError):  # not remembered: asked again next time
            temporary.write_text(json.dumps(asked))
            os.replace(temporary, path)
