"""Pixel helpers for tests: decode, sample, diff, ink boxes."""

from __future__ import annotations

import io

from PIL import Image, ImageChops


def decode(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGBA")


def close(a, b, tolerance: int = 6) -> bool:
    return all(abs(int(x) - int(y)) <= tolerance for x, y in zip(a, b))


def diff_box(a: Image.Image, b: Image.Image, threshold: int = 40):
    """Bounding box (left, top, right, bottom) of pixels that differ by more than threshold."""
    delta = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
    return delta.point(lambda v: 255 if v > threshold else 0).getbbox()


def mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    delta = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    hist = delta.histogram()
    total = sum(i % 256 * count for i, count in enumerate(hist))
    return total / (a.width * a.height * 3)
