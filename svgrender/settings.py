"""One settings object, read from SVGRENDER_* environment variables, passed down explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"SVGRENDER_{name}", default)


def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    templates_dir: Path = Path("templates")
    storage_dir: Path = Path("data/images")
    fonts_dir: Path = Path(__file__).resolve().parent.parent / "fonts"
    public_url: str | None = None
    api_keys: tuple[str, ...] = ()
    thumb_width: int = 400
    # Request limits: every size and count has one.
    max_body_bytes: int = 1024 * 1024
    max_text_chars: int = 10_000
    max_metadata_bytes: int = 4096
    max_params: int = 200
    max_scale: float = 4.0
    max_output_pixels: int = 40_000_000
    max_image_bytes: int = 15 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_template_bytes: int = 5 * 1024 * 1024
    max_blur_px: float = 200.0  # stdDeviation at 1x
    max_in_flight: int = 64  # renders queued or running; beyond it: 503 + Retry-After
    workers: int = 0  # render processes; 0 = render in threads of the server process
    max_queue: int = 32  # renders waiting for a worker; beyond it: 503 + Retry-After
    render_timeout: float = 10.0
    worker_max_renders: int = 1000
    worker_max_rss_mb: float = 600.0
    # Image fetching (SSRF-safe): see fetch.py.
    # CIDRs where non-public addresses are allowed anyway (on-prem image servers, our tests).
    allow_private_networks: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    blocked_hosts: tuple[str, ...] = ()
    fetch_connect_timeout: float = 3.0
    fetch_total_timeout: float = 10.0
    fetch_max_redirects: int = 5
    max_image_layers: int = 10
    image_cache_bytes: int = 256 * 1024 * 1024
    image_cache_ttl: float = 3600.0  # freshness when the upstream sends no Cache-Control
    cache_dir: Path | None = Path("data/cache")
    user_agent: str = "svgrender/0.1 (image fetcher; +https://github.com/svgrender)"
    jpeg_quality: int = 90
    png_compress_level: int = 1  # speed over a few % of size; see README
    webp_quality: int = 85
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "Settings":
        base = cls()
        return replace(
            base,
            templates_dir=Path(_env("TEMPLATES_DIR", str(base.templates_dir))),
            storage_dir=Path(_env("STORAGE_DIR", str(base.storage_dir))),
            fonts_dir=Path(_env("FONTS_DIR", str(base.fonts_dir))),
            public_url=_env("PUBLIC_URL", "") or None,
            api_keys=_list(_env("API_KEYS", "")),
            thumb_width=int(_env("THUMB_WIDTH", str(base.thumb_width))),
            max_body_bytes=int(_env("MAX_BODY_BYTES", str(base.max_body_bytes))),
            max_output_pixels=int(_env("MAX_OUTPUT_PIXELS", str(base.max_output_pixels))),
            max_image_bytes=int(_env("MAX_IMAGE_BYTES", str(base.max_image_bytes))),
            max_image_pixels=int(_env("MAX_IMAGE_PIXELS", str(base.max_image_pixels))),
            max_blur_px=float(_env("MAX_BLUR", "200")),
            max_in_flight=int(_env("MAX_IN_FLIGHT", str(base.max_in_flight))),
            workers=int(_env("WORKERS", str(os.cpu_count() or 1))),
            max_queue=int(_env("MAX_QUEUE", str(base.max_queue))),
            render_timeout=float(_env("RENDER_TIMEOUT", str(base.render_timeout))),
            worker_max_renders=int(_env("WORKER_MAX_RENDERS", str(base.worker_max_renders))),
            worker_max_rss_mb=float(_env("WORKER_MAX_RSS_MB", str(base.worker_max_rss_mb))),
            allow_private_networks=_list(_env("ALLOW_PRIVATE_NETWORKS", "")),
            allowed_hosts=_list(_env("ALLOWED_HOSTS", "")),
            blocked_hosts=_list(_env("BLOCKED_HOSTS", "")),
            fetch_connect_timeout=float(_env("FETCH_CONNECT_TIMEOUT", "3")),
            fetch_total_timeout=float(_env("FETCH_TIMEOUT", "10")),
            max_image_layers=int(_env("MAX_IMAGE_LAYERS", "10")),
            image_cache_bytes=int(_env("IMAGE_CACHE_BYTES", str(base.image_cache_bytes))),
            cache_dir=Path(_env("CACHE_DIR", "data/cache")) if _env("CACHE_DIR", "x") else None,
            jpeg_quality=int(_env("JPEG_QUALITY", str(base.jpeg_quality))),
            png_compress_level=int(_env("PNG_COMPRESS_LEVEL", str(base.png_compress_level))),
        )
