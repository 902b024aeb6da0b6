"""Filter primitives cairo cannot express, on float32 arrays (H, W, 4), premultiplied RGBA in
0..1: colour matrices, transfer functions, morphology, arithmetic compositing, linearRGB, small
Gaussian kernels. Formulas follow Filter Effects Module Level 1."""

from __future__ import annotations

import functools
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


# Transfer curves as lookup tables (16,384 steps: under 0.1/255 from the exact formula), so a
# conversion is a divide, an index and a multiply instead of pow() on every channel.
_STEPS = 16384
_X = np.linspace(0.0, 1.0, _STEPS, dtype=np.float64)
_TO_LINEAR = np.where(_X <= 0.04045, _X / 12.92, ((_X + 0.055) / 1.055) ** 2.4).astype(np.float32)
_TO_SRGB = np.where(_X <= 0.0031308, _X * 12.92,
                    1.055 * np.power(_X, 1 / 2.4) - 0.055).astype(np.float32)


def _through(buf: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA through a transfer curve on its straight (unpremultiplied) colour."""
    alpha = buf[..., 3:4]
    straight = np.zeros(buf.shape[:-1] + (3,), np.float32)
    np.divide(buf[..., :3], alpha, out=straight, where=alpha > EPS)
    np.clip(straight, 0.0, 1.0, out=straight)
    straight *= _STEPS - 1
    straight += 0.5
    out = np.empty_like(buf)
    np.multiply(table[straight.astype(np.uint16)], alpha, out=out[..., :3])
    out[..., 3:4] = alpha
    return out


@functools.cache
def conversion_table(to_linear: bool) -> np.ndarray:
    """(65,536,) uint8: a premultiplied 8-bit channel value converted, at index alpha << 8 |
    value, by exactly the float path (_through, then rounding to 8 bits as buffers do)."""
    alpha, value = np.divmod(np.arange(65536, dtype=np.int64), 256)
    buf = np.zeros((256, 256, 4), np.float32)
    buf[..., 0] = value.reshape(256, 256).astype(np.float32) * (1 / 255)  # as Buf.to_float
    buf[..., 3] = alpha.reshape(256, 256).astype(np.float32) * (1 / 255)
    out = _through(buf, _TO_LINEAR if to_linear else _TO_SRGB)[..., 0]
    return np.clip(out * 255 + 0.5, 0, 255).astype(np.uint8).reshape(-1)


def srgb_to_linear(buf: np.ndarray) -> np.ndarray:
    return _through(buf, _TO_LINEAR)


def linear_to_srgb(buf: np.ndarray) -> np.ndarray:
    return _through(buf, _TO_SRGB)


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


def gaussian_blur(buf: np.ndarray, sigma_x: float, sigma_y: float) -> np.ndarray:
    """Exact kernels for small deviations, the spec's box passes from 2 up. (Wide blurs of
    whole surfaces run in Pillow: filter_buffers.blur.)"""
    return _gaussian_axis(_gaussian_axis(buf, sigma_x, 1), sigma_y, 0)


# --- geometry ------------------------------------------------------------------------------

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

def arithmetic(a: np.ndarray, b: np.ndarray, k=(0.0, 0.0, 0.0, 0.0)) -> np.ndarray:
    """feComposite operator="arithmetic" on premultiplied buffers (a = in, b = in2).
    The other operators and feBlend run as cairo operators (filter_buffers.py)."""
    k1, k2, k3, k4 = k
    out = np.clip(k1 * a * b + k2 * a + k3 * b + k4, 0, 1)
    out[..., :3] = np.minimum(out[..., :3], out[..., 3:4])
    return out.astype(np.float32)
