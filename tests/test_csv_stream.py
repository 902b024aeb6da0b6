"""A large CSV batch is read as a stream (issue 27): each row is converted and checked as it is
read, so a bad row deep in the file fails alone with its number, a broken line is a 4xx naming
it, and the per-key queued-row cap refuses the batch at the first row past it."""

from __future__ import annotations

from dataclasses import replace

from starlette.testclient import TestClient

from svgrender.api.app import create_app

HEADER = "recipient.text,canvas.backgroundColor,fileName\n"


def big_csv(rows: int, line=lambda n: f'"Attendee {n}, with a comma",#fffdf6,cert-{n}\n') -> bytes:
    return (HEADER + "".join(line(n) for n in range(1, rows + 1))).encode()


def post(client, body: bytes):
    return client.post("/batches/certificate", content=body, headers={"Content-Type": "text/csv"})


def test_a_bad_row_deep_in_a_large_csv_fails_alone_with_its_number(settings):
    settings = replace(settings, max_queued_rows_per_key=50_000, batch_concurrency=1)
    # A control character no SVG can hold: refused when the row is read, not when drawn
    body = big_csv(30_000, lambda n: f"Attendee {n}{chr(1) if n == 28_765 else ''},#fff,c-{n}\n")
    with TestClient(create_app(settings)) as client:
        answer = post(client, body)
        assert answer.status_code == 202, answer.text
        status = answer.json()
        assert status["total"] == 30_000 and status["failed"] == 1
        assert [(e["row"], e["code"], e.get("layer")) for e in status["errors"]] == [
            (28_765, "invalid_text", "recipient")]
        client.delete(status["statusUrl"])


def test_a_broken_line_deep_in_a_large_csv_is_a_4xx_naming_it(settings):
    settings = replace(settings, max_queued_rows_per_key=50_000)
    with TestClient(create_app(settings)) as client:
        comma = big_csv(30_000, lambda n: f"Attendee {n}{', Jr' if n == 27_000 else ''},#fff,c\n")
        answer = post(client, comma)  # an unquoted comma: the columns would be shifted
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid_csv"
        assert "CSV line 27001" in answer.json()["message"]  # the header is line 1

        latin1 = big_csv(30_000).replace(b"Attendee 29000,", b"Attend\xe9e 29000,")
        answer = post(client, latin1)
        assert answer.status_code == 400, answer.text
        assert answer.json()["code"] == "invalid_csv"
        assert answer.json()["message"] == "the CSV is not UTF-8 (line 29001)"


def test_the_per_key_cap_refuses_the_batch_at_the_first_row_past_it(settings):
    settings = replace(settings, max_queued_rows_per_key=1_000)
    with TestClient(create_app(settings)) as client:
        answer = post(client, big_csv(20_000))
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "too_many_queued_rows"
        assert answer.json()["field"] == "rows"
        assert "row 1,001 is one too many" in answer.json()["message"]
        assert post(client, big_csv(1_000)).status_code == 202
        again = post(client, big_csv(1))  # the key's 1,000 queued rows fill its room
        assert again.status_code == 429 and again.json()["code"] == "too_many_queued_rows"
        assert again.headers["Retry-After"]
