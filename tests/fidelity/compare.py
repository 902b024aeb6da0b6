"""Render a fidelity case with svgrender and compare it with its Chromium reference."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from svgrender import render as pipeline
from svgrender.params import RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

HERE = Path(__file__).resolve().parent
MAX_MEAN = 2.0  # mean absolute difference per channel, 0-255
MAX_OFF_FRACTION = 0.01  # pixels off by more than 32 in any channel
OFF_BY = 32


def case_names() -> list[str]:
    return sorted(p.stem for p in (HERE / "cases").glob("*.svg"))


def render_case(name: str, scale: int) -> Image.Image:
    path = HERE / "cases" / f"{name}.svg"
    template = load_template(name, path.read_bytes(), Settings())
    request = RenderRequest(format="png", scale=scale)
    result = pipeline.render(template, request, Settings())
    image = Image.open(io.BytesIO(result.files[0].data)).convert("RGBA")
    page = Image.new("RGBA", image.size, (255, 255, 255, 255))  # Chromium's page is white
    return Image.alpha_composite(page, image).convert("RGB")


def measure(name: str, scale: int) -> tuple[float, float]:
    suffix = "@2x" if scale == 2 else ""
    reference = np.asarray(Image.open(HERE / "refs" / f"{name}{suffix}.png").convert("RGB"),
                           dtype=np.int16)
    ours = np.asarray(render_case(name, scale), dtype=np.int16)
    delta = np.abs(reference - ours)
    return float(delta.mean()), float((delta.max(axis=-1) > OFF_BY).mean())


def passes(mean: float, off: float) -> bool:
    return mean <= MAX_MEAN and off <= MAX_OFF_FRACTION


def table() -> str:
    rows = [f"{'case':<34} {'mean 1x':>8} {'off% 1x':>8} {'mean 2x':>8} {'off% 2x':>8}  ok"]
    passed = 0
    names = case_names()
    for name in names:
        m1, o1 = measure(name, 1)
        m2, o2 = measure(name, 2)
        ok = passes(m1, o1) and passes(m2, o2)
        passed += ok
        rows.append(f"{name:<34} {m1:>8.2f} {o1 * 100:>8.2f} {m2:>8.2f} {o2 * 100:>8.2f}  "
                    f"{'yes' if ok else 'NO'}")
    rows.append(f"{passed} of {len(names)} cases within mean ≤ {MAX_MEAN} and ≤ "
                f"{MAX_OFF_FRACTION:.0%} of pixels off by > {OFF_BY}, at 1x and 2x")
    return "\n".join(rows)


if __name__ == "__main__":
    from svgrender.draw import seams

    seams.install()
    print(table())
