"""Retention: old renders go with their records and index entries; a size cap drops the oldest;
the same request afterwards renders again."""

from __future__ import annotations

import os
import time
from dataclasses import replace

from starlette.testclient import TestClient

from svgrender.api.app import create_app
from svgrender.retention import sweep


def render(client, text: str) -> dict:
    answer = client.post("/designs/certificate", json={"params": [
        {"name": "recipient", "text": text}]})
    assert answer.status_code == 201, answer.text
    return answer.json()


def age(settings, image_id: str, days: float) -> None:
    record = settings.storage_dir / "_records" / f"{image_id}.json"
    then = time.time() - days * 86400
    os.utime(record, (then, then))


def test_renders_past_the_retention_go_with_their_index(settings):
    kept = replace(settings, retention_days=7)
    with TestClient(create_app(kept)) as client:
        old, older, fresh = (render(client, f"Person {n}") for n in range(3))
        age(kept, old["id"], 8)
        age(kept, older["id"], 30)
        aliases_before = len(list((kept.storage_dir / "_results").iterdir()))
        outcome = sweep(client.app.state.service)
        assert outcome == {"removed": 2, "indexEntries": 2}
        for gone in (old, older):
            assert client.get(gone["imageUrl"]).status_code == 404
            assert client.get(gone["thumbnailUrl"]).status_code == 404
            assert client.get(f"/images/{gone['id']}").status_code == 404
        assert client.get(fresh["imageUrl"]).status_code == 200
        assert len(list((kept.storage_dir / "_results").iterdir())) == aliases_before - 2
        again = render(client, "Person 0")  # the same request: drawn again, not a dangling hit
        assert client.get(again["imageUrl"]).status_code == 200


def test_a_size_cap_drops_the_oldest_first(settings):
    with TestClient(create_app(settings)) as client:
        answers = [render(client, f"Capped {n}") for n in range(5)]
        for n, answer in enumerate(answers):  # the first is the oldest
            age(settings, answer["id"], 5 - n)
        sizes = {a["id"]: sum(p.stat().st_size for p in settings.storage_dir.glob(f"{a['id']}*"))
                 for a in answers}
        limit = sizes[answers[3]["id"]] + sizes[answers[4]["id"]]
        service = client.app.state.service
        service.settings = replace(settings, storage_max_bytes=limit)
        assert sweep(service)["removed"] == 3
        status = [client.get(a["imageUrl"]).status_code for a in answers]
        assert status == [404, 404, 404, 200, 200]
