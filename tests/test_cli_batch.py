"""`svgrender batch`: a spreadsheet rendered into a folder, its progress bar seen through a
pseudo-terminal (as a user sees it), failures summarised, re-runs skipping finished rows."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import zipfile

from PIL import Image

from helpers import ROOT, TEMPLATES
from test_batches import certificate_csv

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_in_terminal(args: list[str]) -> tuple[int, str]:
    controller, terminal = pty.openpty()
    env = {**os.environ, "SVGRENDER_TEMPLATES_DIR": str(TEMPLATES), "SVGRENDER_WORKERS": "2",
           "COLUMNS": "120", "TERM": "xterm-256color"}
    process = subprocess.Popen([sys.executable, "-m", "svgrender", *args], cwd=ROOT, env=env,
                               stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(controller)
    return process.wait(timeout=120), ANSI.sub("", b"".join(chunks).decode(errors="replace"))


def test_cli_batch_progress_failures_zip_and_resume(tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text(certificate_csv(12, bad={4}))
    out, archive = tmp_path / "out", tmp_path / "all.zip"
    code, shown = run_in_terminal(["batch", "certificate", str(rows), "-o", str(out),
                                   "--zip", str(archive)])
    assert code == 1, shown  # a row failed
    assert "rows/s" in shown and "12/12" in shown  # the progress bar, drawn on a terminal
    assert "11 of 12 rows" in shown and "1 failed" in shown
    assert "row 4: invalid_color (canvas.backgroundColor)" in shown
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 11 and "cert-4.jpeg" not in written
    assert Image.open(out / "cert-1.jpeg").size == (1123, 794)
    assert len(zipfile.ZipFile(archive).namelist()) == 11
    first = (out / "cert-1.jpeg").stat().st_mtime_ns
    code, shown = run_in_terminal(["batch", "certificate", str(rows), "-o", str(out)])
    assert "(11 already there)" in shown
    assert (out / "cert-1.jpeg").stat().st_mtime_ns == first  # not rendered again


def test_cli_batch_combined_pdf(tmp_path):
    from pypdf import PdfReader

    rows = tmp_path / "rows.csv"
    rows.write_text(certificate_csv(3))
    pdf = tmp_path / "all.pdf"
    code, shown = run_in_terminal(["batch", "certificate", str(rows), "-o", str(tmp_path / "o"),
                                   "--pdf", str(pdf)])
    assert code == 0, shown
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) == 3 and "Attendee 2" in reader.pages[1].extract_text()


def test_cli_batch_from_any_folder_with_templates_or_a_path(tmp_path):
    """`batch certificate rows.csv -o out/ --templates DIR` and `batch ./card.svg rows.csv
    -o out/`, run from a folder that is not the checkout."""
    (tmp_path / "card.svg").write_bytes((TEMPLATES / "certificate.svg").read_bytes())
    (tmp_path / "rows.csv").write_text(certificate_csv(2))
    env = {k: v for k, v in os.environ.items() if k != "SVGRENDER_TEMPLATES_DIR"}
    env["SVGRENDER_WORKERS"] = "1"
    for template, extra, out in (("certificate", ["--templates", str(TEMPLATES)], "by-id"),
                                 ("./card.svg", [], "by-path")):
        done = subprocess.run([sys.executable, "-m", "svgrender", "batch", template, "rows.csv",
                               "-o", f"{out}/", *extra], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "2 of 2 rows" in done.stderr
        assert sorted(p.name for p in (tmp_path / out).iterdir()) == ["cert-1.jpeg",
                                                                      "cert-2.jpeg"]
        assert Image.open(tmp_path / out / "cert-1.jpeg").size == (1123, 794)
