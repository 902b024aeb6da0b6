"""API keys as middleware: every route needs a key except the few listed as public."""

from __future__ import annotations

import hashlib
import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from svgrender.api.errors import error_response
from svgrender.errors import Unauthorized

PUBLIC_PATHS = ("/healthz", "/openapi.json")
PUBLIC_PREFIXES = ("/files/",)  # immutable files named by unguessable ids
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


class ApiKeyMiddleware:
    def __init__(self, app: ASGIApp, keys: tuple[str, ...]):
        self.app = app
        self.keys = [k.encode() for k in keys]

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
        return await self.app(scope, receive, send)

    @staticmethod
    def is_public(path: str, method: str) -> bool:
        return (path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
                or (method in ("GET", "HEAD") and path.startswith(PUBLIC_READ_PREFIXES)))
