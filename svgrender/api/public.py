"""The base of every URL an answer carries (images, files, render links, batches).

Never the `Host` header as sent: a caller choosing it would make this server hand out — and
sign — links to any site, and poison caches keyed without it. In order:

1. `SVGRENDER_PUBLIC_URL`, when set (behind a proxy or CDN, set this);
2. the request's `Host`, when it is in `SVGRENDER_PUBLIC_HOSTS` (names, `name:port`, or
   `*.example.com` for any subdomain): one server answering under several names;
3. otherwise the address the connection actually reached (the server socket: e.g.
   `http://127.0.0.1:9333`), which no header can change.
"""

from __future__ import annotations

from starlette.requests import Request


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.strip().lower().rstrip(".")
    if not host or any(c in host for c in "/\\@ ?#"):
        return False
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    for pattern in allowed:
        pattern = pattern.strip().lower().rstrip(".")
        if not pattern:
            continue
        if pattern.startswith("*."):
            if name.endswith(pattern[1:]) and name != pattern[2:]:
                return True
        elif host == pattern or (":" not in pattern.lstrip("[").split("]")[-1]
                                 and name == pattern):
            return True
    return False


def base_url(request: Request) -> str:
    settings = request.app.state.settings
    if settings.public_url:
        return settings.public_url
    scheme = request.url.scheme
    host = request.headers.get("host", "")
    if settings.public_hosts and host_allowed(host, settings.public_hosts):
        return f"{scheme}://{host.strip().lower()}/"
    server = request.scope.get("server")
    if not server:
        return f"{scheme}://127.0.0.1/"
    address, port = server[0], server[1]
    if ":" in str(address):
        address = f"[{address}]"
    default = port is None or (scheme, port) in (("http", 80), ("https", 443))
    return f"{scheme}://{address}/" if default else f"{scheme}://{address}:{port}/"
