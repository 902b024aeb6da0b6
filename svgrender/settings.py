"""Every option, declared once: field name, environment variable, type, default and doc.

`Settings.from_env()` reads them generically; the documentation's configuration reference is
generated from this list when the site is built (docs/hooks.py). One object is built at start-up
and passed down; nothing deeper reads the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

PACKAGE_FONTS = Path(__file__).resolve().parent.parent / "fonts"


def option(default: Any, doc: str, env: str | None = None) -> Any:
    """One setting. `env` defaults to SVGRENDER_<FIELD NAME IN UPPER CASE>; "" = not settable."""
    factory = (lambda: default) if isinstance(default, (list, dict, set)) else None
    meta = {"doc": doc, "env": env}
    if factory:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    # Where things are.
    templates_dir: Path = option(Path("templates"), "template folder")
    storage_dir: Path = option(Path("data/images"),
                               "where rendered files and their records go")
    fonts_dir: Path = option(PACKAGE_FONTS, "added to fontconfig at start-up")
    public_url: str | None = option(None, "base of the returned URLs (files, links, batches); "
                                          "unset: an allowed Host (SVGRENDER_PUBLIC_HOSTS), "
                                          "else the address the connection reached")
    public_hosts: tuple[str, ...] = option((), "comma-separated Host names (`name`, `name:port`, "
                                               "`*.example.com`) whose Host header may be the "
                                               "base of answers' URLs when SVGRENDER_PUBLIC_URL "
                                               "is unset; any other Host is ignored")
    min_free_bytes: int = option(256 * 1024 * 1024, "/readyz reports not ready when the "
                                                     "storage has less free space")
    storage_url: str | None = option(None, "s3://bucket/prefix: images, answers, the result "
                                           "index and uploaded templates in object storage "
                                           "(endpoint and credentials: the AWS_* variables)")
    public_files_url: str | None = option(None, "serve files from here (a bucket website or "
                                                "CDN) instead of /files/")
    retention_days: float = option(0.0, "delete stored renders older than this (0: keep)")
    storage_max_bytes: int = option(0, "local storage: delete the oldest renders beyond this "
                                       "many bytes (0: no limit)")
    sweep_interval_seconds: float = option(600.0, "how often the retention sweep runs")
    template_refresh_seconds: float = option(2.0, "how stale a replica's list of templates in "
                                                  "object storage may be")
    cache_dir: Path | None = option(None, "downloaded image bytes on disk (default: `_cache` "
                                          "in the storage directory)")
    # Access.
    api_keys: tuple[str, ...] = option((), "comma-separated keys (several at once for "
                                           "rotation); unset = open API")
    admin_keys: tuple[str, ...] = option((), "keys that may also upload, replace and delete "
                                             "templates and delete images; once set, "
                                             "SVGRENDER_API_KEYS are render-only")
    templates_writable: bool = option(False, "let the API replace, rename layers of and delete "
                                             "templates put in the folder by the operator (not "
                                             "uploaded)")
    cors_origins: tuple[str, ...] = option((), "comma-separated origins whose pages may call "
                                               "the API from a browser (* for any)")
    link_keys: tuple[str, ...] = option((), "comma-separated render-link signing keys: the "
                                            "first signs, all verify (rotation)")
    unsigned_links: bool = option(False, "accept render links without a signature (anyone "
                                         "can then render any params: see the render links page)")
    # Outputs.
    thumb_width: int = option(400, "thumbnail width (retina = 2×)")
    jpeg_quality: int = option(90, "JPEG quality, 4:2:0 chroma subsampling")
    png_compress_level: int = option(1, "zlib level: 1 is several times faster than 6 for a "
                                        "few % larger files")
    webp_quality: int = option(85, "WebP quality")
    avif_quality: int = option(60, "AVIF quality (0-100)")
    avif_speed: int = option(8, "AVIF encoder speed (0 slowest/smallest - 10 fastest)")
    # Request limits: every size and count has one.
    max_body_bytes: int = option(1024 * 1024, "request body limit (413)")
    max_text_chars: int = option(10_000, "characters per text param (422)")
    max_metadata_bytes: int = option(4096, "metadata bytes (422)")
    max_params: int = option(200, "params per request (422)")
    max_scale: float = option(4.0, "largest `scale` (422)")
    max_output_pixels: int = option(40_000_000, "width × height × scale² limit (422)")
    max_animation_pixels: int = option(60_000_000, "an animation's frames × output pixels "
                                                   "limit (422 naming `frames`)")
    max_image_layers: int = option(10, "image URLs per request (422)")
    max_image_bytes: int = option(15 * 1024 * 1024, "bytes per image, URL or embedded (422)")
    max_image_pixels: int = option(40_000_000, "decoded pixels per image, URL or embedded (422)")
    max_font_bytes: int = option(20 * 1024 * 1024, "font file uploaded to /v1/fonts (422)")
    max_font_unpacked_bytes: int = option(20 * 1024 * 1024, "what an uploaded WOFF/WOFF2 "
                                                            "unpacks to (413, before storing)")
    font_decode_timeout: float = option(5.0, "seconds an uploaded font may take to read "
                                             "(422 `font_too_costly`; 0: the render timeout)")
    max_template_image_pixels: int = option(
        100_000_000, "decoded pixels of all the images a template embeds (422 at upload)")
    max_request_image_pixels: int = option(100_000_000, "decoded pixels of all a request's "
                                                        "images together (422)")
    max_effect_work: int = option(
        1_000_000_000, "pixel passes of the masks, filters and patterns of one draw, copies "
        "included (422); 0 = no limit")
    max_blur_px: float = option(2000.0, "largest blur stdDeviation at 1x (422)",
                                env="SVGRENDER_MAX_BLUR")
    # Template limits.
    max_template_bytes: int = option(5 * 1024 * 1024, "template file or upload, also the "
                                                      "inflated size of .svgz (413/422)")
    max_template_elements: int = option(50_000, "elements in a template (422)")
    max_template_depth: int = option(256, "element nesting depth (422)")
    max_template_expanded: int = option(200_000, "elements after <use>/pattern expansion (422)")
    # Rendering capacity.
    workers: int = option(os.cpu_count() or 1, "render processes (0: render in server threads)")
    batch_workers: int = option(0, "render processes for batch rows and async renders only, "
                                   "at lower OS priority (0: they share the render workers; "
                                   "-1: as many as SVGRENDER_WORKERS)")
    batch_nice: int = option(10, "how much lower the OS priority of the batch processes is "
                                 "(os.nice; 0: the same as the render workers)")
    max_in_flight: int = option(64, "renders queued or running before 503")
    http_keep_alive_timeout: float = option(5.0, "seconds an idle keep-alive connection stays "
                                                 "open")
    http_max_connections: int = option(8192, "open connections; a new one beyond this "
                                             "displaces the oldest still waiting for its "
                                             "request head (see docs/networking.md)")
    http_max_connections_per_address: int = option(256, "open connections from one client "
                                                        "address, the same way (0: no cap; "
                                                        "behind a proxy every client is "
                                                        "its address)")
    http_reserved_connections: int = option(64, "connections admitted beyond the cap when all "
                                                "are busy, for /healthz and /readyz only")
    http_head_timeout: float = option(10.0, "seconds a connection has to send a whole request "
                                            "head (from connecting, or from the previous "
                                            "answer); then it is closed")
    http_body_timeout: float = option(30.0, "seconds a request has to send its whole body "
                                            "after its head (408)")
    http_max_requests: int = option(512, "requests in the app at once before others get 503 "
                                         "with Retry-After (/healthz and /readyz never do; "
                                         "0: no limit)")
    max_in_flight_per_client: int = option(8, "renders one API key (or, with an open API, one "
                                              "address) may have at once before 429")
    heavy_render_pixels: int = option(4_000_000, "renders with more output pixels (or over "
                                                 "2,000 characters of text) share all render "
                                                 "workers but one, kept for the others")
    max_queue: int = option(32, "renders waiting for a worker before 503")
    render_timeout: float = option(10.0, "seconds before a render's worker is killed (504)")
    worker_max_renders: int = option(1000, "renders before a worker is recycled")
    worker_memory_limit_mb: float = option(3072.0, "hard address-space ceiling of each render "
                                                   "worker process (0: none)")
    worker_max_rss_mb: float = option(600.0, "worker RSS (MB) above which it is recycled")
    # Image fetching (SSRF-safe: see io/loaders.py).
    allow_private_networks: tuple[str, ...] = option(
        (), "CIDRs where image URLs may reach non-public addresses (on-prem image servers)")
    allowed_hosts: tuple[str, ...] = option((), "comma-separated host names image URLs may "
                                                "use (`*.example.com` allowed)")
    blocked_hosts: tuple[str, ...] = option((), "comma-separated host names image URLs may "
                                                "not use")
    fetch_connect_timeout: float = option(3.0, "seconds to connect, per image download")
    fetch_total_timeout: float = option(10.0, "seconds per image download",
                                        env="SVGRENDER_FETCH_TIMEOUT")
    fetch_max_redirects: int = option(5, "redirects per image download, each vetted again")
    fetch_per_host: int = option(4, "downloads at once from one host (others wait, within "
                                    "their timeout)")
    max_fetching: int = option(256, "requests downloading images at once before 503")
    static_layer_cache_bytes: int = option(
        128 * 1024 * 1024, "drawn static layers (everything under the first changed layer) "
        "kept per worker, by bytes; 0 = off")
    image_cache_bytes: int = option(256 * 1024 * 1024,
                                    "decoded images kept in memory (LRU, per process)")
    image_disk_cache_bytes: int = option(512 * 1024 * 1024, "downloaded image bytes kept on "
                                                            "disk, oldest dropped (0: none)")
    image_cache_entries: int = option(10_000, "image URLs whose freshness is remembered (LRU)")
    image_cache_ttl: float = option(3600.0, "seconds an image URL is fresh when the server "
                                            "sends no Cache-Control")
    # Batches, async renders, webhooks.
    redis_socket_timeout: float = option(1.0, "seconds a Redis command may take before it "
                                              "fails (503 `dependency_unavailable`)")
    redis_connect_timeout: float = option(1.0, "seconds to connect to Redis")
    s3_connect_timeout: float = option(2.0, "seconds to connect to the object storage")
    s3_read_timeout: float = option(5.0, "seconds the object storage may take to answer a read "
                                         "(503 `storage_unavailable`)")
    s3_max_attempts: int = option(2, "tries of an object storage call (1: no retry)")
    queue_namespace: str = option("", "prefix of this deployment's Redis keys and queues "
                                      "(letters, digits, `-`, `_`); deployments sharing one "
                                      "Redis each need their own, or take each other's jobs")
    redis_url: str | None = option(None, "Redis for jobs through Dramatiq (`svgrender worker` "
                                         "processes render them); unset = embedded jobs")
    worker_heartbeat_timeout: float = option(60.0, "seconds without a heartbeat before a "
                                                   "worker's unfinished rows go to another")
    batch_concurrency: int = option(0, "batch rows rendered at once by the embedded engine "
                                       "(0: one per render worker)")
    max_batch_rows: int = option(100_000, "rows per batch (422)")
    max_queued_rows_per_key: int = option(20_000, "batch rows one API key (or, with an open "
                                                  "API, one address) may have queued or "
                                                  "running; a batch that would pass it is a 429 "
                                                  "(0: no limit)")
    max_batch_bytes: int = option(32 * 1024 * 1024, "batch body (CSV or JSON) limit (413)")
    row_retry_seconds: float = option(2.0, "first retry delay of a row whose image download "
                                           "failed transiently (3 tries, ×4 apart)")
    job_outage_seconds: float = option(600.0, "how long a batch row waits for Redis or the "
                                              "object storage to answer again (an outage) "
                                              "before it fails; outages use no retries")
    job_stall_seconds: float = option(120.0, "Dramatiq engine: when no row has finished for "
                                             "this long and none waits in the queue, the queued "
                                             "rows of running batches are sent again (messages "
                                             "lost in a Redis outage; a row is still done once)")
    webhook_secret: str | None = option(None, "signs webhook deliveries; webhookUrl is refused "
                                              "without it")
    webhook_retry_seconds: float = option(15.0, "first webhook retry delay (6 tries, ×3 apart)")
    webhook_timeout: float = option(10.0, "seconds per webhook attempt in all: connecting, "
                                          "sending, the answer's head and body")
    webhook_concurrency: int = option(4, "webhook deliveries at once (their own lane: never a "
                                         "row render's slot)")
    user_agent: str = option("svgrender/0.1 (image fetcher; +https://github.com/svgrender)",
                             "User-Agent of image downloads")
    # Operations.
    log_format: str = option("text", "`json`: every log line (svgrender, uvicorn, botocore, "
                                     "dramatiq, render workers) is one JSON object; `text`: "
                                     "plain lines (request lines are JSON either way)")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        environ = os.environ if environ is None else environ
        values = {}
        for spec in declared():
            if spec.env in environ:
                values[spec.name] = spec.parse(environ[spec.env])
        return replace(cls(**values), **overrides)


@dataclass(frozen=True)
class Spec:
    name: str
    env: str
    type: Any
    default: Any
    doc: str

    def parse(self, text: str) -> Any:
        kind = str(self.type)
        text = text.strip()
        try:
            if "tuple" in kind:
                return tuple(part.strip() for part in text.split(",") if part.strip())
            if "Path" in kind:
                return Path(text) if text else None
            if kind.startswith("str"):
                return text or None
            if kind == "bool":
                if text.lower() in ("1", "true", "yes", "on"):
                    return True
                if text.lower() in ("", "0", "false", "no", "off"):
                    return False
                raise ValueError(text)
            if kind == "int":
                return int(text)
            if kind == "float":
                return float(text)
        except ValueError:
            raise SettingError(f"{self.env}={text!r} is not a valid {kind}") from None
        raise SettingError(f"{self.env}: unsupported type {kind}")

    def shown_default(self) -> str:
        value = self.default
        if value is None or value == ():
            return "unset"
        if isinstance(value, Path):
            return "the repo's `fonts/`" if value == PACKAGE_FONTS else f"`{value}`"
        if self.name == "workers":
            return "number of cores"
        if isinstance(value, bool):
            return "`1`" if value else "`0`"
        return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"


class SettingError(ValueError):
    """An environment variable that cannot be read as its setting's type."""


def declared() -> list[Spec]:
    specs = []
    for item in fields(Settings):
        env = item.metadata.get("env") or f"SVGRENDER_{item.name.upper()}"
        specs.append(Spec(item.name, env, item.type, item.default, item.metadata["doc"]))
    return specs
