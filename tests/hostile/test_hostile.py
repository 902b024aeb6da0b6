"""Hostile templates and requests (cases.py): each gets its expected answer within 12 s while
/healthz keeps answering within 200 ms and the API process grows by less than 150 MB, no
canary file content or canary address reaches any output, the loopback canary server sees no
request, and a normal render right after succeeds."""

import contextlib
import gc
import sys
import threading
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cases import REQUESTS, TEMPLATES, UPLOADS  # noqa: E402
from imageserver import ImageServer  # noqa: E402
from svgrender.api.app import create_app  # noqa: E402

SECRET_TEXT = "CANARY-SECRET-7f3a9"
SAFE = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
        '<rect width="200" height="100" fill="#fff"/><text id="t" x="10" y="50">safe</text>'
        '<image id="img" x="100" width="50" height="50"/></svg>')
LARGE = '<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="3000"/>'


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    secret = root / "secret.txt"
    secret.write_text(SECRET_TEXT)
    templates = root / "templates"
    templates.mkdir()
    (templates / "safe.svg").write_text(SAFE)
    (templates / "large.svg").write_text(LARGE)
    with ImageServer("127.0.0.1") as canary:
        for name, _kind, payload, _status, _code in TEMPLATES:
            text = payload.replace("SECRET", str(secret)).replace("CANARY",
                                                                  f"127.0.0.1:{canary.port}")
            (templates / f"{name}.svg").write_text(text)
        from svgrender.settings import Settings
        settings = Settings(templates_dir=templates, storage_dir=root / "images",
                            cache_dir=root / "cache", workers=2, render_timeout=8.0)
        with TestClient(create_app(settings)) as client:
            yield client, canary, secret, root / "images"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def watched(client):
    """While the attack runs, /healthz is asked every 20 ms from another thread: 95 % of the
    answers must come within 200 ms and every one within a second (a blocked event loop stalls
    them all; one scheduling blip on a busy 2-core machine — 244 ms, once in six CI runs — is
    not that), and the API process (this one) must not grow by 150 MB."""
    stop = threading.Event()
    answers: list[float] = []

    def poll():
        while not stop.is_set():
            started = time.monotonic()
            assert client.get("/healthz").status_code == 200
            answers.append(time.monotonic() - started)
            stop.wait(0.02)

    # The API runs inside this pytest process, whose heap (hypothesis, schemathesis, earlier
    # tests) makes a full garbage collection a pause of its own: collect it now and keep those
    # objects out of later collections while the attack is measured.
    gc.collect()
    gc.freeze()
    before = rss_mb()
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        yield
    finally:
        stop.set()
        poller.join(5)
        gc.unfreeze()
    answers = sorted(answers) or [0.0]
    slowest, p95 = answers[-1], answers[int(0.95 * (len(answers) - 1))]
    assert p95 < 0.2, f"/healthz: 95 % within {p95 * 1000:.0f} ms during the attack"
    assert slowest < 1.0, f"/healthz took {slowest * 1000:.0f} ms during the attack"
    assert rss_mb() - before < 150, f"the API process grew by {rss_mb() - before:.0f} MB"


def _substitute(value, secret, canary):
    if isinstance(value, str):
        return value.replace("SECRET", str(secret)).replace("CANARY", f"127.0.0.1:{canary.port}")
    if isinstance(value, bytes):
        return value
    if isinstance(value, list):
        return [_substitute(v, secret, canary) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, secret, canary) for k, v in value.items()}
    return value


def _check(world, response, status, code, started):
    client, canary, secret, storage = world
    assert time.monotonic() - started < 12
    assert response.status_code == status, response.text[:500]
    if code:
        assert response.json()["code"] == code
    assert SECRET_TEXT not in response.text
    if status == 201 and "imageUrl" in response.json():
        for key in ("imageUrl", "thumbnailUrl", "retinaThumbnailUrl"):
            content = client.get(response.json()[key]).content
            assert SECRET_TEXT.encode() not in content
            assert str(secret).encode() not in content and b"file://" not in content
            assert b"<script" not in content
    assert canary.requests == [], canary.requests
    normal = client.post("/designs/safe", json={"params": [{"name": "t", "text": "after"}]})
    assert normal.status_code == 201


@pytest.mark.parametrize("name,kind,payload,status,code", TEMPLATES,
                         ids=[c[0] for c in TEMPLATES])
def test_hostile_template(world, name, kind, payload, status, code):
    started = time.monotonic()
    fmt = "svg" if status == 201 else "png"
    with watched(world[0]):
        response = world[0].post(f"/designs/{name}", json={"format": fmt})
    _check(world, response, status, code, started)


@pytest.mark.parametrize("name,payload,status,code", UPLOADS, ids=[c[0] for c in UPLOADS])
def test_hostile_upload(world, name, payload, status, code):
    client, canary, secret, _ = world
    started = time.monotonic()
    data = payload.replace(b"SECRET", str(secret).encode())
    query = "?name=%01bad%0Aname%EF%BF%BF" if name == "upload-name-control-chars" else ""
    with watched(client):
        response = client.post(f"/templates{query}", content=data,
                               headers={"content-type": "image/svg+xml"})
    _check(world, response, status, code, started)
    if query:
        assert response.json()["name"] == "badname"
    elif status == 201:
        body = response.json()
        assert body["removed"]  # the answer lists what was removed
        stored = client.post(f"/designs/{body['id']}", json={"format": "svg"})
        assert stored.status_code == 201
        svg = client.get(stored.json()["imageUrl"]).content
        assert b"<script" not in svg and b"onclick" not in svg


@pytest.mark.parametrize("name,payload,status,code", REQUESTS, ids=[c[0] for c in REQUESTS])
def test_hostile_request(world, name, payload, status, code):
    client, canary, secret, _ = world
    started = time.monotonic()
    first, second = payload
    with watched(client):
        if first == "GET":
            response = client.get(second)
        elif isinstance(second, bytes):
            response = client.post(first, content=second,
                                   headers={"content-type": "application/json"})
        else:
            response = client.post(first, json=_substitute(second, secret, canary))
    _check(world, response, status, code, started)


def test_enough_cases():
    assert len(TEMPLATES) + len(UPLOADS) + len(REQUESTS) >= 40


def test_upload_replace_delete(world):
    client = world[0]
    created = client.post("/templates?name=Mine", content=SAFE.encode())
    assert created.status_code == 201
    template_id = created.json()["id"]
    assert created.json()["name"] == "Mine"
    replaced = client.put(f"/templates/{template_id}", content=SAFE.replace("safe", "new").encode())
    assert replaced.status_code == 200
    assert client.get(f"/templates/{template_id}").json()["layers"][1]["text"] == "new"
    files = {"file": ("card.svg", SAFE.encode(), "image/svg+xml")}
    multipart = client.post("/templates", files=files, data={"name": "From form"},
                            headers={"Origin": "http://testserver"})  # the studio: same origin
    assert multipart.status_code == 201 and multipart.json()["name"] == "From form"
    assert client.delete(f"/templates/{template_id}").status_code == 204
    assert client.post(f"/designs/{template_id}", json={}).status_code == 404
    assert client.put("/templates/..%2Fescape", content=SAFE.encode()).status_code == 404


def test_svg_outputs_are_inert_in_a_browser(world, tmp_path):
    """Every hostile template that renders, as an SVG file opened by headless Chromium from a
    plain static server (no CSP, no attachment header): nothing is fetched, nothing navigates.
    A control file, not sanitised, shows the canary would have seen it."""
    import shutil
    import subprocess

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    client, canary, secret, _ = world
    site = tmp_path / "site"
    site.mkdir()
    frames = []
    for name, _kind, _payload, status, _code in TEMPLATES:
        if status != 201:
            continue
        answer = client.post(f"/designs/{name}", json={"format": "svg"})
        assert answer.status_code == 201, (name, answer.text[:200])
        (site / f"{name}.svg").write_bytes(client.get(answer.json()["imageUrl"]).content)
        frames.append(f'<iframe src="{name}.svg"></iframe><img src="{name}.svg">')
    (site / "control.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<image href="http://127.0.0.1:{canary.port}/control.png" width="9" height="9"/></svg>')
    frames.append('<iframe src="control.svg"></iframe>')
    (site / "index.html").write_text("<!doctype html><body>" + "".join(frames) + "</body>")
    server = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1",
                               "--directory", str(site)], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(server.stdout.readline().split("port ")[1].split()[0])
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                        "--virtual-time-budget=4000", "--dump-dom",
                        f"http://127.0.0.1:{port}/index.html"],
                       capture_output=True, timeout=90)
    finally:
        server.terminate()
    assert canary.requests == ["/control.png"], canary.requests
    canary.requests.clear()
