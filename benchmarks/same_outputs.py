"""Do two checkouts draw the same? Hashes of the 1x PNG, both thumbnails, every element's ink
box and every layer (name, kind, box) for each file of tests/corpus, ../shared/corpus and two
Illustrator-shaped exports (600 rules, gradient and flat fills).

Run it once per checkout (PYTHONPATH picks the svgrender it imports), then compare:

    PYTHONPATH=/path/to/before python benchmarks/same_outputs.py write before.json
    PYTHONPATH=. python benchmarks/same_outputs.py write after.json
    python benchmarks/same_outputs.py compare before.json after.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from illustrator_like import illustrator_like  # noqa: E402


def inputs() -> list[tuple[str, bytes]]:
    files = sorted((ROOT / "tests" / "corpus" / "files").glob("*.svg"))
    files += sorted((ROOT.parent / "shared" / "corpus").rglob("*.svg"))
    items = [(str(path.relative_to(path.parents[1])), path.read_bytes()) for path in files]
    items.append(("illustrator-600", illustrator_like(600).encode()))
    items.append(("illustrator-600-flat", illustrator_like(600, flat=True).encode()))
    return items


def digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def write(target: str) -> None:
    from svgrender.draw import seams
    from svgrender.params import RenderRequest
    from svgrender.render import render
    from svgrender.settings import Settings
    from svgrender.templates.model import load_template

    seams.install()
    settings = Settings(max_template_bytes=50_000_000)
    out = {}
    for name, data in inputs():
        try:
            template = load_template("t", data, settings)
            order = {element: i for i, element in enumerate(template.root.iter())}
            boxes = sorted((order.get(element, -1), tuple(box))
                           for element, box in template.boxes.items())
            layers = sorted((n, layer.kind, tuple(layer.box))
                            for n, layer in template.layers.items())
            rendered = render(template, RenderRequest(format="png"), settings)
            out[name] = {"files": [hashlib.sha256(f.data).hexdigest() for f in rendered.files],
                         "boxes": digest(boxes), "layers": digest(layers),
                         "warnings": rendered.warnings}
        except Exception as exc:  # noqa: BLE001 (the same failure both ways is the same)
            out[name] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
    Path(target).write_text(json.dumps(out, indent=0))
    print(f"{len(out)} files written to {target}")


def compare(before: str, after: str) -> int:
    a, b = json.loads(Path(before).read_text()), json.loads(Path(after).read_text())
    differ = sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))
    for name in differ:
        print("differs:", name)
    print(f"{len(a)} files, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        raise SystemExit(compare(sys.argv[2], sys.argv[3]))
