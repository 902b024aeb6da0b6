"""Webhook deliveries: vetted like image URLs (no internal addresses), signed, retried.

X-Svgrender-Signature: t={unix seconds},v1={hex HMAC-SHA256(secret, "{t}." + body)}
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time

import httpx

from svgrender.errors import ImageFetchError, InvalidParam, SvgRenderError
from svgrender.io import redirects
from svgrender.io.loaders import vet_url
from svgrender.settings import Settings

ATTEMPTS = 6  # the first try and five retries, each three times further apart


def retry_delay(attempts_made: int, settings: Settings) -> float | None:
    """Seconds until the next try after `attempts_made` failed ones; None: give up.
    With the default base of 15 s: 15 s, 45 s, 2¼ min, 6¾ min, 20 min (~30 min in all)."""
    if attempts_made >= ATTEMPTS:
        return None
    return settings.webhook_retry_seconds * 3 ** (attempts_made - 1)


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


async def check_webhook_url(url: str, settings: Settings) -> None:
    """422 now for a URL that could never be delivered to (bad scheme, internal address)."""
    if not settings.webhook_secret:
        raise InvalidParam("webhooks are signed: set SVGRENDER_WEBHOOK_SECRET to use webhookUrl",
                           field="webhookUrl", code="webhooks_disabled")
    try:
        await vet_url(url, "webhookUrl", settings)
    except ImageFetchError as exc:
        why = exc.message.split("refused: ", 1)[-1]
        raise InvalidParam(f"webhookUrl {url[:200]!r} refused: {why}", field="webhookUrl",
                           code="invalid_webhook_url") from None


async def deliver(url: str, body: bytes, settings: Settings) -> dict:
    """One attempt, within SVGRENDER_WEBHOOK_TIMEOUT in all (connect, send, the answer's head
    and body: a receiver trickling a byte a second cannot hold it longer). Redirects are never
    followed (a 3xx is a failed attempt, whatever its Location). Every outcome is returned to be
    kept on the batch, {at, ok, status | error}: no error escapes, so no attempt goes unrecorded
    and the attempt cap always holds."""
    outcome: dict = {"at": round(time.time(), 3)}
    try:
        async with asyncio.timeout(settings.webhook_timeout):
            target = await vet_url(url, "webhookUrl", settings)  # again: DNS may have changed
            headers = {"Host": target.host_header, "Content-Type": "application/json",
                       "User-Agent": settings.user_agent,
                       "X-Svgrender-Signature": signature_header(settings.webhook_secret, body)}
            extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
            timeout = httpx.Timeout(settings.webhook_timeout,
                                    connect=min(settings.fetch_connect_timeout,
                                                settings.webhook_timeout))
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                         trust_env=False, event_hooks=redirects.HOOKS) as client:
                request = client.build_request("POST", target.url, headers=headers,
                                               content=body, extensions=extensions)
                response = await client.send(request)
        outcome.update(status=response.status_code, ok=200 <= response.status_code < 300)
    except TimeoutError:
        outcome.update(ok=False, error=f"timed out after {settings.webhook_timeout:g} s "
                                       "(SVGRENDER_WEBHOOK_TIMEOUT)")
    except SvgRenderError as exc:
        outcome.update(ok=False, error=exc.message[:300])
    except httpx.TimeoutException as exc:
        outcome.update(ok=False, error=f"timed out: {type(exc).__name__}")
    except Exception as exc:  # httpx.InvalidURL, protocol errors, anything: recorded, not raised
        outcome.update(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    return outcome
