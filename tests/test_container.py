"""The Dockerfile really built and its image really served: podman builds it (chroot isolation, no
Docker engine here), then the image's own command runs from the image's files as the image's user
(`podman mount` + chroot, as ../shared/notes/containers.md describes) and renders the demo card.

Skipped only where podman or root is missing. The Debian base is made from Debian's packages with
debootstrap when podman does not hold `debian:bookworm-slim` yet (.ci/run prepares it beforehand)."""

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from helpers import ROOT
from pixels import mean_abs_diff

BASE = "debian:bookworm-slim"
IMAGE = "svgrender:test"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")

pytestmark = pytest.mark.skipif(shutil.which("podman") is None or os.geteuid() != 0,
                                reason="podman (run as root) builds the image")


class Podman:
    """Runs podman with the settings that work on these machines (no cgroups, no ulimits)."""

    def __init__(self, conf: Path):
        conf.write_text('[containers]\ndefault_ulimits = []\ncgroups = "disabled"\n'
                        '[engine]\ncgroup_manager = "cgroupfs"\n')
        self.env = dict(os.environ, CONTAINERS_CONF=str(conf))

    def __call__(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(["podman", *args], env=self.env, check=check, capture_output=True,
                              text="stdin" not in kwargs, **kwargs)


@pytest.fixture(scope="module")
def podman(tmp_path_factory) -> Podman:
    return Podman(tmp_path_factory.mktemp("podman") / "containers.conf")


@pytest.fixture(scope="module")
def image(podman, tmp_path_factory) -> str:
    if podman("image", "exists", BASE, check=False).returncode != 0:
        make_base(podman, tmp_path_factory.mktemp("rootfs") / "rootfs")
    args = ["build", "--isolation=chroot", "-t", IMAGE]
    if HOST_CA.exists():  # this machine's TLS interception: the CA at build time only
        args += ["-v", f"{HOST_CA}:/run/host-ca.crt:ro", "--build-arg", "PIP_CERT=/run/host-ca.crt"]
    podman(*args, str(ROOT), timeout=1500)
    return IMAGE


def make_base(podman, rootfs: Path) -> None:
    if shutil.which("debootstrap") is None:
        pytest.skip(f"no {BASE} image and no debootstrap to make one")
    subprocess.run(["debootstrap", "--variant=minbase", "bookworm", str(rootfs)], check=True,
                   capture_output=True, timeout=900)
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    podman("import", "-", BASE, stdin=tar.stdout, timeout=600)
    tar.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_image_serves_the_demo_as_a_non_root_user(podman, image, tmp_path):
    config = json.loads(podman("image", "inspect", image, "--format", "{{json .Config}}").stdout)
    container = podman("create", image).stdout.strip()
    root = Path(podman("mount", container).stdout.strip())
    server = None
    try:
        user = config["User"]
        uid = user if user.isdigit() else uid_in(root, user)
        assert uid != "0", "the image runs as root"
        port = free_port()
        environ = dict(item.split("=", 1) for item in config["Env"])
        environ.update(HOME=config["WorkingDir"], SVGRENDER_API_KEYS="container-key")
        # The image's own command; the last --port wins, so the test picks a free one.
        command = config["Cmd"] + ["--port", str(port)]
        shell = f"cd {config['WorkingDir']} && exec " + " ".join(command)
        server = subprocess.Popen(["chroot", f"--userspec={uid}", str(root), "/bin/sh", "-c", shell],
                                  env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, server)
        assert process_uid(server.pid) == int(uid) != 0

        request = urllib.request.Request(
            f"{base}/v1/templates/social-card/images",
            data=json.dumps({"format": "png", "params": [
                {"name": "title", "text": "Served from the image"}]}).encode(),
            headers={"Authorization": "Bearer container-key",
                     "Content-Type": "application/json"})
        answer = json.loads(urllib.request.urlopen(request, timeout=60).read())
        stored = root / "data/images" / answer["fileName"]
        assert stored.exists() and stored.stat().st_uid == int(uid)
        served = Image.open(io.BytesIO(urllib.request.urlopen(answer["imageUrl"],
                                                                timeout=30).read()))
        assert served.size == (1200, 630)

        # The same card drawn on this machine (same Debian fonts): the image draws what we do.
        local = tmp_path / "local.png"
        subprocess.run([sys.executable, "-m", "svgrender", "render", "social-card",
                        "--templates", str(ROOT / "templates"), "-o", str(local),
                        "-p", "title.text=Served from the image"], check=True, timeout=120,
                       capture_output=True)
        assert mean_abs_diff(served.convert("RGB"), Image.open(local).convert("RGB")) < 1.0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        podman("umount", container)
        podman("rm", "-f", container)


def uid_in(root: Path, user: str) -> str:
    for line in (root / "etc/passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return fields[2]
    raise AssertionError(f"user {user!r} is not in the image's /etc/passwd")


def process_uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError("no Uid line")


def wait_healthy(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError("the image's server exited:\n" + server.stdout.read().decode())
        try:
            if urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the image's server did not answer /healthz in 90 s")
