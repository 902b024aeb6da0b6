"""Shared test helpers (import as `from helpers import …`; conftest modules are not importable
by name once several test folders have one)."""

import base64
import io
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CORPUS = ROOT.parent / "shared" / "corpus"
# Every template, our own corpus of real exports and the shared corpus: for the invariants a
# renderer change must keep on every file, not on picked ones.
EVERY_SVG = (sorted(TEMPLATES.glob("*.svg")) + sorted((ROOT / "tests/corpus/files").glob("*.svg"))
             + sorted(CORPUS.rglob("*.svg")))


def load_or_skip(path: Path):
    """The file loaded as a template (big files allowed), or the test skipped when svgrender
    refuses it (a corpus file may be no template)."""
    import pytest

    from svgrender.errors import SvgRenderError
    from svgrender.settings import Settings
    from svgrender.templates.model import load_template

    try:
        return load_template("t", path.read_bytes(), Settings(max_template_bytes=50_000_000))
    except SvgRenderError as exc:
        pytest.skip(f"not a template svgrender draws: {exc}")


def drawn_pixels(template, drawing, scale: float) -> bytes:
    """One draw of `drawing` (one parse of `template`) at `scale`: its pixel bytes, copied
    while the surface (which owns them) is alive."""
    from svgrender.draw.surfaces import Size, draw_raster, render_context

    size = Size(max(1, round(template.width * scale)), max(1, round(template.height * scale)))
    surface = draw_raster(drawing.cairo_tree, size, context=render_context(drawing, [], {}))
    return bytes(surface.get_data())


def chromium_screenshot(svg: str, width: int, height: int) -> Image.Image:
    """Debian's headless Chromium's drawing of an SVG document (the browser reference), cropped
    to width × height; skips the test where chromium is not installed."""
    import shutil
    import subprocess
    import tempfile

    import pytest

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    with tempfile.TemporaryDirectory() as folder:
        page, shot = Path(folder) / "case.svg", Path(folder) / "shot.png"
        page.write_text(svg)
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--no-first-run", "--force-color-profile=srgb", "--hide-scrollbars",
                        f"--user-data-dir={folder}/profile", f"--screenshot={shot}",
                        f"--window-size={max(width, 800)},{max(height, 600)}", page.as_uri()],
                       check=True, capture_output=True, timeout=60)
        return Image.open(shot).convert("RGB").crop((0, 0, width, height))


def png_data_uri(image: Image.Image, fmt: str = "PNG") -> str:
    out = io.BytesIO()
    image.save(out, fmt)
    mime = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}[fmt]
    return f"data:{mime};base64," + base64.b64encode(out.getvalue()).decode()


class GatedExecutor:
    """The real thread executor, counting the renders that reach it (`started`) and holding each
    until `gate` is set (set from any thread; `opened=True` never holds)."""

    def __init__(self, settings, opened: bool = False):
        import threading

        from svgrender.executors import ThreadExecutor

        self.inner = ThreadExecutor(settings)
        self.gate = threading.Event()
        if opened:
            self.gate.set()
        self.started = 0

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()

    def template_loader(self, local):
        return self.inner.template_loader(local)

    def font_reader(self, local):
        return self.inner.font_reader(local)

    async def render(self, job):
        import asyncio

        self.started += 1
        while not self.gate.is_set():
            await asyncio.sleep(0.01)
        return await self.inner.render(job)


def every_layer_outputs(data: bytes, scale: float = 1.0) -> list:
    """The image, thumbnail and retina thumbnail of a template's own render (PNG, static-layer
    cache off: every layer drawn) as RGBA int16 arrays."""
    import numpy as np

    from svgrender import render as pipeline
    from svgrender.params import RenderRequest
    from svgrender.settings import Settings
    from svgrender.templates.model import load_template

    settings = Settings(static_layer_cache_bytes=0)
    template = load_template("t", data, settings)
    rendered = pipeline.render(template, RenderRequest(format="png", scale=scale), settings)
    return [np.asarray(Image.open(io.BytesIO(f.data)).convert("RGBA"), np.int16)
            for f in rendered.files]
