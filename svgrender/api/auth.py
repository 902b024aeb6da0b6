"""API keys as middleware: every route needs a key except the few listed as public."""

from __future__ import annotations

import hashlib
import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from svgrender.api.errors import error_response
from svgrender.errors import Forbidden, Unauthorized

PUBLIC_PATHS = ("/healthz", "/readyz", "/openapi.json", "/studio", "/docs")
PUBLIC_PREFIXES = ("/files/", "/studio/")  # unguessable file ids; the studio's static files
PUBLIC_READ_PREFIXES = ("/links/",)  # GET/HEAD only: render links carry their own signature
AUTH_MESSAGE = ("Valid API key is required. Add request header like "
                "Authorization: Bearer API_KEY")


def key_matches(header: str, keys: list[bytes]) -> bool:
    scheme, _, token = header.partition(" ")
    supplied = hashlib.sha256(token.strip().encode("latin-1", "replace")).digest()
    # Compare against every key, always, so timing says nothing about which one matched.
    ok = False
    for key in keys:
        ok |= hmac.compare_digest(supplied, hashlib.sha256(key).digest())
    return scheme.lower() == "bearer" and ok


def require_admin(request) -> None:
    """403 unless the request's key may change templates and delete images."""
    if not request.scope.get("svgrender.admin", True):
        raise Forbidden("this key may render and read, not change templates or delete images "
                        "(use a key from SVGRENDER_ADMIN_KEYS)", code="admin_key_required")


class ApiKeyMiddleware:
    def __init__(self, app: ASGIApp, keys: tuple[str, ...], admin_keys: tuple[str, ...] = ()):
        """`keys` render and read; `admin_keys` also change. No admin keys: every key is both."""
        self.app = app
        self.admin = [k.encode() for k in admin_keys]
        self.keys = [k.encode() for k in keys] + self.admin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        header = ""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                header = value.decode("latin-1")
        # Who is asking, for per-client limits: the key (hashed), or the address when open.
        if self.keys:
            scope["svgrender.client"] = "key:" + hashlib.sha256(
                header.encode("latin-1", "replace")).hexdigest()[:16]
        else:
            scope["svgrender.client"] = "addr:" + str((scope.get("client") or ("?",))[0])
        if not self.keys or self.is_public(scope["path"], scope.get("method", "GET")):
            return await self.app(scope, receive, send)
        if not key_matches(header, self.keys):
            response = error_response(Unauthorized(AUTH_MESSAGE))
            response.headers["WWW-Authenticate"] = "Bearer"
            return await response(scope, receive, send)
        scope["svgrender.admin"] = not self.admin or key_matches(header, self.admin)
        return await self.app(scope, receive, send)

    @staticmethod
    def is_public(path: str, method: str) -> bool:
        return (path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
                or (method in ("GET", "HEAD") and path.startswith(PUBLIC_READ_PREFIXES)))
