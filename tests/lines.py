"""Text lines as a reader sees them: the bands of ink rows inside a box, and where each ends."""

from __future__ import annotations

from PIL import Image


def line_bands(image: Image.Image, box: tuple[float, float, float, float], template_width: float,
               threshold: int = 110) -> list[tuple[float, float]]:
    """[(top, right end)] per line of dark ink inside `box` (1x px), as fractions of the box,
    measured on an image of any size (the box is scaled by image width / template width)."""
    k = image.width / template_width
    x, y, w, h = (round(v * k) for v in box)
    crop = image.convert("L").crop((x, y, x + w, y + h))
    pixels = crop.load()
    rows = [any(pixels[i, j] < threshold for i in range(crop.width)) for j in range(crop.height)]
    bands, start = [], None
    for j, ink in enumerate(rows + [False]):
        if ink and start is None:
            start = j
        elif not ink and start is not None:
            if j - start >= max(2, round(3 * k)):  # ignore specks
                right = max(i for i in range(crop.width) for jj in range(start, j)
                            if pixels[i, jj] < threshold)
                bands.append((start / crop.height, (right + 1) / crop.width))
            start = None
    return bands
