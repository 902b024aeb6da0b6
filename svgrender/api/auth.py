"""API keys as middleware: every route needs a key except those the routes table
(api/routes.py) marks public."""

from __future__ import annotations

import hashlib
import hmac
import re

from starlette.types import ASGIApp, Receive, Scope, Send

from svgrender.api.errors import error_response
from svgrender.errors import Forbidden, Unauthorized

# Access levels a route declares (api/routes.py): no key, any key, an admin key.
PUBLIC, KEY, ADMIN = "public", "key", "admin"
AUTH_MESSAGE = ("Valid API key is required. Add request header like "
                "Authorization: Bearer API_KEY")


def bearer_token(header: str) -> str | None:
    """The token of `Bearer TOKEN`, however it is spelt (scheme in any case, any whitespace)."""
    parts = header.split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    return parts[1].strip()


def matching_key(header: str, keys: list[bytes]) -> bytes | None:
    """The configured key this Authorization header carries, or None."""
    token = bearer_token(header)
    supplied = hashlib.sha256((token or "").encode("latin-1", "replace")).digest()
    # Compare against every key, always, so timing says nothing about which one matched.
    found = None
    for key in keys:
        if hmac.compare_digest(supplied, hashlib.sha256(key).digest()):
            found = key
    return found if token is not None else None


def key_matches(header: str, keys: list[bytes]) -> bool:
    return matching_key(header, keys) is not None


def key_identity(key: bytes) -> str:
    """Who a key is, for per-client limits and batch ownership: the key itself (hashed), never
    the header's spelling."""
    return "key:" + hashlib.sha256(key).hexdigest()[:16]


def may_touch(scope, owner: str | None) -> bool:
    """A batch is its maker's: render-only keys see and change only their own; admin keys (and
    every caller of an open API) all of them. Batches from before owners were kept: anyone."""
    return owner is None or scope.get("svgrender.admin", True) or \
        scope.get("svgrender.client") == owner


def require_admin(request) -> None:
    """403 unless the request's key may change templates and delete images."""
    if not request.scope.get("svgrender.admin", True):
        raise Forbidden("this key may render and read, not change templates or delete images "
                        "(use a key from SVGRENDER_ADMIN_KEYS)", code="admin_key_required")


class ApiKeyMiddleware:
    def __init__(self, app: ASGIApp, keys: tuple[str, ...], admin_keys: tuple[str, ...] = (),
                 public: list[tuple[re.Pattern, set[str] | None]] = ()):
        """`keys` render and read; `admin_keys` also change. No admin keys: every key is both.
        `public`: (path pattern, methods; None for all) that need no key (routes.public_paths)."""
        self.app = app
        self.public = list(public)
        self.admin = [k.encode() for k in admin_keys]
        self.keys = [k.encode() for k in keys] + self.admin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        header = ""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                header = value.decode("latin-1")
        # Who is asking, for per-client limits: the canonical key (hashed; however the header
        # spells it), or the address when open or when no valid key was given.
        key = matching_key(header, self.keys) if self.keys else None
        scope["svgrender.client"] = key_identity(key) if key is not None else (
            "addr:" + str((scope.get("client") or ("?",))[0]))
        if not self.keys or self.is_public(scope["path"], scope.get("method", "GET")):
            return await self.app(scope, receive, send)
        if key is None:
            response = error_response(Unauthorized(AUTH_MESSAGE))
            response.headers["WWW-Authenticate"] = "Bearer"
            return await response(scope, receive, send)
        scope["svgrender.authenticated"] = True
        scope["svgrender.admin"] = not self.admin or key in self.admin
        return await self.app(scope, receive, send)

    def is_public(self, path: str, method: str) -> bool:
        return any(regex.match(path) and (methods is None or method in methods)
                   for regex, methods in self.public)
