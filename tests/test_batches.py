"""Batches, async renders and webhooks on the embedded engine (SQLite beside the images)."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
import zipfile
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from starlette.testclient import TestClient

from helpers import GatedExecutor
from svgrender.api.app import build_service, create_app

SECRET = "webhook-secret"


@pytest.fixture
def job_settings(settings):
    return replace(settings, batch_concurrency=2, webhook_secret=SECRET,
                   webhook_retry_seconds=0.2, row_retry_seconds=0.05)


def wait_for(client, url, until=lambda s: s["state"] != "running", seconds=60) -> dict:
    deadline = time.time() + seconds
    while time.time() < deadline:
        status = client.get(url).json()
        if until(status):
            return status
        time.sleep(0.05)
    raise AssertionError(f"still {status} after {seconds} s")


def certificate_csv(rows: int, bad: set[int] = frozenset()) -> str:
    lines = ["recipient.text,canvas.backgroundColor,fileName"]
    for n in range(1, rows + 1):
        colour = "no-such-colour" if n in bad else "#fffdf6"
        lines.append(f"\"Attendee {n}, with a comma\",{colour},cert-{n}")
    return "\n".join(lines) + "\n"


def test_a_200_row_csv_batch_renders_every_row_once(job_settings):
    with TestClient(create_app(job_settings)) as client:
        answer = client.post("/batches/certificate", content=certificate_csv(200, {17}),
                             headers={"Content-Type": "text/csv"})
        assert answer.status_code == 202, answer.text
        started = answer.json()
        assert started["total"] == 200 and started["state"] == "running"
        status = wait_for(client, started["statusUrl"], seconds=120)
        assert (status["state"], status["done"], status["failed"]) == ("finished", 199, 1)
        assert status["rowsPerSecond"] > 0 and status["etaSeconds"] == 0
        (error,) = status["errors"]
        assert error["row"] == 17 and error["code"] == "invalid_color"
        assert error["layer"] == "canvas" and error["field"] == "backgroundColor"
        archive = zipfile.ZipFile(io.BytesIO(client.get(started["zipUrl"]).content))
        names = archive.namelist()
        assert len(names) == 199 and "cert-17.jpeg" not in names
        assert names[:3] == ["cert-1.jpeg", "cert-2.jpeg", "cert-3.jpeg"]  # row order
        for name in names:
            image = Image.open(io.BytesIO(archive.read(name)))
            assert image.format == "JPEG" and image.size == (1123, 794)


def test_json_rows_and_one_combined_pdf_in_row_order(job_settings):
    from pypdf import PdfReader

    rows = [{"params": [{"name": "recipient", "text": f"Person {n}"}]} for n in range(1, 4)]
    with TestClient(create_app(job_settings)) as client:
        answer = client.post("/batches/certificate", json={"rows": rows, "pdf": "combined"})
        assert answer.status_code == 202, answer.text
        status = wait_for(client, answer.json()["statusUrl"])
        assert status["done"] == 3
        pdf = PdfReader(io.BytesIO(client.get(answer.json()["pdfUrl"]).content))
        assert len(pdf.pages) == 3
        texts = [page.extract_text() for page in pdf.pages]
        assert [("Person 1" in t, "Person 2" in t, "Person 3" in t) for t in texts] == [
            (True, False, False), (False, True, False), (False, False, True)]
        assert pdf.pages[0].mediabox.width == pytest.approx(842, abs=1)  # A4, vector points


@pytest.mark.parametrize("body, content_type, code, field", [
    ("title.txt\nx\n", "text/csv", "invalid_csv", "title.txt"),
    ("titel.text\nx\n", "text/csv", "unknown_layer", "titel.text"),
    ("nope\nx\n", "text/csv", "invalid_csv", "nope"),
    ("[]", "application/json", "empty_batch", "rows"),
    ('{"rows": [{"params": 3}]}', "application/json", "invalid_param", "rows"),
])
def test_bad_batches_are_refused_whole(client, body, content_type, code, field):
    answer = client.post("/batches/social-card", content=body,
                         headers={"Content-Type": content_type})
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == code and answer.json()["field"] == field


def test_unknown_batches_and_templates(client):
    assert client.get("/batches/nope").status_code == 404
    assert client.delete("/batches/nope").status_code == 404
    assert client.post("/batches/no-such-template", content="title.text\nx\n").status_code == 404


def test_cancel_stops_what_has_not_started(job_settings):
    executor = GatedExecutor(job_settings)
    app = create_app(job_settings, build_service(job_settings, executor=executor))
    with TestClient(app) as client:
        started = client.post("/batches/certificate", content=certificate_csv(20)).json()
        wait_for(client, started["statusUrl"], until=lambda s: s["running"] == 2)
        cancelled = client.delete(started["statusUrl"]).json()
        assert cancelled["cancelled"] == 18
        executor.gate.set()
        # The two running rows end first, then the batch is marked finished: wait for both
        # (asserting between the two steps saw "cancelled" once in CI).
        status = wait_for(client, started["statusUrl"],
                          until=lambda s: not s["running"] and s["state"] == "finished")
        assert (status["done"], status["cancelled"], status["state"]) == (2, 18, "finished")
        assert executor.started == 2


def test_a_restarted_server_resumes_the_batch(job_settings):
    first = GatedExecutor(job_settings)
    app = create_app(job_settings, build_service(job_settings, executor=first))
    with TestClient(app) as client:
        started = client.post("/batches/certificate", content=certificate_csv(12)).json()
        first.gate.set()
        wait_for(client, started["statusUrl"], until=lambda s: s["done"] >= 3)
        first.gate.clear()  # the next rows hang: the server stops in the middle
        wait_for(client, started["statusUrl"], until=lambda s: s["running"] > 0)
    with TestClient(create_app(job_settings)) as client:  # same storage directory
        status = wait_for(client, started["statusUrl"])
        assert (status["state"], status["done"], status["failed"]) == ("finished", 12, 0)
        names = zipfile.ZipFile(io.BytesIO(client.get(started["zipUrl"]).content)).namelist()
        assert sorted(names) == sorted(f"cert-{n}.jpeg" for n in range(1, 13))


class Receiver:
    """A webhook endpoint on loopback: answers 500 to the first `failures` posts, then 200."""

    def __init__(self, failures: int):
        self.posts: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append((dict(self.headers), body))
                self.send_response(500 if len(receiver.posts) <= failures else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def check_signature(headers: dict, body: bytes) -> None:
    fields = dict(part.split("=", 1) for part in headers["X-Svgrender-Signature"].split(","))
    expected = hmac.new(SECRET.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(fields["v1"], expected.hexdigest())
    assert abs(int(fields["t"]) - time.time()) < 60


def test_webhook_signed_and_retried_after_a_500(job_settings):
    receiver = Receiver(failures=1)
    settings = replace(job_settings, allow_private_networks=("127.0.0.1/32",))
    try:
        with TestClient(create_app(settings)) as client:
            answer = client.post("/batches/certificate", content=certificate_csv(3),
                                 params={"webhookUrl": receiver.url})
            assert answer.status_code == 202, answer.text
            status = wait_for(client, answer.json()["statusUrl"],
                              until=lambda s: len(s["webhook"]["deliveries"][0]["attempts"]) >= 2
                              if s["webhook"]["deliveries"] else False)
        attempts = status["webhook"]["deliveries"][0]["attempts"]
        assert [a.get("status") for a in attempts] == [500, 200]
        assert status["webhook"]["deliveries"][0]["state"] == "delivered"
        assert len(receiver.posts) == 2
        for headers, body in receiver.posts:
            check_signature(headers, body)
        payload = json.loads(receiver.posts[1][1])
        assert payload["event"] == "batch.finished"
        assert payload["batch"]["done"] == 3 and "baseUrl" not in payload["batch"]
    finally:
        receiver.close()


def test_async_render_answers_202_then_the_nine_fields_and_a_webhook(job_settings):
    receiver = Receiver(failures=0)
    settings = replace(job_settings, allow_private_networks=("127.0.0.1/32",))
    try:
        with TestClient(create_app(settings)) as client:
            body = {"format": "png", "metadata": "order-42", "webhookUrl": receiver.url,
                    "params": [{"name": "title", "text": "Later"}]}
            answer = client.post("/designs/social-card", json=body)
            assert answer.status_code == 202, answer.text
            image_id = answer.json()["id"]
            done = wait_for(client, answer.json()["statusUrl"],
                            until=lambda s: "imageUrl" in s)
            assert done["id"] == image_id and done["metadata"] == "order-42"
            assert Image.open(io.BytesIO(client.get(done["imageUrl"]).content)).size == (1200, 630)
            for _ in range(200):
                if receiver.posts:
                    break
                time.sleep(0.05)
        headers, raw = receiver.posts[0]
        check_signature(headers, raw)
        payload = json.loads(raw)
        assert payload["event"] == "image.finished"
        assert payload["image"]["imageUrl"] == done["imageUrl"]
    finally:
        receiver.close()


def test_async_render_errors_are_immediate(job_settings):
    with TestClient(create_app(job_settings)) as client:
        bad = client.post("/designs/social-card?async=1",
                          json={"params": [{"name": "nope", "text": "x"}]})
        assert bad.status_code == 422 and bad.json()["layer"] == "nope"
        failing = client.post("/designs/social-card?async=1", json={
            "params": [{"name": "canvas", "backgroundColor": "no-such-colour"}]})
        assert failing.status_code == 202
        state = wait_for(client, failing.json()["statusUrl"],
                         until=lambda s: s.get("state") == "failed")
        assert state["error"]["code"] == "invalid_color"


def test_webhooks_to_internal_addresses_are_refused(job_settings):
    with TestClient(create_app(job_settings)) as client:
        for url in ("http://127.0.0.1:9/hook", "http://[::1]/hook", "http://10.0.0.1/x",
                    "file:///etc/passwd"):
            answer = client.post("/batches/certificate", content=certificate_csv(1),
                                 params={"webhookUrl": url})
            assert answer.status_code == 422, url
            assert answer.json()["field"] == "webhookUrl"
            single = client.post("/designs/certificate", json={"webhookUrl": url})
            assert single.status_code == 422 and single.json()["field"] == "webhookUrl"


def test_webhooks_need_a_secret(settings):
    with TestClient(create_app(settings)) as client:
        answer = client.post("/designs/certificate", json={"webhookUrl": "https://example.com/h"})
        assert answer.status_code == 422 and answer.json()["code"] == "webhooks_disabled"
