"""`qrCode`: a QR code drawn into the layer's box as vector paths (segno makes the matrix).

The module size is a whole number of 1x pixels (so the 1x image is crisp and scans), the code
is centred in the box, and a code whose modules would be under MIN_MODULE_PX at 1x is refused:
it would not scan reliably from the image this template makes.
"""

from __future__ import annotations

import math

import segno

from svgrender.kinds import place

MIN_MODULE_PX = 2
QUIET_ZONE = 4  # modules, as the standard asks
ERROR_LEVELS = {"L": "l", "M": "m", "Q": "q", "H": "h"}


def module_path(rows) -> str:
    """The dark modules as one path of horizontal runs along each row's middle, to be stroked
    1 module wide (butt caps: each run is exactly its modules). Two commands a run where a
    filled rectangle takes five: CairoSVG's path parser is most of a big code's cost."""
    parts = []
    for y, row in enumerate(rows):
        x, n = 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                parts.append(f"M{start} {y}.5h{x - start}")
            else:
                x += 1
    return "".join(parts)


def make(t, value: str):
    param = t.param
    if not value:
        t.fail("qrCode is empty", "qrCode")
    level = param.qr_error_correction or "M"
    try:
        return segno.make_qr(value, error=ERROR_LEVELS[level], boost_error=False)
    except segno.DataOverflowError:
        t.fail(f"qrCode of {len(value.encode('utf-8', 'replace'))} bytes is more than a QR "
               f"code holds at error correction {level} (at most 2,953 bytes at L)", "qrCode")
    except (ValueError, UnicodeError) as exc:  # e.g. a lone surrogate from JSON
        t.fail(f"qrCode cannot be encoded: {str(exc)[:100]}", "qrCode")


def apply_qr(t, value: str) -> None:
    param = t.param
    qr = make(t, value)
    border = QUIET_ZONE if param.qr_quiet_zone is not False else 0
    rows = [[bool(v) for v in row] for row in qr.matrix]
    size = len(rows)
    if border:
        blank = [False] * (size + 2 * border)
        rows = [list(blank) for _ in range(border)] + \
            [[False] * border + row + [False] * border for row in rows] + \
            [list(blank) for _ in range(border)]
    n = len(rows)
    bx, by, bw, bh = place.pixel_box(t)
    side = min(bw, bh)
    module = math.floor(side / n)
    if module < MIN_MODULE_PX:
        t.fail(f"qrCode needs {n}×{n} modules (version {qr.version}, error correction "
               f"{param.qr_error_correction or 'M'}"
               f"{', quiet zone' if border else ''}); the layer's box is {bw:.0f}×{bh:.0f} px, "
               f"under {MIN_MODULE_PX} px a module at 1x, too small to scan: use a shorter "
               f"value, a lower qrErrorCorrection or a box at least {n * MIN_MODULE_PX} px "
               "square", "qrCode")
    color = t.color(param.qr_color or "#000000", "qrColor")
    background = None if place.is_none(param.qr_background) else \
        t.color(param.qr_background or "#ffffff", "qrBackground")
    length = module * n
    x = place.snap(bx + (bw - length) / 2)
    y = place.snap(by + (bh - length) / 2)
    ux, uy, uw, _ = place.user_box(t, x, y, length, length)
    holder = place.replace_content(t)
    code = place.svg("g", transform=f"translate({place.fmt(ux)} {place.fmt(uy)}) "
                                    f"scale({place.fmt(uw / n)})")
    code.set("data-kind", "qrCode")
    if background is not None:
        code.append(place.svg("rect", width=n, height=n, **place.paint(background)))
    modules = place.svg("path", d=module_path(rows), fill="none", stroke=color.hex,
                        stroke_width="1")
    if color.a < 1:
        modules.set("stroke-opacity", f"{color.a:g}")
    code.append(modules)
    holder.append(code)
