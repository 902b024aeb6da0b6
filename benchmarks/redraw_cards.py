"""A card shaped like issue 32's (nobody tuned svgrender for it): 1200×630, a gradient, a
linearRGB drop shadow, three text layers and a clipped photo painted AFTER them, so the
paint-order cache could keep nothing above the title. Shared by bench_redraw.py and the tests."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image


def _photo_jpeg(width: int = 520, height: int = 560) -> bytes:
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([(x * 255 // width), (y * 255 // height),
                    (128 + 100 * np.sin(x / 23.0) * np.cos(y / 31.0))], axis=-1)
    out = io.BytesIO()
    Image.fromarray(rgb.clip(0, 255).astype(np.uint8)).save(out, "JPEG", quality=85)
    return out.getvalue()


def photo_after_text_card() -> bytes:
    photo = base64.b64encode(_photo_jpeg()).decode()
    return f'''<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"
     viewBox="0 0 1200 630">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#f4a261"/><stop offset="1" stop-color="#264653"/>
    </linearGradient>
    <filter id="shadow" x="-10%" y="-10%" width="120%" height="130%"
            color-interpolation-filters="linearRGB">
      <feDropShadow dx="0" dy="12" stdDeviation="14" flood-color="#000" flood-opacity="0.4"/>
    </filter>
    <clipPath id="photo-clip"><rect x="660" y="70" width="480" height="490" rx="28"/></clipPath>
  </defs>
  <rect id="canvas" width="1200" height="630" fill="url(#bg)"/>
  <rect id="panel" x="40" y="40" width="1120" height="550" rx="36" fill="#fffaf3"
        filter="url(#shadow)"/>
  <text id="title" data-box="80 110 540 150" x="80" y="170" font-family="DejaVu Sans"
        font-size="50" font-weight="bold" fill="#1d3557">Autumn in the Alps</text>
  <text id="subtitle" data-box="80 300 540 80" x="80" y="330" font-family="DejaVu Sans"
        font-size="26" fill="#457b9d">Seven days of lakes, passes and huts</text>
  <text id="tagline" x="80" y="540" font-family="DejaVu Sans" font-size="22"
        fill="#8d99ae">tours.example</text>
  <image id="photo" x="660" y="70" width="480" height="490" preserveAspectRatio="xMidYMid slice"
         clip-path="url(#photo-clip)" href="data:image/jpeg;base64,{photo}"/>
</svg>'''.encode()


def shadows_card(shadowed: int) -> bytes:
    """1200×630, 16 small 240×90 tiles (a Figma-style drop shadow chain), the first
    `shadowed` of them with the shadow: 16 vs 1 prices each filter run."""
    tiles = []
    for i in range(16):
        x, y = 40 + (i % 4) * 290, 40 + (i // 4) * 145
        effect = ' filter="url(#tile-shadow)"' if i < shadowed else ""
        tiles.append(f'<rect id="tile{i}" x="{x}" y="{y}" width="240" height="90" rx="14" '
                     f'fill="#ffffff"{effect}/>')
    return f'''<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#e9f5f2"/><stop offset="1" stop-color="#cfe3ef"/>
    </linearGradient>
    <filter id="tile-shadow" x="-20%" y="-30%" width="140%" height="180%"
            filterUnits="objectBoundingBox" color-interpolation-filters="sRGB">
      <feFlood flood-opacity="0" result="BackgroundImageFix"/>
      <feColorMatrix in="SourceAlpha" type="matrix"
                     values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 127 0" result="hardAlpha"/>
      <feOffset dy="6"/>
      <feGaussianBlur stdDeviation="8"/>
      <feColorMatrix type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0.25 0"/>
      <feBlend mode="normal" in2="BackgroundImageFix" result="effect1_dropShadow"/>
      <feBlend mode="normal" in="SourceGraphic" in2="effect1_dropShadow" result="shape"/>
    </filter>
  </defs>
  <rect width="1200" height="630" fill="url(#bg)"/>
  {"".join(tiles)}
</svg>'''.encode()
