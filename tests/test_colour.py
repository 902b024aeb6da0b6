"""Colour-managed images: a Display P3 photo (ICC profile) and a PNG with a gAMA chunk are
drawn as headless Chromium draws them, not with their raw numbers."""

import base64
import io
import struct

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from helpers import chromium_screenshot
from svgrender import render as pipeline
from svgrender.io.images import decode_image
from svgrender.params import RenderRequest
from svgrender.settings import Settings
from svgrender.templates.model import load_template

# Display P3's colorants adapted to D50 (as in Apple's profile) and a 2.2 gamma curve.
P3_COLORANTS = {"rXYZ": (0.5151, 0.2412, -0.0011), "gXYZ": (0.2920, 0.6922, 0.0419),
                "bXYZ": (0.1571, 0.0666, 0.7841)}
D50 = (0.9642, 1.0, 0.8249)
COLOURS = [(200, 60, 40), (40, 180, 90), (60, 90, 210), (230, 200, 60)]


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _xyz(values) -> bytes:
    return b"XYZ " + b"\0" * 4 + b"".join(_s15(v) for v in values)


def display_p3_profile() -> bytes:
    """A minimal ICC v2 RGB display profile: Display P3 primaries, D50 white, gamma 2.2."""
    text = b"Display P3 (test)"
    desc = (b"desc" + b"\0" * 4 + struct.pack(">I", len(text) + 1) + text + b"\0"
            + b"\0" * 8 + b"\0" * 3 + b"\0" * 67)
    curve = b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", round(2.2 * 256)) \
        + b"\0\0"
    tags = [(b"desc", desc), (b"wtpt", _xyz(D50))] + [
        (name.encode(), _xyz(v)) for name, v in P3_COLORANTS.items()] + [
        (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
        (b"cprt", b"text" + b"\0" * 4 + b"public domain\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for name, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += name + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"APPL" + b"\0" * 4
              + b"\0" * 8 + b"\0" * 8 + b"\0" * 4 + b"".join(_s15(v) for v in D50) + b"lcms"
              + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def swatches(**save) -> bytes:
    image = Image.new("RGB", (40 * len(COLOURS), 40))
    for i, colour in enumerate(COLOURS):
        image.paste(colour, (40 * i, 0, 40 * i + 40, 40))
    out = io.BytesIO()
    image.save(out, **save)
    return out.getvalue()


def _svg(data: bytes, mime: str) -> str:
    uri = f"data:{mime};base64," + base64.b64encode(data).decode()
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{40 * len(COLOURS)}" height="40">'
            f'<image width="{40 * len(COLOURS)}" height="40" href="{uri}"/></svg>')


def _ours(svg: str) -> np.ndarray:
    template = load_template("c", svg.encode(), Settings())
    out = pipeline.render(template, RenderRequest(format="png"), Settings()).files[0].data
    return np.asarray(Image.open(io.BytesIO(out)).convert("RGB"), np.int16)


def _chromium(svg: str) -> np.ndarray:
    return np.asarray(chromium_screenshot(svg, 40 * len(COLOURS), 40), np.int16)


def _centres(pixels: np.ndarray) -> list[tuple[int, ...]]:
    return [tuple(int(v) for v in pixels[20, 40 * i + 20]) for i in range(len(COLOURS))]


CASES = {
    "p3-png": (lambda: swatches(format="PNG", icc_profile=display_p3_profile()), "image/png"),
    "p3-jpeg": (lambda: swatches(format="JPEG", quality=98, icc_profile=display_p3_profile()),
                "image/jpeg"),
    "gamma-1.0-png": (lambda: swatches(format="PNG", pnginfo=_gamma_chunk(1.0)), "image/png"),
}


def _gamma_chunk(gamma: float) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add(b"gAMA", struct.pack(">I", round(gamma * 100000)))
    return info


@pytest.mark.parametrize("name", list(CASES))
def test_tagged_images_look_as_chromium_draws_them(name):
    make, mime = CASES[name]
    svg = _svg(make(), mime)
    ours, chromium = _centres(_ours(svg)), _centres(_chromium(svg))
    raw = [tuple(c) for c in COLOURS]
    for got, want, plain in zip(ours, chromium, raw):
        assert max(abs(a - b) for a, b in zip(got, want)) <= 4, (name, ours, chromium)
    # and the conversion did something: Chromium's colours are not the raw numbers
    assert any(max(abs(a - b) for a, b in zip(w, p)) > 8 for w, p in zip(chromium, raw))


def test_untagged_and_srgb_images_keep_their_numbers():
    for data in (swatches(format="PNG"), swatches(format="PNG", pnginfo=_gamma_chunk(1 / 2.2))):
        image = decode_image(data, "x", max_pixels=10**6)
        pixels = Image.frombuffer("RGBA", (image.width, image.height), image.pixels, "raw",
                                  "BGRA", 0, 1)
        assert pixels.getpixel((20, 20))[:3] == COLOURS[0]
