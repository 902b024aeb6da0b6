"""Filter buffers as cairo image surfaces: compositing and moving pixels stay in pixman (8-bit,
SIMD, premultiplied), which is ~10x cheaper than float arrays for the ops shadows are made of.
Only primitives cairo cannot express (colour matrices, transfer functions, morphology,
arithmetic compositing, linearRGB conversion) round-trip through numpy (filter_ops.py).
"""

from __future__ import annotations

import functools

import cairocffi as cairo
import numpy as np
from PIL import Image, ImageFilter

from svgrender.draw import filter_ops as ops
from svgrender.draw.walker import BLEND_OPERATORS

PORTER_DUFF = {"over": cairo.OPERATOR_OVER, "in": cairo.OPERATOR_IN, "out": cairo.OPERATOR_OUT,
               "atop": cairo.OPERATOR_ATOP, "xor": cairo.OPERATOR_XOR,
               "lighter": cairo.OPERATOR_ADD}
# feBlend modes are mix-blend-mode's: one table (cairo_seams), plus "normal".
BLEND = {"normal": cairo.OPERATOR_OVER, **BLEND_OPERATORS}


class Buf:
    """One intermediate image, the size of the working area: premultiplied ARGB32, or an A8
    plane for alpha-only results (SourceAlpha, its blur: a quarter of the bytes to move).

    A buffer can also be *lazy*: a cairo pattern that paints its pixels (a reduced blurred
    plane scaled up, moved by an offset, a window on another buffer) plus the rectangle it
    covers. Shadow chains (blur → offset → flood "in" → merge) then never write a full-size
    intermediate image: the tinted small plane is scaled and moved in the one pixman pass that
    paints it. `surface` materialises a buffer when a primitive needs the pixels themselves."""

    __slots__ = ("_surface", "_pattern", "_rect", "_mask", "_size", "_enlarge", "_reduced",
                 "alpha_only", "solid", "linear", "flood")

    def __init__(self, surface: cairo.ImageSurface | None, alpha_only: bool = False, *,
                 pattern: cairo.Pattern | None = None,
                 rect: tuple[int, int, int, int] | None = None,
                 size: tuple[int, int] | None = None):
        self._surface = surface
        self._pattern = pattern  # lazy pixels, in buffer coordinates
        self._rect = rect  # where a lazy pattern may paint (x0, y0, x1, y1)
        self._mask: Buf | None = None  # lazy: the pattern painted through this buffer's alpha
        # lazy: a reduced plane whose pattern scales it up; materialised by Pillow (cheaper
        # than pixman's bilinear on A8): () -> full-size plane
        self._enlarge = None
        self._reduced: tuple[Image.Image, int] | None = None  # lazy: (the small plane, factor)
        self._size = size or (surface.get_width(), surface.get_height())
        self.alpha_only = alpha_only  # colour channels are all zero (SourceAlpha and friends)
        # One straight colour times an alpha plane (a flood, a shadow): converting it between
        # colour spaces is converting that colour, not every pixel.
        self.solid: tuple[float, float, float] | None = None
        self.linear: bool | None = None  # set by a primitive whose output space is not its own
        self.flood = False  # one colour over the whole buffer

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    @property
    def surface(self) -> cairo.ImageSurface:
        """The pixels as an image surface (A8 when alpha-only and lazy, else ARGB32)."""
        if self._surface is None and self._enlarge is not None:
            self._surface = _plane_surface(self._enlarge())
            self._pattern = self._rect = self._enlarge = self._reduced = None
        if self._surface is None:
            width, height = self._size
            fmt = cairo.FORMAT_A8 if self.alpha_only else cairo.FORMAT_ARGB32
            if isinstance(self._pattern, cairo.SurfacePattern) and \
                    self._pattern.get_surface().get_format() == cairo.FORMAT_ARGB32:
                fmt = cairo.FORMAT_ARGB32  # (pixman scales ARGB into ARGB fast, not into A8)
            surface = cairo.ImageSurface(fmt, width, height)
            self.paint_onto(cairo.Context(surface), cairo.OPERATOR_SOURCE)
            self._surface = surface
            self._pattern = self._rect = self._mask = None
        return self._surface

    def own_argb(self) -> cairo.ImageSurface:
        """The pixels as an ARGB32 surface that owns its memory (what outlives the chain)."""
        if self._surface is not None and self._surface.get_format() == cairo.FORMAT_ARGB32:
            return self._surface
        out = Buf.blank(*self._size)
        self.paint_onto(out.context(), cairo.OPERATOR_SOURCE)
        return out.surface

    def _source(self, context: cairo.Context) -> cairo.Pattern:
        """This buffer's pattern, with the context clipped to where it may paint."""
        if self._pattern is None or self._enlarge is not None:
            # (a reduced plane painted as it is: Pillow enlarges A8 faster than pixman)
            return cairo.SurfacePattern(self.surface)
        if self._rect is not None:
            x0, y0, x1, y1 = self._rect
            context.rectangle(x0, y0, x1 - x0, y1 - y0)
            context.clip()
        return self._pattern

    def paint_onto(self, context: cairo.Context, operator: int = cairo.OPERATOR_OVER,
                   sampled: bool = False) -> None:
        """Paint these pixels at buffer coordinates: OVER (or ADD) onto anything, any other
        operator onto a transparent destination only (a lazy buffer paints within its
        rectangle, and outside it an unbounded operator would have cleared). `sampled`: the
        context scales them (a thumbnail): pixels sampled bilinearly, as pixman's own
        "good" downscale convolves each one (several times the cost, for pixels as soft)."""
        context.save()
        context.set_operator(operator)
        if self._mask is not None and self._surface is None:
            context.set_source(self._pattern)
            self._mask.mask_onto(context)
        else:
            source = self._source(context)
            if sampled and source is not self._pattern:
                source.set_filter(cairo.FILTER_BILINEAR)
            context.set_source(source)
            context.paint()
        context.restore()

    def mask_onto(self, context: cairo.Context) -> None:
        """Use these pixels' alpha as the mask for the context's source."""
        if self._mask is not None and self._surface is None:
            self.surface  # (a masked colour as a mask: rare; its pixels, once)
        context.save()
        pattern = self._source(context)
        context.mask(pattern)
        context.restore()

    def enlargement(self) -> float | None:
        """How much a lazy buffer's pixels are enlarged where painted (a reduced blur plane
        scaled up, bilinearly, the same both ways), or None (pixels at full size)."""
        pattern = self._pattern if self._surface is None and self._mask is None else None
        if not isinstance(pattern, cairo.SurfacePattern) or \
                pattern.get_filter() != cairo.FILTER_BILINEAR:
            return None
        xx, yx, xy, yy, _, _ = pattern.get_matrix().as_tuple()
        if abs(yx) > 1e-9 or abs(xy) > 1e-9 or xx <= 0 or abs(xx - yy) > 1e-9:
            return None
        return 1 / xx

    @classmethod
    def blank(cls, width: int, height: int) -> "Buf":
        return cls(cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height), alpha_only=True)

    @classmethod
    def plane(cls, width: int, height: int) -> "Buf":
        """A transparent A8 buffer (alpha-only results)."""
        return cls(cairo.ImageSurface(cairo.FORMAT_A8, width, height), alpha_only=True)

    def alpha_plane(self) -> np.ndarray:
        """(H, W) uint8 alpha, a view of the surface (valid while this buffer lives)."""
        surface = self.surface
        surface.flush()
        width, height = self._size
        data = np.frombuffer(surface.get_data(), dtype=np.uint8)
        if surface.get_format() == cairo.FORMAT_A8:
            return data.reshape(height, surface.get_stride())[:, :width]
        return data.reshape(height, surface.get_stride() // 4, 4)[:, :width, 3]

    def _pixels(self) -> np.ndarray:
        """(H, W, 4) premultiplied BGRA: a view of an ARGB surface (valid while this buffer
        lives), a copy for an A8 plane."""
        surface = self.surface
        surface.flush()
        width, height = self._size
        if surface.get_format() == cairo.FORMAT_A8:
            out = np.zeros((height, width, 4), np.uint8)
            out[..., 3] = self.alpha_plane()
            return out
        data = np.frombuffer(surface.get_data(), dtype=np.uint8)
        return data.reshape(height, surface.get_stride() // 4, 4)[:, :width]

    def is_blank(self) -> bool:
        """Transparent everywhere (a flood of opacity 0, an empty plane)."""
        if self._surface is None and isinstance(self._pattern, cairo.SolidPattern):
            return self._pattern.get_rgba()[3] == 0
        if self._surface is None and self._pattern is not None:
            return False  # a lazy layer (moved, scaled): assume it draws something
        return not self.alpha_plane().any()

    def maybe_drawn(self) -> np.ndarray:
        """(H, W) bool: where these pixels may be non-transparent (a lazy buffer: its
        rectangle, without drawing it)."""
        width, height = self._size
        if self._surface is None and self._pattern is not None and self._mask is None:
            out = np.zeros((height, width), bool)
            x0, y0, x1, y1 = self._rect or (0, 0, width, height)
            out[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = True
            return out
        return self.alpha_plane().astype(bool)

    def pixels_at(self, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        """(N, 4) premultiplied BGRA at the given pixels (no full copy of an A8 plane)."""
        surface = self.surface
        if surface.get_format() == cairo.FORMAT_A8:
            out = np.zeros((len(ys), 4), np.uint8)
            out[:, 3] = self.alpha_plane()[ys, xs]
            return out
        return self._pixels()[ys, xs]

    def to_float(self) -> np.ndarray:
        """(H, W, 4) float32 premultiplied RGBA in 0..1."""
        return self._pixels()[..., [2, 1, 0, 3]].astype(np.float32) * (1 / 255)

    @classmethod
    def from_float(cls, buf: np.ndarray, alpha_only: bool = False) -> "Buf":
        height, width = buf.shape[:2]
        out = cls.blank(width, height)
        out.alpha_only = alpha_only
        pixels = np.clip(buf * 255 + 0.5, 0, 255).astype(np.uint8)[..., [2, 1, 0, 3]]
        out._pixels()[...] = pixels
        out.surface.mark_dirty()
        return out

    def context(self) -> cairo.Context:
        return cairo.Context(self.surface)


def _plane_surface(plane: np.ndarray | Image.Image) -> cairo.ImageSurface:
    """An A8 surface holding a uint8 plane (rows padded to cairo's stride)."""
    array = np.asarray(plane, dtype=np.uint8)
    height, width = array.shape
    surface = cairo.ImageSurface(cairo.FORMAT_A8, width, height)
    data = np.frombuffer(surface.get_data(), dtype=np.uint8).reshape(height,
                                                                     surface.get_stride())
    data[:, :width] = array
    surface.mark_dirty()
    return surface


def alpha_of(src: Buf) -> Buf:
    """SourceAlpha: black with the source's alpha, as an A8 plane."""
    width, height = src.size
    out = Buf.plane(width, height)
    src.paint_onto(out.context(), cairo.OPERATOR_SOURCE)
    return out


def flood(width: int, height: int, rgba_premultiplied) -> Buf:
    """One colour over the region: lazy (a solid pattern) until a primitive needs pixels."""
    r, g, b, a = rgba_premultiplied
    # cairo takes straight colour; ours is premultiplied.
    pattern = cairo.SolidPattern(r / a, g / a, b / a, a) if a > 0 else \
        cairo.SolidPattern(0, 0, 0, 0)
    out = Buf(None, pattern=pattern, size=(width, height))
    out.alpha_only = r == g == b == 0
    out.solid = (r / a, g / a, b / a) if a > 0 else (0.0, 0.0, 0.0)
    out.flood = True
    return out


def recoloured(src: Buf, colour: tuple[float, float, float]) -> Buf:
    """The alpha plane of `src` painted in one straight colour (cairo, no float maths)."""
    width, height = src.size
    out = Buf.blank(width, height)
    context = out.context()
    context.set_source_rgb(*colour)
    src.mask_onto(context)
    out.alpha_only = colour == (0.0, 0.0, 0.0)
    out.solid = colour
    return out


def converted(src: Buf, to_linear: bool) -> Buf:
    """`src` converted to linearRGB (or back to sRGB) by whole pixels: the same bytes as
    from_float(convert(to_float())), looked up per (alpha, channel) pair in a table made by
    that very float path once, so no float image is made (a 1200×630 card's shadow region:
    ~20 ms a conversion before)."""
    pixels = src._pixels()
    table = ops.conversion_table(to_linear)
    index = pixels[..., 3].astype(np.uint16) << 8
    width, height = src.size
    out = Buf.blank(width, height)
    target = out._pixels()
    for channel in range(3):
        np.take(table, index | pixels[..., channel], out=target[..., channel])
    target[..., 3] = pixels[..., 3]
    out.surface.mark_dirty()
    out.alpha_only = False
    return out


def offset(src: Buf, dx: float, dy: float) -> Buf:
    """Moved by whole pixels: lazily (the same pixels, a translated pattern and rectangle)."""
    return _moved(src, round(dx), round(dy), *src.size)


def _moved(src: Buf, dx: int, dy: int, width: int, height: int) -> Buf:
    """`src`'s pixels moved by (dx, dy) in a buffer of width × height, lazily: a translated
    pattern and rectangle (outside it: transparent, as a moved image leaves)."""
    pattern = src._pattern if src._surface is None and src._mask is None else None
    pattern = pattern or cairo.SurfacePattern(src.surface)
    if isinstance(pattern, cairo.SurfacePattern):  # (a solid colour is the same anywhere)
        # A pattern's matrix maps buffer coordinates to its own: moving the pixels by
        # (dx, dy) composes a translation by (-dx, -dy) on the buffer side.
        pattern = _copy_pattern(pattern,
                                cairo.Matrix(x0=-dx, y0=-dy).multiply(pattern.get_matrix()))
    x0, y0, x1, y1 = src._rect or (0, 0, *src.size)
    rect = (max(x0 + dx, 0), max(y0 + dy, 0), min(x1 + dx, width), min(y1 + dy, height))
    out = Buf(None, src.alpha_only, pattern=pattern, rect=rect, size=(width, height))
    out.solid = src.solid
    return out


def _copy_pattern(pattern: cairo.Pattern, matrix: cairo.Matrix) -> cairo.Pattern:
    copy = cairo.SurfacePattern(pattern.get_surface())
    copy.set_matrix(matrix)
    copy.set_filter(pattern.get_filter())
    copy.set_extend(pattern.get_extend())
    return copy


def composite(a: Buf, b: Buf, operator: int) -> Buf:
    """`a operator b`: b is the destination (in2), a the source (in)."""
    width, height = b.size
    if operator == cairo.OPERATOR_IN and a.flood and a._surface is None:
        tinted = _tinted_reduced(a, b)
        if tinted is not None:
            return tinted
        # A flood "in" a plane (every drop shadow): lazily, the colour painted through the
        # (moved) plane wherever the result is painted: no intermediate image.
        out = Buf(None, a.alpha_only, pattern=a._pattern, size=(width, height))
        out._mask, out.solid = b, a.solid
        return out
    if operator == cairo.OPERATOR_OVER and a.size == b.size:
        # Over a transparent flood (Figma's "BackgroundImageFix"), or a transparent flood
        # over something: the other input, unchanged.
        if _clear_flood(b):
            return a
        if _clear_flood(a):
            return b
    alpha_only = a.alpha_only and b.alpha_only  # (then on an A8 plane: a quarter the bytes)
    out = Buf.plane(width, height) if alpha_only else Buf.blank(width, height)
    context = out.context()
    b.paint_onto(context, cairo.OPERATOR_SOURCE)
    if operator in (cairo.OPERATOR_OVER, cairo.OPERATOR_ADD):
        a.paint_onto(context, operator)  # bounded: a lazy `a` paints where it is, unwritten
    else:
        context.set_source_surface(a.surface, 0, 0)  # the whole of a: unbounded operators
        context.set_operator(operator)
        context.paint()
    out.alpha_only = alpha_only
    if operator in (cairo.OPERATOR_IN, cairo.OPERATOR_OUT):  # a's colour, b's coverage
        out.solid = a.solid
    return out


def _clear_flood(buf: Buf) -> bool:
    """A lazy flood of opacity 0 (what it paints is nothing)."""
    return buf._surface is None and isinstance(buf._pattern, cairo.SolidPattern) and \
        buf._mask is None and buf._pattern.get_rgba()[3] == 0


def merge(layers: list[Buf], width: int, height: int) -> Buf:
    """feMerge: every input painted over the previous ones, on one surface."""
    out = Buf.blank(width, height)
    context = out.context()
    for layer in layers:
        layer.paint_onto(context)
    out.alpha_only = all(layer.alpha_only for layer in layers)
    return out


def blur(src: Buf, sigma_x: float, sigma_y: float) -> Buf:
    if sigma_x <= 0 and sigma_y <= 0:
        return src
    width, height = src.size
    if sigma_x < 2 or sigma_y < 2:  # small deviations: a true Gaussian kernel (numpy)
        out = Buf.from_float(ops.gaussian_blur(src.to_float(), sigma_x, sigma_y), src.alpha_only)
        out.solid = src.solid
        return out
    if src.alpha_only:
        out = _shadow_blur(src.alpha_plane(), sigma_x, sigma_y)
    else:
        out = Buf.blank(width, height)
        image = Image.fromarray(np.ascontiguousarray(src._pixels()), "RGBA")  # order is moot
        out._pixels()[...] = np.asarray(_gaussian(image, sigma_x, sigma_y))
        out.surface.mark_dirty()
    out.alpha_only, out.solid = src.alpha_only, src.solid
    return out


def _gaussian(image: Image.Image, sigma_x: float, sigma_y: float) -> Image.Image:
    """Pillow's extended box blur (8-bit, C): within 2/255 of a float box blur, ~4x faster."""
    return image.filter(ImageFilter.GaussianBlur((sigma_x, sigma_y)))


def ink_box(src: Buf) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the non-transparent pixels, or None."""
    width, height = src.size
    surface = src.surface
    surface.flush()
    if surface.get_format() == cairo.FORMAT_A8:
        image = Image.frombuffer("L", (width, height), surface.get_data(), "raw", "L",
                                 surface.get_stride(), 1)
        return image.getbbox()
    image = Image.frombuffer("RGBA", (width, height), surface.get_data(), "raw", "RGBA",
                             surface.get_stride(), 1)  # a view, no copy
    return image.getchannel("A").getbbox()


def crop(src: Buf, x0: int, y0: int, x1: int, y1: int) -> Buf:
    """A window on `src`, lazily: its pixels are read where the window is painted."""
    return _moved(src, -x0, -y0, max(1, x1 - x0), max(1, y1 - y0))


# Device px a shadow's blur keeps when computed reduced: 2 at half resolution (a thumbnail's
# σ 4 shadow), 3 beyond, where each reduced pixel stands for more.
SHADOW_SIGMA_KEPT = {2: 2.0, 4: 3.0, 8: 3.0}
MAX_SHADOW_REDUCTION = 8


def _shadow_blur(alpha: np.ndarray, sigma_x: float, sigma_y: float) -> Buf:
    """Blur of an alpha plane (shadows), wide ones at reduced resolution: the plane reduced by
    f (a power of two keeping σ/f ≥ 2-3 px), blurred by σ/f, scaled back up bilinearly. A
    Gaussian that wide is so smooth between the reduced pixels that the bilinear fill-in is
    within about 1/255 of a full-resolution blur, at a small fraction of the cost."""
    height, width = alpha.shape
    factor = 1
    while (factor * 2 <= MAX_SHADOW_REDUCTION and min(sigma_x, sigma_y) / (factor * 2)
           >= SHADOW_SIGMA_KEPT[factor * 2] and min(width, height) >= 8 * factor * 2):
        factor *= 2
    if factor == 1:
        plane = Image.fromarray(np.ascontiguousarray(alpha), "L")
        return Buf(_plane_surface(_gaussian(plane, sigma_x, sigma_y)), alpha_only=True)
    # Padded (edge pixels repeated, as the blur itself does) to whole blocks: then the reduced
    # pixels' centres fall exactly every `factor` pixels, and the scale back up is exact.
    padded = np.empty((-(-height // factor) * factor, -(-width // factor) * factor), np.uint8)
    padded[:height, :width] = alpha
    padded[:height, width:] = alpha[:, width - 1:width]  # (np.pad "edge": ~10x slower)
    padded[height:] = padded[height - 1]
    small = Image.fromarray(padded, "L").reduce(factor)
    small = small.filter(ImageFilter.GaussianBlur((sigma_x / factor, sigma_y / factor)))
    return _reduced_plane(small, factor, width, height)


def _reduced_plane(small: Image.Image, factor: int, width: int, height: int) -> Buf:
    """A lazy width × height alpha plane: `small` (1/factor, whole blocks) scaled back up
    where it is painted."""
    padded_w, padded_h = small.width * factor, small.height * factor

    def enlarge() -> Image.Image:
        # resize() samples pixel centres, which lines up with reduce()'s block averages.
        large = small.resize((padded_w, padded_h), Image.Resampling.BILINEAR)
        return large.crop((0, 0, width, height)) if (padded_w, padded_h) != (width, height) \
            else large

    # Kept reduced: a flood "in" it (a drop shadow) tints the small plane and lets pixman
    # scale the colour up where it is painted (bilinear, pixel centres aligned, edges padded
    # as resize() does); anything else gets the plane enlarged by Pillow.
    pattern = cairo.SurfacePattern(_plane_surface(small))
    pattern.set_matrix(cairo.Matrix(xx=1 / factor, yy=1 / factor))
    pattern.set_filter(cairo.FILTER_BILINEAR)
    pattern.set_extend(cairo.EXTEND_PAD)
    out = Buf(None, alpha_only=True, pattern=pattern, rect=(0, 0, width, height),
              size=(width, height))
    out._enlarge = enlarge
    out._reduced = (small, factor)
    return out


def _tinted_reduced(flood_buf: Buf, plane: Buf) -> Buf | None:
    """A flood "in" a reduced, lazily scaled plane (a drop shadow's blur, maybe moved): the
    flood's colour through the small plane, still small, scaled up as ARGB where it is painted
    (pixman's SIMD bilinear path; on A8 masks it has none). None: not that shape."""
    pattern = plane._pattern
    if plane._surface is not None or plane._mask is not None or \
            not isinstance(pattern, cairo.SurfacePattern) or \
            pattern.get_filter() != cairo.FILTER_BILINEAR:
        return None
    small = pattern.get_surface()
    if small.get_format() != cairo.FORMAT_A8:
        return None
    tinted = cairo.ImageSurface(cairo.FORMAT_ARGB32, small.get_width(), small.get_height())
    context = cairo.Context(tinted)
    context.set_source(flood_buf._pattern)
    context.mask_surface(small, 0, 0)
    scaled = _copy_pattern(cairo.SurfacePattern(tinted), pattern.get_matrix())
    scaled.set_filter(cairo.FILTER_BILINEAR)
    scaled.set_extend(pattern.get_extend())
    out = Buf(None, flood_buf.alpha_only, pattern=scaled, rect=plane._rect, size=plane.size)
    out.solid = flood_buf.solid
    return out


def pixels_view(src: Buf) -> np.ndarray:
    """The pixels of a rasterised buffer as a (H, W, 4) view, to compare with another's."""
    return src._pixels()


def window_argb(src: Buf, x0: int, y0: int, x1: int, y1: int) -> cairo.ImageSurface:
    """The pixels of `src` in (x0, y0, x1, y1), as an ARGB32 surface of that size (the whole
    buffer: its own surface when it has one)."""
    width, height = src.size
    if (x0, y0, x1, y1) == (0, 0, width, height):
        return src.own_argb()
    out = cairo.ImageSurface(cairo.FORMAT_ARGB32, x1 - x0, y1 - y0)
    context = cairo.Context(out)
    context.translate(-x0, -y0)
    src.paint_onto(context, cairo.OPERATOR_SOURCE)
    return out


def clip(src: Buf, x0: int, y0: int, x1: int, y1: int) -> Buf:
    width, height = src.size
    if x0 <= 0 and y0 <= 0 and x1 >= width and y1 >= height:
        return src  # the region holds the whole buffer
    out = Buf.blank(width, height)
    context = out.context()
    context.rectangle(x0, y0, x1 - x0, y1 - y0)
    context.clip()
    src.paint_onto(context)
    out.alpha_only = src.alpha_only
    return out


@functools.lru_cache(maxsize=256)
def _alpha_tables(values: tuple) -> tuple[list, bool, tuple | None]:
    """The uint8 tables (B, G, R, A; None where all zero) of a colour matrix applied to an
    alpha-only input, whether its colour is still all zero, and its one colour when the
    colour rows are constants."""
    m = np.array(values, dtype=np.float64).reshape(4, 5)
    a = np.arange(256) / 255
    out_alpha = np.clip(m[3, 3] * a + m[3, 4], 0, 1)
    floats = [np.clip(m[c, 3] * a + m[c, 4], 0, 1) * out_alpha for c in (2, 1, 0)]
    floats.append(out_alpha)
    colourless = not any(t.any() for t in floats[:3])
    tables = [np.round(t * 255).astype(np.uint8) if t.any() or i == 3 else None
              for i, t in enumerate(floats)]
    solid = None
    if not m[:3, 3].any():  # colour rows are constants: one colour times the new alpha
        solid = tuple(float(v) for v in np.clip(m[:3, 4], 0, 1))
    return tables, colourless, solid


def _scales_alpha(values: list[float]) -> bool:
    """The matrix's alpha row is alpha × a factor in 0..1 (no offset, no colour input)."""
    row = values[15:20]
    return not any(row[:3]) and 0 <= row[3] <= 1 and row[4] == 0


def color_matrix(src: Buf, kind: str, values: list[float]) -> Buf:
    if src.alpha_only and kind == "matrix" and len(values) >= 20:
        # On an alpha-only input every output channel is a function of alpha alone (Figma's
        # shadow matrices): four 256-entry lookup tables instead of float maths per pixel,
        # indexed by numpy (Pillow's point() rounds its table in Python on every call).
        tables, colourless, solid = _alpha_tables(tuple(values[:20]))
        if colourless and src._reduced is not None and src._surface is None and \
                _scales_alpha(values):
            # A reduced blur scaled by a factor (Figma's shadow opacity): scaling commutes
            # with the bilinear enlargement, so scale the small plane and stay lazy.
            small, factor = src._reduced
            out = _reduced_plane(Image.fromarray(np.take(tables[3], np.asarray(small)), "L"), factor,
                                 *src.size)
            out.solid = (0.0, 0.0, 0.0)
            return out
        alpha = src.alpha_plane()
        if colourless:  # still alpha-only: one A8 plane
            out = Buf(_plane_surface(np.take(tables[3], alpha)), alpha_only=True)
            out.solid = (0.0, 0.0, 0.0)
            return out
        width, height = src.size
        out = Buf.blank(width, height)
        target = out._pixels()
        for channel, table in enumerate(tables):  # B, G, R, A in memory
            if table is not None:
                target[..., channel] = np.take(table, alpha)
        out.surface.mark_dirty()
        out.alpha_only = False
        out.solid = solid
        return out
    return Buf.from_float(ops.color_matrix(src.to_float(), kind, values))


def reduced_argb(surface: cairo.ImageSurface, n: int, x0: int, y0: int, x1: int,
                 y1: int) -> cairo.ImageSurface:
    """The premultiplied ARGB `surface` over buffer rectangle (x0, y0, x1, y1) (whole n × n
    blocks, transparent beyond the surface), each block averaged into one pixel (Pillow's
    reduce: the exact mean, rounded)."""
    surface.flush()
    width, height = surface.get_width(), surface.get_height()
    data = np.frombuffer(surface.get_data(), np.uint8).reshape(height, surface.get_stride())
    padded = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
    padded[-y0:-y0 + height, -x0:-x0 + width] = \
        data[:, :width * 4].reshape(height, width, 4)
    # (channel order is moot for a mean; "RGBa" keeps Pillow from premultiplying again)
    small = np.asarray(Image.fromarray(padded, "RGBa").reduce(n))
    out = cairo.ImageSurface(cairo.FORMAT_ARGB32, small.shape[1], small.shape[0])
    target = np.frombuffer(out.get_data(), np.uint8).reshape(small.shape[0], out.get_stride())
    target[:, :small.shape[1] * 4] = small.reshape(small.shape[0], -1)
    out.mark_dirty()
    return out
