"""Fetch image URLs safely: http(s) only, every hop's address vetted, connect to that address.

SSRF rules: the host is resolved here and every address must be public (no loopback, private,
link-local incl. 169.254.169.254, CGNAT, multicast, reserved, IPv6 equivalents or IPv4-mapped
forms) unless settings opt in to private networks; then the request goes to the vetted IP itself
(Host header and TLS SNI carry the name), so a second DNS answer cannot redirect it (rebinding).
Redirects are followed by hand, each hop vetted again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import json
import socket
import time
import urllib.parse
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from svgrender import metrics
from svgrender.errors import ImageFetchError, SvgRenderError, UpstreamError, UpstreamTimeout
from svgrender.io import redirects
from svgrender.io.images import (DecodedImage, ImageCache, PixelBudget, data_uri_bytes,
                                 decode_cached)
from svgrender.io.storage import atomic_write
from svgrender.settings import Settings


def _bad_url(layer: str, url: str, why: str) -> ImageFetchError:
    return ImageFetchError(f"layer {layer!r}: image URL {url[:200]!r} refused: {why}", layer=layer,
                           field="imageUrl", code="invalid_image_url")


# IPv6 ranges that carry an IPv4 address inside them: judged by that IPv4 address.
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
SIIT = ipaddress.ip_network("::ffff:0:0:0/96")  # IPv4-translated (RFC 2765)
TEREDO = ipaddress.ip_network("2001::/32")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, in every form that embeds one."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if any(ip in net for net in NAT64) or ip in SIIT:
        return low32
    if ip in IPV4_COMPATIBLE and int(ip) > 1:  # not :: nor ::1 (judged as IPv6 below)
        return low32
    if ip in SIX_TO_FOUR:
        return ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF)
    if ip in TEREDO:
        return ipaddress.IPv4Address(~int(ip) & 0xFFFFFFFF)  # the client address, obfuscated
    return None


def address_allowed(ip: ipaddress._BaseAddress, private_ok: tuple[str, ...] = ()) -> bool:
    """Public unicast addresses only, except inside the explicitly allowed private networks."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            if ip in TEREDO or ip in SIX_TO_FOUR:  # tunnels: both ends must be public
                return address_allowed(embedded, private_ok) and ip.is_global
            ip = embedded
    if ip.is_multicast or ip.is_unspecified:
        return False
    if ip.is_global:
        return True
    for cidr in private_ok:
        try:
            if ip in ipaddress.ip_network(cidr, strict=False):
                return True
        except ValueError:
            continue
    return False


def canonical_host(host: str) -> str:
    """One spelling per host: IDNA for names (fullwidth and other Unicode forms folded), and
    the standard text of an address however it was written (2130706434, 127.2, 0x7f000002,
    0177.0.0.2, [::ffff:127.0.0.2])."""
    host = host.strip().strip("[]").rstrip(".").lower()
    address = _parse_address(host)
    if address is not None:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return str(address)
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _parse_address(host: str) -> ipaddress._BaseAddress | None:
    """An IP address in any spelling inet_aton accepts (as a browser's URL parser does)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host) and not host.endswith("."):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _host_listed(host: str, patterns: tuple[str, ...], addresses=()) -> bool:
    names = {canonical_host(host)} | {str(a) for a in addresses}
    for pattern in patterns:
        pattern = canonical_host(pattern)
        for name in names:
            if name == pattern or (pattern.startswith("*.") and name.endswith(pattern[1:])):
                return True
    return False


@dataclass
class Target:
    url: httpx.URL  # with the vetted IP as host
    host: str
    host_header: str
    scheme: str


async def vet_url(url: str, layer: str, settings: Settings) -> Target:
    """Check scheme, host lists and every resolved address; raise before any connection."""
    if len(url) > 8192:
        raise _bad_url(layer, url, "URL longer than 8192 characters")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise _bad_url(layer, url, "not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _bad_url(layer, url, "only http, https and data: URLs are allowed")
    try:
        host = canonical_host(parts.hostname or "")
    except ValueError:
        raise _bad_url(layer, url, "the host is not a valid name") from None
    if not host or any(c in host for c in " /\\%@"):
        raise _bad_url(layer, url, "no valid host")
    if parts.username or parts.password:
        raise _bad_url(layer, url, "credentials in URLs are not allowed")
    if _host_listed(host, settings.blocked_hosts):
        raise _bad_url(layer, url, f"host {host} is blocked (SVGRENDER_BLOCKED_HOSTS)")
    if settings.allowed_hosts and not _host_listed(host, settings.allowed_hosts):
        raise _bad_url(layer, url, f"host {host} is not in SVGRENDER_ALLOWED_HOSTS")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise _bad_url(layer, url, "bad port") from None
    literal = _parse_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.wait_for(asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM), settings.fetch_connect_timeout)
        except (socket.gaierror, UnicodeError, OSError):
            raise _bad_url(layer, url, f"host {host} does not resolve") from None
        except asyncio.TimeoutError:
            raise UpstreamTimeout(f"layer {layer!r}: resolving {host} timed out", layer=layer,
                                  field="imageUrl") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise _bad_url(layer, url, f"host {host} does not resolve")
    if settings.blocked_hosts and _host_listed(host, settings.blocked_hosts, addresses):
        raise _bad_url(layer, url, f"host {host} resolves to a blocked address "
                                   "(SVGRENDER_BLOCKED_HOSTS)")
    for address in addresses:
        if not address_allowed(address, settings.allow_private_networks):
            raise _bad_url(layer, url, f"{host} resolves to {address}, a non-public address")
    chosen = addresses[0]
    ip_host = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    default_port = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
    host_header = host if default_port else f"{host}:{port}"
    netloc = ip_host if default_port else f"{ip_host}:{port}"
    path = parts.path or "/"
    vetted = urllib.parse.urlunsplit((scheme, netloc, path, parts.query, ""))
    import httpx  # here, not at import: a render without image URLs never loads it

    try:
        return Target(httpx.URL(vetted), host, host_header, scheme)
    except (httpx.InvalidURL, ValueError):
        raise _bad_url(layer, url, "not a valid URL") from None


@dataclass
class CacheEntry:
    """What we know of a URL: its content's key (the pixels live in the byte-bounded ImageCache,
    never here) and how long it stays fresh."""

    key: str
    expires: float
    etag: str | None
    last_modified: str | None


def _freshness(headers: httpx.Headers, default_ttl: float) -> float | None:
    """Seconds the response may be reused without asking; None = do not store."""
    directives = {d.strip().split("=", 1)[0].lower(): d.strip().split("=", 1)[-1]
                  for d in headers.get("cache-control", "").split(",") if d.strip()}
    if "no-store" in directives:
        return None
    if "no-cache" in directives:
        return 0.0
    if "max-age" in directives:
        try:
            return max(0.0, float(directives["max-age"]))
        except ValueError:
            return 0.0
    return default_ttl


def _redirect_target(layer: str, url: str, current: str, location: str) -> str:
    """The absolute http(s) URL a redirect points to, or a 422 naming the layer: a Location
    that is missing, unparsable (backslashes, control characters, a broken host or port) or not
    http(s) (`data:`, `file:`, `javascript:`) is refused, never guessed at."""
    shown = location[:200]
    location = location.strip(" ").replace(" ", "%20")
    if not location or "\\" in location or not location.isprintable():
        raise _bad_url(layer, url, f"it redirects to an unparsable Location {shown!r}")
    try:
        target = urllib.parse.urljoin(current, location)
        parts = urllib.parse.urlsplit(target)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise _bad_url(layer, url, f"it redirects to an unparsable Location {shown!r}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _bad_url(layer, url, f"it redirects to {shown!r}: only http(s) redirects are "
                                   "followed")
    return target


def _host_of(url: str) -> str:
    try:
        return urllib.parse.urlsplit(url).hostname or ""
    except ValueError:  # refused with a clear message when the URL is vetted
        return ""


class ImageFetcher:
    """Turns a request's image URLs into decoded images: memory cache, disk cache, network."""

    def __init__(self, settings: Settings, cache: ImageCache | None = None,
                 decode_pixels: bool = True):
        self.settings = settings
        # False when worker processes draw: here only headers are read (size, limits, budget).
        self.decode_pixels = decode_pixels
        self.decoded = cache or ImageCache(settings.image_cache_bytes)
        self.entries: OrderedDict[str, CacheEntry] = OrderedDict()  # LRU, bounded by count
        self.network_requests = 0  # for tests and benchmarks
        self._hosts: dict[str, list] = {}  # host -> [semaphore, users]
        self.disk = (Path(settings.cache_dir) if settings.cache_dir
                     else Path(settings.storage_dir) / "_cache")
        if settings.image_disk_cache_bytes <= 0:
            self.disk = None
        self.disk_bytes = 0
        if self.disk:
            try:
                self.disk.mkdir(parents=True, exist_ok=True)
                self.disk_bytes = sum(p.stat().st_size for p in self.disk.iterdir())
            except OSError:
                self.disk = None

    async def decode(self, data: bytes, layer: str, source: str = "",
                     budget: PixelBudget | None = None) -> DecodedImage:
        """Decoding runs in a thread, never on the event loop, within the request's budget
        (the decoded-pixel budget shared by a request's concurrent loads, load_request)."""
        return await asyncio.to_thread(
            decode_cached, data, layer, self.decoded, max_pixels=self.settings.max_image_pixels,
            source=source, reserve=budget.for_layer(layer) if budget else None,
            pixels=self.decode_pixels)

    async def load(self, url: str, layer: str, budget: PixelBudget | None = None) -> DecodedImage:
        s = self.settings
        if url[:5].lower() == "data:":
            return await self.decode(data_uri_bytes(url, layer, s.max_image_bytes), layer,
                                     budget=budget)
        entry = self.entries.get(url)
        image = self.decoded.get(entry.key) if entry is not None else None
        from_memory = image is not None
        if image is None:  # never seen, or its pixels were evicted: try the disk copy
            entry, image = await self._from_disk(url, layer, budget) or (None, None)
        if image is not None and entry.expires > time.time():
            self.entries.move_to_end(url)
            if from_memory and budget is not None:
                budget.for_layer(layer)(image.width * image.height)
            return image
        try:
            return await self._download(url, layer, entry if image is not None else None, budget)
        except SvgRenderError as exc:
            metrics.setup().fetch_failures.labels(exc.code).inc()
            raise

    @contextlib.asynccontextmanager
    async def _host_slot(self, host: str):
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = [asyncio.Semaphore(self.settings.fetch_per_host), 0]
        slot[1] += 1
        try:
            async with slot[0]:
                yield
        finally:
            slot[1] -= 1
            if slot[1] == 0:
                self._hosts.pop(host, None)

    def _remember(self, url: str, entry: CacheEntry) -> None:
        self.entries[url] = entry
        self.entries.move_to_end(url)
        while len(self.entries) > self.settings.image_cache_entries:
            self.entries.popitem(last=False)

    def _disk_paths(self, url: str) -> tuple[Path, Path]:
        digest = hashlib.sha256(url.encode()).hexdigest()
        return self.disk / f"{digest}.bin", self.disk / f"{digest}.json"

    async def _from_disk(self, url: str, layer: str,
                         budget: PixelBudget | None) -> tuple[CacheEntry, DecodedImage] | None:
        if not self.disk:
            return None
        body, meta = self._disk_paths(url)
        try:
            info = json.loads(meta.read_text())
            data = body.read_bytes()
        except (OSError, ValueError):
            return None
        image = await self.decode(data, layer, budget=budget)
        entry = CacheEntry(image.key, info["expires"], info.get("etag"), info.get("last_modified"))
        self._remember(url, entry)
        return entry, image

    def _store(self, url: str, data: bytes, entry: CacheEntry) -> None:
        self._remember(url, entry)
        if not self.disk:
            return
        if len(data) > self.settings.image_disk_cache_bytes // 4:
            return  # a single huge image would flush everything else
        body, meta = self._disk_paths(url)
        try:
            atomic_write(body, data)
            atomic_write(meta, json.dumps({"url": url, "expires": entry.expires,
                                           "etag": entry.etag,
                                           "last_modified": entry.last_modified}).encode())
        except SvgRenderError:  # a full or read-only disk: the cache is only an optimisation
            return
        self.disk_bytes += len(data)
        if self.disk_bytes > self.settings.image_disk_cache_bytes:
            self._trim_disk()

    def _trim_disk(self) -> None:
        """Oldest files first, down to 80 % of SVGRENDER_IMAGE_DISK_CACHE_BYTES."""
        try:
            files = sorted(((p.stat().st_mtime, p.stat().st_size, p) for p in self.disk.iterdir()
                            if p.is_file()), key=lambda item: item[0])
        except OSError:
            return
        total = sum(size for _, size, _ in files)
        target = self.settings.image_disk_cache_bytes * 0.8
        for _, size, path in files:
            if total <= target:
                break
            path.unlink(missing_ok=True)
            total -= size
        self.disk_bytes = total

    async def _download(self, url: str, layer: str, entry: CacheEntry | None,
                        budget: PixelBudget | None = None) -> DecodedImage:
        s = self.settings
        try:
            async with asyncio.timeout(s.fetch_total_timeout):
                # Waiting for a busy host counts in the timeout: a slow server only ever holds
                # SVGRENDER_FETCH_PER_HOST downloads, never everyone's slots.
                async with self._host_slot(_host_of(url)):
                    return await self._follow(url, layer, entry, budget)
        except TimeoutError:
            raise UpstreamTimeout(f"layer {layer!r}: downloading {url[:200]!r} took longer than "
                                  f"{s.fetch_total_timeout:g} s", layer=layer,
                                  field="imageUrl") from None

    async def _follow(self, url: str, layer: str, entry: CacheEntry | None,
                      budget: PixelBudget | None) -> DecodedImage:
        import httpx

        s = self.settings
        timeout = httpx.Timeout(s.fetch_total_timeout, connect=s.fetch_connect_timeout)
        current = url
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False,
                                     headers={"User-Agent": s.user_agent},
                                     event_hooks=redirects.HOOKS) as client:
            for _hop in range(s.fetch_max_redirects + 1):
                if current == url:
                    target = await vet_url(current, layer, s)
                else:
                    try:
                        target = await vet_url(current, layer, s)
                    except ImageFetchError as exc:
                        why = exc.message.split("refused: ", 1)[-1]
                        raise _bad_url(layer, url, f"it redirects to {current[:200]!r}: {why}"
                                       ) from None
                headers = {"Host": target.host_header, "Accept": "image/*,*/*;q=0.5",
                           "Accept-Encoding": "identity"}
                if entry is not None and current == url:
                    if entry.etag:
                        headers["If-None-Match"] = entry.etag
                    if entry.last_modified:
                        headers["If-Modified-Since"] = entry.last_modified
                extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
                request = client.build_request("GET", target.url, headers=headers,
                                               extensions=extensions)
                self.network_requests += 1
                try:
                    response = await client.send(request, stream=True)
                except httpx.TimeoutException:
                    raise UpstreamTimeout(f"layer {layer!r}: {current[:200]!r} timed out",
                                          layer=layer, field="imageUrl") from None
                except httpx.HTTPError as exc:
                    raise UpstreamError(f"layer {layer!r}: fetching {current[:200]!r} failed: "
                                        f"{type(exc).__name__}", layer=layer,
                                        field="imageUrl") from None
                except (httpx.InvalidURL, ValueError):  # not expected (see io/redirects.py)
                    raise _bad_url(layer, url, "the server's answer could not be followed "
                                               "(a bad redirect)") from None
                try:
                    if response.status_code in (301, 302, 303, 307, 308):
                        current = _redirect_target(layer, url, current,
                                                   redirects.location(response))
                        continue
                    cached = self.decoded.get(entry.key) if entry is not None else None
                    if response.status_code == 304 and cached is not None:
                        ttl = _freshness(response.headers, s.image_cache_ttl) or 0.0
                        entry.expires = time.time() + ttl
                        return cached
                    if response.status_code != 200:
                        raise UpstreamError(
                            f"layer {layer!r}: {current[:200]!r} answered HTTP "
                            f"{response.status_code}", layer=layer, field="imageUrl")
                    data = await self._read(response, current, layer)
                finally:
                    await response.aclose()
                image = await self.decode(data, layer, source=current, budget=budget)
                ttl = _freshness(response.headers, s.image_cache_ttl)
                if ttl is not None:
                    self._store(url, data, CacheEntry(image.key, time.time() + ttl,
                                                      response.headers.get("etag"),
                                                      response.headers.get("last-modified")))
                return image
        raise _bad_url(layer, url, f"more than {s.fetch_max_redirects} redirects")

    async def _read(self, response: httpx.Response, url: str, layer: str) -> bytes:
        import httpx

        limit = self.settings.max_image_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ImageFetchError(f"layer {layer!r}: {url[:200]!r} is {int(declared):,} bytes; "
                                  f"the limit is {limit:,}", layer=layer, field="imageUrl",
                                  code="image_too_large")
        chunks, total = [], 0
        try:
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > limit:
                    raise ImageFetchError(f"layer {layer!r}: {url[:200]!r} is over the limit of "
                                          f"{limit:,} bytes", layer=layer, field="imageUrl",
                                          code="image_too_large")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise UpstreamTimeout(f"layer {layer!r}: {url[:200]!r} timed out", layer=layer,
                                  field="imageUrl") from None
        except httpx.HTTPError as exc:
            raise UpstreamError(f"layer {layer!r}: reading {url[:200]!r} failed: "
                                f"{type(exc).__name__}", layer=layer, field="imageUrl") from None
        metrics.setup().fetch_bytes.inc(total)
        return b"".join(chunks)

    async def load_request(self, params, settings: Settings) -> dict[str, DecodedImage]:
        """All image layers of a request, fetched concurrently: {layer name: image}."""
        wanted = [(p.name, p.image_url) for p in params if p.image_url is not None]
        if len(wanted) > settings.max_image_layers:
            raise ImageFetchError(f"{len(wanted)} image layers in one request; the limit is "
                                  f"{settings.max_image_layers}", field="params",
                                  code="too_many_images")
        budget = PixelBudget(settings.max_request_image_pixels)  # shared by the loads below
        results = await asyncio.gather(*(self.load(url, name, budget) for name, url in wanted),
                                       return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return {name: image for (name, _), image in zip(wanted, results)}
