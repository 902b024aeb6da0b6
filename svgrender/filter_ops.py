"""Filter primitives on pixel buffers: float32 arrays (H, W, 4), premultiplied RGBA in 0..1.

Pure numpy, no cairo: each function takes buffers and device-pixel parameters and returns a new
buffer of the same shape. Formulas follow Filter Effects Module Level 1 and Compositing Level 1.
"""

from __future__ import annotations

import math

import numpy as np

EPS = 1e-6


def unpremultiply(buf: np.ndarray) -> np.ndarray:
    alpha = buf[..., 3:4]
    rgb = np.where(alpha > EPS, buf[..., :3] / np.maximum(alpha, EPS), 0.0)
    return np.concatenate([np.clip(rgb, 0, 1), alpha], axis=-1)


def premultiply(buf: np.ndarray) -> np.ndarray:
    out = buf.copy()
    out[..., :3] *= out[..., 3:4]
    return out


def srgb_to_linear(buf: np.ndarray) -> np.ndarray:
    straight = unpremultiply(buf)
    c = straight[..., :3]
    straight[..., :3] = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return premultiply(straight)


def linear_to_srgb(buf: np.ndarray) -> np.ndarray:
    straight = unpremultiply(buf)
    c = straight[..., :3]
    straight[..., :3] = np.where(c <= 0.0031308, c * 12.92, 1.055 * np.power(c, 1 / 2.4) - 0.055)
    return premultiply(np.clip(straight, 0, 1))


# --- blur ----------------------------------------------------------------------------------

def _box_blur_axis(buf: np.ndarray, size: int, axis: int, offset: int) -> np.ndarray:
    """Box average of `size` samples along axis; window [i - offset, i - offset + size)."""
    if size <= 1:
        return buf
    n = buf.shape[axis]
    pad = [(0, 0)] * buf.ndim
    pad[axis] = (size + 1, size)
    csum = np.cumsum(np.pad(buf, pad), axis=axis, dtype=np.float64)
    first = size - offset  # csum index of the window start for i = 0

    def window(start: int) -> np.ndarray:
        index = [slice(None)] * buf.ndim
        index[axis] = slice(start, start + n)
        return csum[tuple(index)]

    return ((window(first + size) - window(first)) / size).astype(np.float32)


def _gaussian_axis(buf: np.ndarray, sigma: float, axis: int) -> np.ndarray:
    if sigma <= 0:
        return buf
    if sigma >= 2.0:
        # The spec's three box blurs (what browsers do for larger deviations).
        d = int(math.floor(sigma * 3 * math.sqrt(2 * math.pi) / 4 + 0.5))
        if d % 2 == 1:
            for _ in range(3):
                buf = _box_blur_axis(buf, d, axis, d // 2)
        else:
            buf = _box_blur_axis(buf, d, axis, d // 2)
            buf = _box_blur_axis(buf, d, axis, d // 2 - 1)
            buf = _box_blur_axis(buf, d + 1, axis, d // 2)
        return buf
    radius = max(1, int(math.ceil(sigma * 3)))
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    kernel = np.exp(-(x * x) / (2 * sigma * sigma))
    kernel /= kernel.sum()
    pad = [(0, 0)] * buf.ndim
    pad[axis] = (radius, radius)
    padded = np.pad(buf, pad)
    out = np.zeros_like(buf)
    n = buf.shape[axis]
    for i, weight in enumerate(kernel):
        out += weight * np.take(padded, np.arange(i, i + n), axis=axis)
    return out


def _pillow_blur(plane: np.ndarray, sigma_x: float, sigma_y: float) -> np.ndarray:
    """Pillow's extended box blur (C, 8-bit): ~4x faster than numpy, within 2/255 of it."""
    from PIL import Image, ImageFilter

    mode = "L" if plane.ndim == 2 else "RGBA"
    image = Image.fromarray(np.clip(plane * 255 + 0.5, 0, 255).astype(np.uint8), mode)
    blurred = image.filter(ImageFilter.GaussianBlur((sigma_x, sigma_y)))
    return np.asarray(blurred, dtype=np.float32) * (1 / 255)


def gaussian_blur(buf: np.ndarray, sigma_x: float, sigma_y: float) -> np.ndarray:
    if sigma_x <= 0 and sigma_y <= 0:
        return buf
    if sigma_x >= 2 and sigma_y >= 2:
        if not buf[..., :3].any():  # alpha-only input (SourceAlpha, shadows): one channel
            out = np.zeros_like(buf)
            out[..., 3] = _pillow_blur(buf[..., 3], sigma_x, sigma_y)
            return out
        return _pillow_blur(buf, sigma_x, sigma_y)
    return _gaussian_axis(_gaussian_axis(buf, sigma_x, 1), sigma_y, 0)


# --- geometry ------------------------------------------------------------------------------

def offset(buf: np.ndarray, dx: float, dy: float) -> np.ndarray:
    ix, iy = int(round(dx)), int(round(dy))
    out = np.zeros_like(buf)
    h, w = buf.shape[:2]
    if abs(ix) >= w or abs(iy) >= h:
        return out
    src_y = slice(max(0, -iy), h - max(0, iy))
    dst_y = slice(max(0, iy), h - max(0, -iy))
    src_x = slice(max(0, -ix), w - max(0, ix))
    dst_x = slice(max(0, ix), w - max(0, -ix))
    out[dst_y, dst_x] = buf[src_y, src_x]
    return out


def morphology(buf: np.ndarray, rx: int, ry: int, dilate: bool) -> np.ndarray:
    pick = np.maximum if dilate else np.minimum
    fill = 0.0  # edgeMode none: outside the region is transparent black
    out = buf
    for axis, radius in ((1, rx), (0, ry)):
        if radius <= 0:
            continue
        pad = [(0, 0)] * 3
        pad[axis] = (radius, radius)
        padded = np.pad(out, pad, constant_values=fill)
        n = out.shape[axis]
        acc = np.take(padded, np.arange(0, n), axis=axis)
        for i in range(1, 2 * radius + 1):
            acc = pick(acc, np.take(padded, np.arange(i, i + n), axis=axis))
        out = acc
    return out


# --- colour --------------------------------------------------------------------------------

def color_matrix(buf: np.ndarray, kind: str, values: list[float]) -> np.ndarray:
    straight = unpremultiply(buf)
    if kind == "matrix":
        m = np.array(values[:20] if len(values) >= 20 else _identity(), dtype=np.float32)
        m = m.reshape(4, 5)
    elif kind == "saturate":
        s = values[0] if values else 1.0
        m = np.array([
            [0.213 + 0.787 * s, 0.715 - 0.715 * s, 0.072 - 0.072 * s, 0, 0],
            [0.213 - 0.213 * s, 0.715 + 0.285 * s, 0.072 - 0.072 * s, 0, 0],
            [0.213 - 0.213 * s, 0.715 - 0.715 * s, 0.072 + 0.928 * s, 0, 0],
            [0, 0, 0, 1, 0]], dtype=np.float32)
    elif kind == "hueRotate":
        a = math.radians(values[0] if values else 0.0)
        c, s = math.cos(a), math.sin(a)
        m = np.array([
            [0.213 + c * 0.787 - s * 0.213, 0.715 - c * 0.715 - s * 0.715,
             0.072 - c * 0.072 + s * 0.928, 0, 0],
            [0.213 - c * 0.213 + s * 0.143, 0.715 + c * 0.285 + s * 0.140,
             0.072 - c * 0.072 - s * 0.283, 0, 0],
            [0.213 - c * 0.213 - s * 0.787, 0.715 - c * 0.715 + s * 0.715,
             0.072 + c * 0.928 + s * 0.072, 0, 0],
            [0, 0, 0, 1, 0]], dtype=np.float32)
    elif kind == "luminanceToAlpha":
        m = np.array([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0],
                      [0.2125, 0.7154, 0.0721, 0, 0]], dtype=np.float32)
    else:
        return buf
    result = straight @ m[:, :4].T + m[:, 4]
    return premultiply(np.clip(result, 0, 1).astype(np.float32))


def _identity() -> list[float]:
    return [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]


def component_transfer(buf: np.ndarray, functions: dict[int, tuple[str, dict]]) -> np.ndarray:
    """functions: channel index (0..3) -> (type, attributes)."""
    straight = unpremultiply(buf)
    for channel, (kind, attrs) in functions.items():
        c = straight[..., channel]
        if kind == "linear":
            c = attrs.get("slope", 1.0) * c + attrs.get("intercept", 0.0)
        elif kind == "gamma":
            c = attrs.get("amplitude", 1.0) * np.power(c, attrs.get("exponent", 1.0)) + attrs.get(
                "offset", 0.0)
        elif kind in ("table", "discrete"):
            table = attrs.get("tableValues") or []
            n = len(table)
            if n:
                values = np.array(table, dtype=np.float32)
                if kind == "table" and n > 1:
                    pos = c * (n - 1)
                    k = np.clip(np.floor(pos).astype(int), 0, n - 2)
                    c = values[k] + (pos - k) * (values[k + 1] - values[k])
                else:
                    k = np.clip(np.floor(c * n).astype(int), 0, n - 1)
                    c = values[k]
        straight[..., channel] = np.clip(c, 0, 1)
    return premultiply(straight)


# --- compositing ---------------------------------------------------------------------------

def composite(a: np.ndarray, b: np.ndarray, operator: str, k=(0.0, 0.0, 0.0, 0.0)) -> np.ndarray:
    """Porter-Duff `a operator b` (a = in, b = in2), premultiplied. Either may be a (1, 1, 4)
    constant (a flood), which broadcasts."""
    aa, ab = a[..., 3:4], b[..., 3:4]
    if operator == "in":
        return a * ab
    if operator == "out":
        return a * (1 - ab)
    if operator == "over":
        out = b * (1 - aa)
        out += a
        return out
    if operator == "atop":
        return a * ab + b * (1 - aa)
    if operator == "xor":
        return a * (1 - ab) + b * (1 - aa)
    if operator == "arithmetic":
        k1, k2, k3, k4 = k
        out = np.clip(k1 * a * b + k2 * a + k3 * b + k4, 0, 1)
        out[..., :3] = np.minimum(out[..., :3], out[..., 3:4])
        return out.astype(np.float32)
    if operator == "lighter":
        return np.clip(a + b, 0, 1)
    return a + b * (1 - aa)  # over


def _lum(c):
    return 0.3 * c[..., 0:1] + 0.59 * c[..., 1:2] + 0.11 * c[..., 2:3]


def _clip_color(c):
    lum = _lum(c)
    n = c.min(axis=-1, keepdims=True)
    x = c.max(axis=-1, keepdims=True)
    c = np.where(n < 0, lum + (c - lum) * lum / np.maximum(lum - n, EPS), c)
    c = np.where(x > 1, lum + (c - lum) * (1 - lum) / np.maximum(x - lum, EPS), c)
    return c


def _set_lum(c, lum):
    return _clip_color(c + (lum - _lum(c)))


def _sat(c):
    return c.max(axis=-1, keepdims=True) - c.min(axis=-1, keepdims=True)


def _set_sat(c, s):
    mx = c.max(axis=-1, keepdims=True)
    mn = c.min(axis=-1, keepdims=True)
    rng = mx - mn
    out = np.where(rng > EPS, (c - mn) * s / np.maximum(rng, EPS), 0.0)
    return out


def _blend_fn(mode: str, cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    if mode == "multiply":
        return cb * cs
    if mode == "screen":
        return cb + cs - cb * cs
    if mode == "overlay":
        return _blend_fn("hard-light", cs, cb)
    if mode == "darken":
        return np.minimum(cb, cs)
    if mode == "lighten":
        return np.maximum(cb, cs)
    if mode == "color-dodge":
        return np.where(cb <= 0, 0.0, np.where(cs >= 1, 1.0, np.minimum(1, cb / np.maximum(1 - cs, EPS))))
    if mode == "color-burn":
        return np.where(cb >= 1, 1.0, np.where(cs <= 0, 0.0, 1 - np.minimum(1, (1 - cb) / np.maximum(cs, EPS))))
    if mode == "hard-light":
        return np.where(cs <= 0.5, cb * 2 * cs, _blend_fn("screen", cb, 2 * cs - 1))
    if mode == "soft-light":
        d = np.where(cb <= 0.25, ((16 * cb - 12) * cb + 4) * cb, np.sqrt(np.clip(cb, 0, 1)))
        return np.where(cs <= 0.5, cb - (1 - 2 * cs) * cb * (1 - cb), cb + (2 * cs - 1) * (d - cb))
    if mode == "difference":
        return np.abs(cb - cs)
    if mode == "exclusion":
        return cb + cs - 2 * cb * cs
    if mode == "hue":
        return _set_lum(_set_sat(cs, _sat(cb)), _lum(cb))
    if mode == "saturation":
        return _set_lum(_set_sat(cb, _sat(cs)), _lum(cb))
    if mode == "color":
        return _set_lum(cs, _lum(cb))
    if mode == "luminosity":
        return _set_lum(cb, _lum(cs))
    return cs  # normal


BLEND_MODES = {"normal", "multiply", "screen", "overlay", "darken", "lighten", "color-dodge",
               "color-burn", "hard-light", "soft-light", "difference", "exclusion", "hue",
               "saturation", "color", "luminosity"}


def blend(source: np.ndarray, backdrop: np.ndarray, mode: str) -> np.ndarray:
    """Source (in) blended onto backdrop (in2), premultiplied in and out."""
    if mode == "normal":
        return composite(source, backdrop, "over")
    a_s, a_b = source[..., 3:4], backdrop[..., 3:4]
    cs = unpremultiply(source)[..., :3]
    cb = unpremultiply(backdrop)[..., :3]
    mixed = np.clip(_blend_fn(mode, cb, cs), 0, 1)
    rgb = (1 - a_b) * source[..., :3] + (1 - a_s) * backdrop[..., :3] + a_s * a_b * mixed
    alpha = a_s + a_b - a_s * a_b
    return np.concatenate([rgb, alpha], axis=-1).astype(np.float32)


def flood(rgba_premultiplied: tuple[float, float, float, float]) -> np.ndarray:
    """A constant colour as a (1, 1, 4) buffer: broadcasts in compositing, costs nothing."""
    return np.array(rgba_premultiplied, dtype=np.float32).reshape(1, 1, 4)


def full(buf: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A real (H, W, 4) buffer for operations that move or filter pixels."""
    if buf.shape[:2] == tuple(shape):
        return buf
    return np.broadcast_to(buf, (*shape, 4)).copy()
