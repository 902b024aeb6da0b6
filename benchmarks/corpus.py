"""Measure svgrender on the shared corpus (files nobody here wrote), beside plain CairoSVG.

    python benchmarks/corpus.py [--table]

resvg's test cases are compared with their expected PNGs (mean absolute difference per
channel, both composited on white); the Figma and Inkscape exports are rendered and timed.
The corpus lives in ../shared/corpus (not in this repository).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from svgrender import render as pipeline  # noqa: E402
from svgrender.draw import seams  # noqa: E402
from svgrender.errors import SvgRenderError  # noqa: E402
from svgrender.params import RenderRequest  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.templates.model import load_template  # noqa: E402

GOOD = 2.0  # mean abs diff per channel counted as matching


def on_white(data: bytes, size=None) -> np.ndarray:
    image = Image.open(io.BytesIO(data)).convert("RGBA")
    if size and image.size != size:
        image = image.resize(size)
    page = Image.new("RGBA", image.size, (255, 255, 255, 255))
    return np.asarray(Image.alpha_composite(page, image).convert("RGB"), dtype=np.int16)


def ours(path: Path, width: int) -> bytes:
    template = load_template(path.stem, path.read_bytes(), Settings())
    scale = width / template.width
    settings = Settings(thumb_width=40)
    request = RenderRequest(format="png", scale=1.0)
    if abs(scale - 1) > 1e-3:  # render the main image at the reference's width
        settings = Settings(thumb_width=40, max_scale=8)
        request = RenderRequest(format="png", scale=max(1.0, scale))
    return pipeline.render(template, request, settings).files[0].data


def plain_renders(cases: list[Path], sizes: dict, folder: Path) -> dict[str, Path]:
    """Plain CairoSVG's PNGs, drawn in a process that never imports svgrender."""
    files = [[str(svg), *sizes[svg], str(folder / f"{svg.stem}.png")] for svg in cases]
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "plain_cairosvg.py")],
                            input=json.dumps({"mode": "render", "files": files}),
                            capture_output=True, text=True, check=True)
    status = json.loads(result.stdout)
    return {Path(p).stem: folder / f"{Path(p).stem}.png" for p, s in status.items() if s == "ok"}


def resvg_table() -> list[tuple]:
    rows = []
    cases = [svg for svg in sorted((CORPUS / "resvg-tests").glob("*.svg"))
             if svg.with_name(svg.stem + ".ref.png").exists()]
    sizes = {svg: Image.open(svg.with_name(svg.stem + ".ref.png")).size for svg in cases}
    tmp = Path(tempfile.mkdtemp(prefix="svgrender-corpus-"))
    plain = plain_renders(cases, sizes, tmp)
    for svg in cases:
        ref_path = svg.with_name(svg.stem + ".ref.png")
        if not ref_path.exists():
            continue
        reference_image = Image.open(ref_path)
        reference = on_white(ref_path.read_bytes())
        try:
            mine = on_white(ours(svg, reference_image.width), reference_image.size)
            mine_diff = float(np.abs(mine - reference).mean())
        except SvgRenderError as exc:
            mine_diff = float("nan")
            print(f"  {svg.stem}: refused: {exc.message[:80]}", file=sys.stderr)
        if svg.stem in plain:
            plain_png = plain[svg.stem].read_bytes()
            plain_diff = float(np.abs(on_white(plain_png, reference_image.size)
                                      - reference).mean())
        else:  # CairoSVG's own failures are part of the comparison
            plain_diff = float("nan")
        rows.append((svg.stem, mine_diff, plain_diff))
    return rows


def exports() -> list[tuple]:
    rows = []
    for folder in ("figma-qvinciy", "inkscape-osgeo"):
        for svg in sorted((CORPUS / folder).glob("*.svg")):
            start = time.perf_counter()
            try:
                template = load_template(svg.stem, svg.read_bytes(), Settings())
                result = pipeline.render(template, RenderRequest(format="png"), Settings())
                status = f"{result.width}×{result.height}" + (
                    f", warnings: {len(result.warnings)}" if result.warnings else "")
            except SvgRenderError as exc:
                status = f"refused ({exc.code}: {exc.message[:60]})"
            rows.append((f"{folder}/{svg.name}", status, (time.perf_counter() - start) * 1000))
    return rows


def main() -> None:
    seams.install()
    parser = argparse.ArgumentParser()
    parser.add_argument("--table", action="store_true", help="print every case")
    args = parser.parse_args()
    if not CORPUS.exists():
        print("no ../shared/corpus here: nothing to measure")
        return
    rows = resvg_table()
    if args.table:
        print(f"{'case':<60} {'svgrender':>9} {'cairosvg':>9}")
        for name, mine, plain in rows:
            print(f"{name:<60} {mine:>9.2f} {plain:>9.2f}")
    by_group: dict[str, list] = {}
    for name, mine, plain in rows:
        by_group.setdefault(name.split("__")[0], []).append((mine, plain))
    print(f"resvg cases within mean abs diff ≤ {GOOD} of resvg's expected PNG:")
    print(f"{'group':<16} {'cases':>5} {'svgrender':>10} {'cairosvg':>10}")
    total = [0, 0, 0]
    for group, values in sorted(by_group.items()):
        mine_ok = sum(1 for m, _ in values if m <= GOOD)
        plain_ok = sum(1 for _, p in values if p <= GOOD)
        total = [total[0] + len(values), total[1] + mine_ok, total[2] + plain_ok]
        print(f"{group:<16} {len(values):>5} {mine_ok:>10} {plain_ok:>10}")
    print(f"{'all':<16} {total[0]:>5} {total[1]:>10} {total[2]:>10}")
    print("\nexports:")
    for name, status, ms in exports():
        print(f"  {name:<40} {status:<40} {ms:>7.0f} ms")


if __name__ == "__main__":
    main()
