"""A real `svgrender serve` on a loopback port, and Playwright on Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time

import httpx

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a browser Playwright downloads


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """`svgrender serve` on a free loopback port with these extra variables, once it answers."""
    port = free_port()
    # Each server its own metrics directory (not the one this test process may have set up).
    inherited = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    process = subprocess.Popen([sys.executable, "-m", "svgrender", "serve", "--port", str(port)],
                               env={**inherited, "SVGRENDER_WORKERS": "0", **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("svgrender serve did not start")


@contextlib.contextmanager
def served(env: dict[str, str]):
    """Yields the base URL of a server started with these extra environment variables."""
    process, url = start_server(env)
    try:
        yield url
    finally:
        process.kill()
        process.wait()


@contextlib.contextmanager
def browser():
    assert shutil.which("chromium"), ".ci/run installs Debian's chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=["--no-sandbox", "--disable-gpu"])
        try:
            yield chromium
        finally:
            chromium.close()
