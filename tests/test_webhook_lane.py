"""Webhooks on their own lane: a slow or rude receiver never holds a row render's slot, every
attempt has a total deadline and is recorded (even a client-side error such as an unparsable
Location), attempts are capped and redirects are never followed. Real receivers on loopback."""

from __future__ import annotations

import time
from dataclasses import fields, replace

import pytest
from starlette.testclient import TestClient

from faultservers import RudeServer
from svgrender.api.app import create_app

SECRET = "webhook-secret"


def replace_known(settings, **options):
    """Options this version does not know are left out (so the tests show the behaviour on
    older versions rather than a TypeError)."""
    known = {f.name for f in fields(settings)}
    return replace(settings, **{k: v for k, v in options.items() if k in known})


@pytest.fixture
def hook_settings(settings):
    return replace_known(settings, batch_concurrency=1, webhook_secret=SECRET,
                   webhook_retry_seconds=0.02, row_retry_seconds=0.05,
                   allow_private_networks=("127.0.0.1/32",), webhook_timeout=2.0)


def wait_for(client, url, until, seconds=30.0) -> dict:
    deadline = time.time() + seconds
    while time.time() < deadline:
        status = client.get(url).json()
        if until(status):
            return status
        time.sleep(0.05)
    raise AssertionError(f"still {status} after {seconds} s")


def csv(rows: int) -> str:
    return "recipient.text\n" + "".join(f"Attendee {n}\n" for n in range(rows))


def deliveries(status: dict) -> list[dict]:
    return (status.get("webhook") or {}).get("deliveries") or []


def test_a_receiver_sending_one_byte_a_second_neither_blocks_rows_nor_outlives_its_deadline(
        hook_settings):
    slow = RudeServer(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 200 + b"\r\n\r\n", trickle=1.0)
    try:
        with TestClient(create_app(hook_settings)) as client:
            first = client.post("/batches/certificate", content=csv(1),
                                params={"webhookUrl": slow.url},
                                headers={"Content-Type": "text/csv"})
            assert first.status_code == 202, first.text
            assert slow.connected.wait(30), "the webhook was never sent"
            hooked = time.monotonic()
            # The only row slot must be free: another client's batch runs now.
            second = client.post("/batches/certificate", content=csv(2),
                                 headers={"Content-Type": "text/csv"})
            assert second.status_code == 202, second.text
            status = wait_for(client, second.json()["statusUrl"],
                              until=lambda s: s["state"] != "running", seconds=10)
            assert (status["done"], status["failed"]) == (2, 0)
            # The attempt ends at its total deadline (2 s), not after the 200 trickled bytes.
            status = wait_for(client, first.json()["statusUrl"],
                              until=lambda s: bool(deliveries(s) and deliveries(s)[0]["attempts"]),
                              seconds=15)
            assert time.monotonic() - hooked < 2.0 + 3.0
            attempt = deliveries(status)[0]["attempts"][0]
            assert attempt["ok"] is False and "timed out" in attempt["error"], attempt
    finally:
        slow.close()


def test_webhooks_have_their_own_bounded_lane(hook_settings):
    settings = replace_known(hook_settings, webhook_concurrency=1, batch_concurrency=3)
    slow = RudeServer(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 200 + b"\r\n\r\n", trickle=0.5)
    try:
        with TestClient(create_app(settings)) as client:
            urls = []
            for _ in range(3):
                answer = client.post("/batches/certificate", content=csv(1),
                                     params={"webhookUrl": slow.url},
                                     headers={"Content-Type": "text/csv"})
                assert answer.status_code == 202, answer.text
                urls.append(answer.json()["statusUrl"])
            for url in urls:  # every row renders though deliveries are stuck
                wait_for(client, url, until=lambda s: s["done"] == 1, seconds=20)
            time.sleep(1.0)
            assert slow.most_open == 1, "more deliveries at once than SVGRENDER_WEBHOOK_CONCURRENCY"
    finally:
        slow.close()


def test_a_redirect_to_an_unparsable_location_is_recorded_and_retries_are_capped(hook_settings):
    rude = RudeServer(b"HTTP/1.1 302 Found\r\nLocation: http:\\\\127.0.0.1/x\r\n"
                      b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    try:
        with TestClient(create_app(hook_settings)) as client:
            answer = client.post("/batches/certificate", content=csv(1),
                                 params={"webhookUrl": rude.url},
                                 headers={"Content-Type": "text/csv"})
            assert answer.status_code == 202, answer.text
            status = wait_for(client, answer.json()["statusUrl"],
                              until=lambda s: bool(deliveries(s))
                              and deliveries(s)[0]["state"] != "pending", seconds=30)
            delivery = deliveries(status)[0]
            assert delivery["state"] == "failed"
            assert len(delivery["attempts"]) == 6
            assert all(a["ok"] is False and a.get("status") == 302 for a in delivery["attempts"])
            time.sleep(1.0)
            assert len(rude.requests) == 6, "a failed delivery was sent again"
    finally:
        rude.close()


def test_webhook_redirects_are_not_followed(hook_settings):
    target = RudeServer(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    redirect = RudeServer(b"HTTP/1.1 307 Temporary Redirect\r\nLocation: " + target.url.encode()
                          + b"\r\nContent-Length: 0\r\n\r\n")
    try:
        with TestClient(create_app(hook_settings)) as client:
            answer = client.post("/batches/certificate", content=csv(1),
                                 params={"webhookUrl": redirect.url},
                                 headers={"Content-Type": "text/csv"})
            status = wait_for(client, answer.json()["statusUrl"],
                              until=lambda s: bool(deliveries(s))
                              and deliveries(s)[0]["state"] != "pending", seconds=30)
            assert deliveries(status)[0]["attempts"][0]["status"] == 307
            assert target.requests == []
    finally:
        target.close()
        redirect.close()
