"""Luminance masks: draw the mask's content in colour, turn luminance × alpha into coverage."""

from __future__ import annotations

import math

import cairocffi as cairo
import numpy as np

from svgrender.svg.units import parse_fraction


def apply_mask(surface, node, name, opacity, by_alpha: bool) -> None:
    """Paint the current source through mask `name`, by luminance × alpha or by alpha alone."""
    context = surface.context
    target = surface.cairo
    if isinstance(target, cairo.ImageSurface):
        width, height, k = target.get_width(), target.get_height(), 1.0
    else:  # vector output: a finer mask; measuring boxes (templates/layers.py) needs no more
        k = getattr(surface, "mask_resolution", 2.0)
        width, height = math.ceil(surface.width * k), math.ceil(surface.height * k)
    # 1. The mask content in colour, in device pixels: CairoSVG's placement, our readback.
    captured = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
    capture = cairo.Context(captured)
    capture.scale(k, k)
    capture.transform(context.get_matrix())
    original_context = surface.context
    surface.context = capture
    try:
        capture.set_source_rgba(0, 0, 0, 0)
        _draw_mask_colours(surface, node, name)
    finally:
        surface.context = original_context
    captured.flush()
    pixels = np.frombuffer(captured.get_data(), dtype=np.uint8).reshape(
        height, captured.get_stride() // 4, 4)[:, :width]
    if by_alpha:
        coverage = pixels[..., 3].astype(np.float32)
    else:  # premultiplied channels: luminance of the colour times its alpha, as the spec asks
        coverage = (np.float32(0.2125) * pixels[..., 2] + np.float32(0.7154) * pixels[..., 1]
                    + np.float32(0.0721) * pixels[..., 0])
    coverage = np.clip(coverage * np.float32(opacity) + np.float32(0.5), 0, 255).astype(np.uint8)
    stride = cairo.ImageSurface.format_stride_for_width(cairo.FORMAT_A8, width)
    buffer = np.zeros((height, stride), dtype=np.uint8)
    buffer[:, :width] = coverage
    mask = cairo.ImageSurface.create_for_data(bytearray(buffer.tobytes()), cairo.FORMAT_A8,
                                              width, height, stride)
    context.save()
    context.identity_matrix()  # the source stays locked to the user space it was set in
    context.scale(1 / k, 1 / k)
    context.mask_surface(mask, 0, 0)
    context.restore()


def _draw_mask_colours(surface, node, name) -> None:
    """Draw the mask's children, clipped to the mask region, onto surface.context."""
    from cairosvg.bounding_box import calculate_bounding_box
    from cairosvg.helpers import size

    mask_node = surface.masks[name]
    bbox = calculate_bounding_box(surface, node) or (
        0, 0, surface.context_width, surface.context_height)
    bx, by, bw, bh = bbox
    if mask_node.get("maskUnits") == "userSpaceOnUse":
        x = size(surface, mask_node.get("x", "-10%"), "x")
        y = size(surface, mask_node.get("y", "-10%"), "y")
        w = size(surface, mask_node.get("width", "120%"), "x")
        h = size(surface, mask_node.get("height", "120%"), "y")
    else:
        x = bx + parse_fraction(mask_node.get("x"), -0.1) * bw
        y = by + parse_fraction(mask_node.get("y"), -0.1) * bh
        w = parse_fraction(mask_node.get("width"), 1.2) * bw
        h = parse_fraction(mask_node.get("height"), 1.2) * bh
    context = surface.context
    context.save()
    context.rectangle(x, y, w, h)
    context.clip()
    if mask_node.get("maskContentUnits") == "objectBoundingBox":
        context.translate(bx, by)
        context.scale(bw or 1, bh or 1)
    for child in mask_node.children:
        surface.draw(child)
    context.restore()
