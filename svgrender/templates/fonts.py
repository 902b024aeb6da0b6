"""Fonts uploaded at run time (`POST /v1/fonts`), kept with the templates (a `fonts/` folder in
the templates folder or bucket) so every replica and worker draws with them.

A file is accepted only if fontTools reads it as a font with a family name, a character map and
outlines; WOFF and WOFF2 are unpacked to the plain sfnt fontconfig reads. Each process makes the
stored fonts known to fontconfig (and Pango) when it sees a new one: the API process after an
upload, worker processes before their next job.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from svgrender.draw.fonts import add_font_file
from svgrender.errors import BodyTooLarge, InvalidParam, SvgRenderError

log = logging.getLogger("svgrender.fonts")

PREFIX = "fonts/"


class FontTooLarge(BodyTooLarge):
    code = "font_too_large"


class FontTooCostly(InvalidParam):
    code = "font_too_costly"

FAMILY = re.compile(r"^[\w][\w .&'+-]{0,99}$")


@dataclass
class FontSource:
    """An uploaded font file, as a worker process is asked to read it."""

    data: bytes
    max_bytes: int
    max_unpacked: int = 20 * 1024 * 1024
    name: str | None = None


def _label(name: str | None) -> str:
    return f"font file {name!r}" if name else "font file"


def unpacked_size(data: bytes) -> int:
    """The size a WOFF/WOFF2 file says it unpacks to, read from its header and table directory
    before anything is decompressed (fontTools then holds each table to its declared size);
    a plain TTF/OTF is its own size."""
    import struct

    if data[:4] == b"wOFF" and len(data) >= 44:
        tables, total = struct.unpack(">H", data[12:14])[0], struct.unpack(">L", data[16:20])[0]
        declared = 0
        for i in range(tables):
            entry = data[44 + 20 * i:64 + 20 * i]
            if len(entry) < 20:
                break
            declared += struct.unpack(">L", entry[12:16])[0]
        return max(total, declared)
    if data[:4] == b"wOF2" and len(data) >= 48:
        from fontTools.ttLib.woff2 import WOFF2DirectoryEntry, woff2DirectorySize

        tables, total = struct.unpack(">H", data[12:14])[0], struct.unpack(">L", data[16:20])[0]
        stream, declared, sfnt = io.BytesIO(data[woff2DirectorySize:]), 0, 0
        for _ in range(tables):
            entry = WOFF2DirectoryEntry()
            try:
                entry.fromFile(stream)
            except Exception:  # a broken directory is fontTools' to report
                break
            declared += entry.length
            sfnt += entry.origLength
        return max(total, declared, sfnt)
    return len(data)


def check_unpacked(data: bytes, max_unpacked: int, name: str | None = None) -> None:
    """413 `font_too_large` for a font that unpacks to more than `max_unpacked` bytes."""
    size = unpacked_size(data)
    if max_unpacked and size > max_unpacked:
        raise FontTooLarge(f"{_label(name)} unpacks to {size:,} bytes; the limit is "
                           f"{max_unpacked:,} (SVGRENDER_MAX_FONT_UNPACKED_BYTES)",
                           field="body", code="font_too_large")


@dataclass
class FontInfo:
    family: str
    style: str
    file: str  # the stored name, under fonts/

    def json(self) -> dict:
        return {"family": self.family, "style": self.style, "file": self.file}


def read_font(data: bytes, max_bytes: int, max_unpacked: int = 20 * 1024 * 1024,
              name: str | None = None) -> tuple[bytes, FontInfo]:
    """The font as a plain TTF/OTF file, with its family; 422 `invalid_font` otherwise."""
    from fontTools.ttLib import TTFont

    if len(data) > max_bytes:
        raise InvalidParam(f"{_label(name)} is {len(data):,} bytes; the limit is {max_bytes:,} "
                           "(SVGRENDER_MAX_FONT_BYTES)", field="body", code="font_too_large")
    check_unpacked(data, max_unpacked, name)
    try:
        font = TTFont(io.BytesIO(data))
        names = font["name"]
        family = names.getBestFamilyName()
        style = names.getBestSubFamilyName() or "Regular"
        if "cmap" not in font or not ({"glyf", "CFF ", "CFF2"} & set(font.keys())):
            raise ValueError("no character map or no outlines")
        outlines = "otf" if {"CFF ", "CFF2"} & set(font.keys()) else "ttf"
        if font.flavor:  # WOFF / WOFF2: unpacked for fontconfig
            font.flavor = None
        out = io.BytesIO()
        font.save(out)
    except Exception as exc:  # fontTools raises many types on broken or hostile files
        raise InvalidParam(f"{_label(name)}: not a usable font (TTF, OTF, WOFF or WOFF2): "
                           f"{type(exc).__name__}: {exc}"[:300], field="body",
                           code="invalid_font") from None
    if not family or not FAMILY.match(family):
        raise InvalidParam(f"the font's family name {str(family)[:100]!r} is not usable",
                           field="body", code="invalid_font")
    sfnt = out.getvalue()
    if max_unpacked and len(sfnt) > max_unpacked:  # what is stored, whatever the header said
        raise FontTooLarge(f"{_label(name)} unpacks to {len(sfnt):,} bytes; the limit is "
                           f"{max_unpacked:,} (SVGRENDER_MAX_FONT_UNPACKED_BYTES)",
                           field="body", code="font_too_large")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{family}-{style}").strip("-")[:80]
    name = f"{slug}-{hashlib.sha256(sfnt).hexdigest()[:10]}.{outlines}"
    return sfnt, FontInfo(family, style, name)


class FontLibrary:
    """The stored fonts made known to this process's fontconfig (once each)."""

    def __init__(self, files, local_dir: Path):
        self.files = files  # the template store's files (local folder or bucket)
        self.local_dir = Path(local_dir)  # where remote fonts are copied for fontconfig
        self.added: set[str] = set()
        self._lock = threading.Lock()
        # Where an uploaded file is parsed: here by default; the server points it at its
        # worker processes (fontTools on a hostile file is untrusted work).
        self.reader = read_font

    def names(self) -> list[str]:
        return [n for n in self.files.names_under(PREFIX)
                if n.lower().endswith((".ttf", ".otf"))]

    def save(self, data: bytes, max_bytes: int, max_unpacked: int = 20 * 1024 * 1024,
             name: str | None = None, decode_timeout: float = 0.0) -> FontInfo:
        check_unpacked(data, max_unpacked, name)  # before any worker unpacks it
        started = time.monotonic()
        sfnt, info = self.reader(data, max_bytes, max_unpacked, name)
        took = time.monotonic() - started
        if decode_timeout and took > decode_timeout:  # in-thread reads cannot be stopped early
            raise FontTooCostly(f"{_label(name)} took {took:.1f} s to read; the limit is "
                                f"{decode_timeout:g} s (SVGRENDER_FONT_DECODE_TIMEOUT); "
                                "a large WOFF2 reads much faster sent as its TTF/OTF",
                                field="body")
        self.files.write(PREFIX + info.file, sfnt)
        self.sync()
        return info

    def sync(self) -> bool:
        """Add fonts stored since the last call; True when any was added. Storage trouble is
        not a render's trouble: the fonts already known stay, the next call tries again."""
        try:
            new = [n for n in self.names() if n not in self.added]
        except SvgRenderError as exc:
            log.warning("fonts not synchronised: %s", exc.message)
            return False
        if not new:
            return False
        with self._lock:
            added = False
            for name in new:
                if name in self.added:
                    continue
                try:
                    path = self._local_path(name)
                except (SvgRenderError, OSError) as exc:
                    log.warning("font %s not copied: %s", name, exc)
                    continue  # tried again next time
                if path is not None and add_font_file(path):
                    added = True
                self.added.add(name)  # a file fontconfig refuses is not retried forever
            return added

    def _local_path(self, name: str) -> Path | None:
        local = getattr(self.files, "path_of", None)
        path = local(name) if local else None
        if path is not None and path.is_file():
            return path
        data = self.files.read(name)
        if data is None:
            return None
        self.local_dir.mkdir(parents=True, exist_ok=True)
        path = self.local_dir / Path(name).name
        path.write_bytes(data)
        return path
