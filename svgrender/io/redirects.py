"""httpx without its redirect machinery. Even with `follow_redirects=False`, httpx parses a
3xx answer's `Location` to build `response.next_request`, and an unparsable one
(`http:\\\\127.0.0.1`, a `data:` URL) raises `httpx.InvalidURL` — not an `httpx.HTTPError` —
out of `client.send()`, losing the answer. This response hook moves `Location` aside before
httpx sees it: callers read it with `location(response)` and decide themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only annotations: importing this must not load httpx
    import httpx

KEY = "svgrender.location"


async def take_location(response: httpx.Response) -> None:
    value = response.headers.get("location")
    if value is not None:
        del response.headers["location"]
        response.extensions = {**response.extensions, KEY: value}


def location(response: httpx.Response) -> str:
    return response.extensions.get(KEY, "")


HOOKS = {"response": [take_location]}
