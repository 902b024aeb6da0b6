"""The render processes' heap (svgrender/heap.py): image buffers come back from the heap for the
next render instead of being faulted in afresh, and trimming still gives memory back."""

import subprocess
import sys

from helpers import ROOT

RENDERS = """
import resource, sys
from pathlib import Path
from svgrender import heap
from svgrender import render as pipeline
from svgrender.draw import seams
from svgrender.params import LayerParam, RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template
seams.install()
if sys.argv[1] == "kept":
    assert heap.keep_freed_pages()
settings = Settings(static_layer_cache_bytes=0)
template = load_template("t", Path(sys.argv[2]).read_bytes(), settings)
def answer(i):
    request = RenderRequest(format="jpeg", params=[LayerParam(name="title", text=f"Day {i}")])
    pipeline.render(template, request, settings)
for i in range(10):  # (caches filled: text masks, pictures)
    answer(i)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for i in range(10, 40):
    answer(i)
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 30
heap.trim()
print(faults)
"""


def _faults(mode: str) -> float:
    card = ROOT / "templates" / "social-card.svg"
    out = subprocess.run([sys.executable, "-c", RENDERS, mode, str(card)], cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=120)
    return float(out.stdout.split()[-1])


def test_kept_pages_keep_an_answer_s_page_faults_low():
    plain, kept = _faults("plain"), _faults("kept")
    # Measured: ~180-200 page faults an answer of the demo card with the pages kept. As glibc
    # comes it depends on how its adaptive mmap threshold happened to move: ~420 in most runs
    # here, ~190 in one CI run. Kept, it is low whatever that history, and never more.
    assert kept < 260, (plain, kept)
    assert kept <= 1.1 * plain + 10, (plain, kept)
