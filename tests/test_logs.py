"""SVGRENDER_LOG_FORMAT=json: every line on stderr is one JSON object — svgrender's, uvicorn's,
botocore's, dramatiq's and the render workers' — not plain text beside JSON."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from helpers import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parsed(stderr: str) -> list[dict]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not a JSON line: {line!r}\n{stderr}") from None
    return out


def test_serve_logs_only_json_lines(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "card.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text id="t" x="10" '
        'y="50" font-family="Nope Sans" font-size="20">Hello</text></svg>')
    port = free_port()
    env = {**os.environ, "SVGRENDER_LOG_FORMAT": "json", "SVGRENDER_WORKERS": "1",
           "SVGRENDER_TEMPLATES_DIR": str(templates),
           "SVGRENDER_STORAGE_DIR": str(tmp_path / "images")}
    server = subprocess.Popen([sys.executable, "-m", "svgrender", "serve", "--port", str(port)],
                              cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        request = urllib.request.Request(
            f"{base}/designs/card", data=json.dumps({"params": [
                {"name": "t", "text": "Hi"}]}).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        assert urllib.request.urlopen(request, timeout=60).status == 201
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=60)
    lines = parsed(stderr)
    loggers = {line.get("logger") for line in lines}
    assert "uvicorn.error" in loggers  # "Started server process", "Uvicorn running on …"
    assert "svgrender" in loggers  # no API keys: the API is open
    assert any(line.get("path") == "/designs/card" for line in lines)  # the request line
    warned = [line for line in lines if "Nope Sans" in line.get("message", "")]
    assert len(warned) == 1 and warned[0]["logger"] == "svgrender.render", warned


def test_library_loggers_use_the_json_lines(tmp_path):
    script = """
import logging
from svgrender import logs
logs.configure("json")
import boto3, dramatiq, uvicorn  # noqa: F401  (their loggers exist, some with handlers)
boto3.client("s3", region_name="us-east-1")  # botocore: "Found credentials in environment…"
logging.getLogger("dramatiq.worker.Worker").warning("dramatiq says")
logging.getLogger("uvicorn.access").info("access says")
logging.getLogger("svgrender.templates").warning("template x is invalid")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("svgrender").exception("failed")
"""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = parsed(done.stderr)
    loggers = {line["logger"] for line in lines}
    assert {"botocore.credentials", "dramatiq.worker.Worker", "uvicorn.access",
            "svgrender.templates", "svgrender"} <= loggers, loggers
    failed = next(line for line in lines if line["message"] == "failed")
    assert failed["level"] == "error" and "ZeroDivisionError" in failed["exception"]


def test_text_is_the_default(tmp_path):
    done = subprocess.run([sys.executable, "-m", "svgrender", "templates", "--templates",
                           str(ROOT / "templates")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "SVGRENDER_LOG_FORMAT": ""})
    assert done.returncode == 0 and "social-card" in done.stdout
