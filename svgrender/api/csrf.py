"""Cross-site request forgery, on a server without keys (with keys, every change needs an
`Authorization` header, which a page on another origin cannot make a browser send).

A browser lets any page send a "simple" request to any origin — a `<form>` POST (`text/plain`,
`application/x-www-form-urlencoded`, `multipart/form-data`) or a `no-cors` fetch — and the keyless
API would act on it. So every state-changing request (not GET, HEAD or OPTIONS):

- with an `Origin` header must come from this server's own origin (the `Host` it was asked for,
  `SVGRENDER_PUBLIC_URL`, `SVGRENDER_PUBLIC_HOSTS`) or one of `SVGRENDER_CORS_ORIGINS`;
  `Origin: null` (sandboxed frames, some redirects) is refused. Browsers send `Origin` on every
  cross-origin POST, PUT and DELETE, so this is the check that stops them.
- without one is a non-browser client (curl, a program) or a very old browser: it is refused when
  `Sec-Fetch-Site` says cross-site or same-site, and when its body is `text/plain` or
  urlencoded (what no client of this API sends): send JSON as `application/json`, an SVG as
  `image/svg+xml` or `multipart/form-data` (`curl -F`), a CSV as `text/csv`.

The studio is served from the same origin, so its requests (which carry `Origin`) pass.
Refusals are 403 `csrf_refused` with what to do instead.
"""

from __future__ import annotations

import urllib.parse

from starlette.types import ASGIApp, Receive, Scope, Send

from svgrender.api.errors import error_response
from svgrender.errors import Forbidden

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FORM_TYPES = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")


class CsrfRefused(Forbidden):
    code = "csrf_refused"


def netloc(scheme: str, host: str) -> str:
    """`host[:port]` in one spelling: lower case, default ports dropped."""
    host = host.strip().lower().rstrip(".")
    for default in ((":80",) if scheme == "http" else (":443",) if scheme == "https" else ()):
        if host.endswith(default):
            host = host[: -len(default)]
    return host


def origin_netloc(origin: str) -> str | None:
    try:
        parts = urllib.parse.urlsplit(origin)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        return None
    return netloc(parts.scheme, parts.netloc)


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, *, enabled: bool = True, public_url: str | None = None,
                 public_hosts: tuple[str, ...] = (), cors_origins: tuple[str, ...] = ()):
        self.app, self.enabled = app, enabled
        self.cors = {o.strip().rstrip("/").lower() for o in cors_origins}
        self.own: set[str] = set()
        if public_url:
            found = origin_netloc(urllib.parse.urljoin(public_url, "/"))
            if found:
                self.own.add(found)
        for host in public_hosts:
            self.own.add(netloc("", host))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or not self.enabled
                or scope.get("method", "GET") in SAFE_METHODS):
            return await self.app(scope, receive, send)
        refusal = self.refusal(scope)
        if refusal is not None:
            return await error_response(CsrfRefused(refusal))(scope, receive, send)
        return await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> str | None:
        headers: dict[bytes, str] = {}
        for name, value in scope.get("headers", []):
            headers.setdefault(name, value.decode("latin-1"))
        origin = headers.get(b"origin")
        if origin is not None:
            if self.same_origin(origin, scope, headers.get(b"host", "")):
                return None
            return (f"a {scope['method']} from the page origin {origin[:100]!r} is refused: this "
                    "server has no API keys, so only its own pages (the studio) and "
                    "SVGRENDER_CORS_ORIGINS may change things from a browser")
        site = headers.get(b"sec-fetch-site", "").lower()
        if site in ("cross-site", "same-site"):
            return f"a {site} {scope['method']} is refused (no API keys are set)"
        media = headers.get(b"content-type", "").split(";", 1)[0].strip().lower()
        # A multipart upload without Origin is curl -F (every browser of the last years sends
        # Origin with a cross-origin form, which the check above refuses).
        if media in FORM_TYPES and media != "multipart/form-data":
            return (f"a {scope['method']} with Content-Type {media} and no Origin header looks "
                    "like a cross-site form and is refused: send JSON as application/json, an "
                    "SVG as image/svg+xml, a CSV as text/csv (or add the Origin of this server)")
        return None

    def same_origin(self, origin: str, scope: Scope, host: str) -> bool:
        if origin.strip().rstrip("/").lower() in self.cors:
            return True
        found = origin_netloc(origin)
        if found is None:
            return False
        scheme = urllib.parse.urlsplit(origin).scheme
        asked = netloc(scheme, host) if host else None
        if self.own:  # configured: only those, or loopback (a rebound DNS name is not us)
            return found in self.own or (found == asked and is_loopback(asked))
        return found == asked


def is_loopback(host_port: str) -> bool:
    host = host_port.rsplit(":", 1)[0] if not host_port.endswith("]") else host_port
    return host in ("localhost", "[::1]") or host.startswith("127.")
