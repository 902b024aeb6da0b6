"""The drawing part of a render: apply → check → draw at three sizes → encode. Pure: no network,
no storage, no ids. An executor runs it (in a thread, a worker process, or a queue worker)."""

from __future__ import annotations

import io
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial

from svgrender.apply import apply_params
from svgrender.budgets import check_tree
from svgrender.draw.fonts import generation as font_generation
from svgrender.draw import static_regions
from svgrender.draw.static_layers import Split, split
from svgrender.draw.static_regions import RegionCache, RegionSplit
from svgrender.draw.context import RenderContext
from svgrender.draw.surfaces import Drawing, Size, draw_raster, prepare_drawing, render_context
from svgrender.errors import RenderLimitExceeded
from svgrender.formats import FORMATS, Format
from svgrender.io.encoding_threads import encode_soon
from svgrender.io.images import DecodedImage
from svgrender.kinds.crops import reported as crop_reports
from svgrender.params import RenderRequest
from svgrender.settings import Settings
from svgrender.svg.prepare import fill_whole_pixels, opacity_after_effects, paint_order
from svgrender.templates.model import Template

VARIANTS = ("", "-thumb", "-thumb-2x")  # main image, thumbnail, retina thumbnail


@dataclass
class OutputFile:
    variant: str  # "", "-thumb" or "-thumb-2x"
    format: str  # a FORMATS name: also the file extension
    data: bytes

    def name(self, image_id: str) -> str:
        return f"{image_id}{self.variant}.{self.format}"

    @property
    def media_type(self) -> str:
        return FORMATS[self.format].media_type


@dataclass
class Rendered:
    files: list[OutputFile]  # main, thumb, retina thumb
    width: int
    height: int
    warnings: list[str] = field(default_factory=list)  # e.g. unsupported filter primitives
    layout: dict = field(default_factory=dict)  # fit report: layer -> lines, fontSize, scale, cut


MAX_THUMB_ASPECT = 4


def output_sizes(template: Template, scale: float, settings: Settings) -> tuple[Size, Size, Size]:
    main = Size(round(template.width * scale), round(template.height * scale))
    if main.width * main.height > settings.max_output_pixels:
        raise RenderLimitExceeded(
            f"output would be {main.width}×{main.height} = {main.width * main.height:,} pixels; "
            f"the limit is {settings.max_output_pixels:,} (SVGRENDER_MAX_OUTPUT_PIXELS)",
            field="scale", code="output_too_large")
    # Thumbnails are a fixed width, and at most 4× as tall: a 1×40 strip must not become a
    # 400×16,000 thumbnail (and an 800×32,000 retina one).
    thumb_w = settings.thumb_width
    thumb_h = round(thumb_w * template.height / template.width)
    if thumb_h > thumb_w * MAX_THUMB_ASPECT:
        thumb_h = thumb_w * MAX_THUMB_ASPECT
        thumb_w = max(1, round(thumb_h * template.width / template.height))
    thumb = Size(thumb_w, max(1, thumb_h))
    return main, thumb, Size(thumb.width * 2, thumb.height * 2)


_layer_cache: RegionCache | None = None


def _cache(settings: Settings) -> RegionCache:
    """Drawn layers kept per process: paint-order prefixes and region splits, one budget."""
    global _layer_cache
    if _layer_cache is None or _layer_cache.max_bytes != settings.static_layer_cache_bytes:
        _layer_cache = RegionCache(settings.static_layer_cache_bytes)
    return _layer_cache


def _static_layers(static: Split, sizes: list[Size], background: str | None,
                   settings: Settings, warnings: list[str], context: RenderContext) -> dict:
    """The drawn static layers at every size of the answer (main first), from the cache or drawn
    now and kept. All sizes are drawn and kept together: thumbnails sample filtered layers from
    the main size drawn before them, as in a full draw (one size kept without the others would
    compute them at its own size)."""
    cache = _cache(settings)
    key = ("order", static.key, tuple(sizes), background, font_generation())
    cached = cache.get(key)
    if cached is None:
        own: list[str] = []
        drawn = {}
        # The render's context, with warnings of their own (logged like the render's) and
        # filter results shared by these sizes only.
        layers = context.with_(notices=context.notices.into(own), filter_results={})
        for size in sizes:
            drawn[size] = draw_raster(static.cairo_prefix(), size, background, None, layers)
        cache.put(key, drawn, own)
        cached = (drawn, own)
    warnings.extend(w for w in cached[1] if w not in warnings)
    return cached[0]


def _drawn_by_region(region: RegionSplit, drawing: Drawing, sizes: list[Size],
                     background: str | None, settings: Settings, warnings: list[str],
                     raster: Format) -> tuple[dict, dict]:
    """Every size drawn by region (draw/static_regions.py): the changed layers on the kept
    layers below them, the layers above redrawn only where they meet what changed. Also, per
    size, an encoder that re-encodes only what changed from the kept picture, where the format
    has one (Format.encode_changed)."""
    context = drawing.context
    cache = _cache(settings)
    key = ("region", region.key, tuple(sizes), background, font_generation())
    kept = cache.get(key)
    if kept is None:
        kept = static_regions.keep(region, sizes, background, context)
        cache.put_kept(key, kept)
    warnings.extend(w for w in kept.below_warnings if w not in warnings)
    drawn, boxes = {}, {}
    for size in sizes:  # in the render's own context: filters and text shared across sizes
        drawn[size] = draw_raster(drawing.cairo_tree, size, None, kept.below[size], context)
        boxes[size] = static_regions.dirty_box(drawn[size], kept.below[size])
    hits = frozenset(i for i, ink in enumerate(kept.inks) if any(
        static_regions.meets(static_regions.ink_at(ink, kept.main, size), boxes[size])
        for size in sizes))
    if hits:
        tree = static_regions.above_tree(kept, hits)
        above = context.with_(notices=context.notices.into([]),  # kept.above_warnings has them
                              filter_results={})
        for size in sizes:
            drawn[size] = draw_raster(tree, size, None, drawn[size], above)
    warnings.extend(w for w in kept.above_warnings if w not in warnings)
    # An encoder of changed rows reads only the rows meeting the box (None: none, it answers
    # the kept file): only they are composed.
    pictures = {}
    for size in sizes:
        rows = raster.changed_rows(boxes[size], size.height) if raster.changed_rows \
            else (0, size.height)
        pictures[size] = drawn[size] if rows is None else static_regions.compose(
            drawn[size], kept.static[size], boxes[size], rows)
    encoders = {size: partial(_encode_changed, raster, kept, size, boxes[size], (cache, key))
                for size in sizes} if raster.encode_changed else {}
    return pictures, encoders


def _encode_changed(raster: Format, kept: static_regions.Kept, size: Size, box, cached,
                    surface, settings: Settings) -> bytes:
    """`raster.encode(surface)`: the kept static picture's file with only the part meeting the
    dirty box encoded again (outside the box, compose made the answer that very picture).
    `cached`: (the cache, kept's key), which counts the kept file's bytes once it is made."""
    key = (size, raster.name, settings.jpeg_quality)
    encoded = kept.encoded.get(key)
    if encoded is None:  # (two threads may both make it: the same value)
        encoded = kept.encoded[key] = raster.encoded_kept(kept.static[size], settings)
        cache, kept_key = cached
        cache.grow(kept_key, encoded.nbytes())
    return raster.encode_changed(surface, settings, encoded, box)


def render(template: Template, request: RenderRequest, settings: Settings,
           images: dict[str, DecodedImage] | None = None, *,
           thumbnails: bool = True) -> Rendered:
    """`images` are the request's decoded imageUrls by layer name (io.loaders).
    `thumbnails=False` (the CLI, which writes only the image): a raster image is drawn and
    encoded alone, the same pixels (it is drawn first anyway); `files` then holds only it."""
    if request.pages:
        return render_pages(template, request, settings, images)
    if request.frames:
        return render_frames(template, request, settings, images)
    images = images or {}
    sizes = output_sizes(template, request.scale, settings)
    tree = apply_params(template, request.params, settings, images)
    crops, crop_notes = crop_reports(tree)
    check_tree(tree, settings, sizes[0].width * sizes[0].height)
    fill_whole_pixels(tree, template.width, template.height)
    opacity_after_effects(tree)
    paint_order(tree)
    fmt: Format = FORMATS[request.format]
    all_images = {**template.images, **{image.key: image for image in images.values()}}
    static = region = None
    if not fmt.vector and settings.static_layer_cache_bytes > 0:
        names = [param.name for param in request.params]
        region = static_regions.split(tree, names)
        static = None if region else split(tree, names)
    drawing = prepare_drawing(region.changed if region else static.rest if static else tree,
                              all_images)
    warnings: list[str] = list(crop_notes)
    fit: dict = dict(crops)  # the focus of smart crops; the text layers' fit joins it
    drawn: dict[int, OutputFile] = {}
    thumbs = sorted((1, 2), key=lambda i: -sizes[i].width)
    # Raster: the image first, at full quality; then the thumbnails, larger first, which may
    # sample filtered layers down from a larger size drawn before (never up). Vector: the
    # thumbnails first, so the vector file can write the text lines they were drawn with.
    order = thumbs + [0] if fmt.vector else [0] + thumbs if thumbnails else [0]
    raster = fmt.thumbnail
    background = "#ffffff" if raster.opaque else None
    raster_sizes = list(dict.fromkeys(sizes[i] for i in order if i or not fmt.vector))
    drawing.context = render_context(drawing, warnings, fit)
    pictures: dict = {}
    encoders: dict = {}
    if region:
        pictures, encoders = _drawn_by_region(region, drawing, raster_sizes, background,
                                              settings, warnings, raster)
    backdrops = _static_layers(static, raster_sizes, background, settings, warnings,
                               drawing.context) if static else {}
    encoded: dict[Size, Future] = {}  # raster files being encoded while the next is drawn
    for index in order:
        variant, size = VARIANTS[index], sizes[index]
        if fmt.vector and variant == "":
            drawn[index] = OutputFile(variant, fmt.name, fmt.write(drawing, size))
            continue
        # An 800 px template's retina thumbnail is its image: the same drawing at the same
        # size, so the same file.
        if size not in encoded:
            surface = pictures.get(size) or draw_raster(drawing.cairo_tree, size, background,
                                                        backdrops.get(size), drawing.context)
            encoded[size] = encode_soon(encoders.get(size, raster.encode), surface, settings)
    for index in order:
        if index not in drawn:
            drawn[index] = OutputFile(VARIANTS[index], raster.name,
                                      encoded[sizes[index]].result())
    check_overlaps(template, fit, warnings)
    return Rendered([drawn[i] for i in sorted(drawn)], sizes[0].width, sizes[0].height, warnings,
                    fit)


def render_pages(template: Template, request: RenderRequest, settings: Settings,
                 images: dict[str, DecodedImage] | None = None) -> Rendered:
    """One vector PDF, a page per entry of `pages` (its params over the shared ones), text kept
    as text; the thumbnails are page 1's. Fit reports of pages after the first are named
    `layer@page2`…"""
    from pypdf import PdfReader, PdfWriter

    from svgrender.variants import laid_over

    writer, warnings, fit, first = PdfWriter(), [], {}, None
    for number, page in enumerate(request.pages, start=1):
        rendered = render(template, laid_over(request, page.params), settings, images)
        first = first or rendered
        for reader_page in PdfReader(io.BytesIO(rendered.files[0].data)).pages:
            writer.add_page(reader_page)
        for warning in rendered.warnings:
            named = warning if number == 1 else f"page {number}: {warning}"
            if named not in warnings:
                warnings.append(named)
        fit.update({name if number == 1 else f"{name}@page{number}": entry
                    for name, entry in rendered.layout.items()})
    if request.metadata:
        writer.add_metadata({"/Title": request.metadata[:200]})
    writer.compress_identical_objects()  # one font
    out = io.BytesIO()
    writer.write(out)
    files = [OutputFile(first.files[0].variant, "pdf", out.getvalue()), *first.files[1:]]
    return Rendered(files, first.width, first.height, warnings, fit)


def render_frames(template: Template, request: RenderRequest, settings: Settings,
                  images: dict[str, DecodedImage] | None = None) -> Rendered:
    """One animated file (gif, webp, apng, mp4), a frame per entry of `frames` (its params over
    the shared ones), each drawn at the output size. The split point is the same in every frame
    (the first layer any frame changes), so the static layers come from the cache after the
    first frame and only the rest is drawn. The thumbnails are frame 1's, as PNG. Fit reports
    of frames after the first are named `layer@frame2`…"""
    from svgrender.animation import changing_layers, check_budget, frame_requests
    from svgrender.io.encode import surface_to_image

    images = images or {}
    fmt: Format = FORMATS[request.format]
    sizes = output_sizes(template, request.scale, settings)
    check_budget(request, sizes[0].width, sizes[0].height, settings)
    changing = changing_layers(request)
    all_images = {**template.images, **{image.key: image for image in images.values()}}
    background = "#ffffff" if fmt.opaque else None
    thumb_format = FORMATS["png"]
    pictures, warnings, fit, thumbs = [], [], {}, {}
    all_sizes = list(dict.fromkeys(sizes[i] for i in (0, *sorted((1, 2),
                                                                  key=lambda i: -sizes[i].width))))
    for number, one in enumerate(frame_requests(request), start=1):
        tree = apply_params(template, one.params, settings, images)
        crops, crop_notes = crop_reports(tree)
        check_tree(tree, settings, sizes[0].width * sizes[0].height)
        fill_whole_pixels(tree, template.width, template.height)
        opacity_after_effects(tree)
        paint_order(tree)
        static = split(tree, changing) if settings.static_layer_cache_bytes > 0 else None
        drawing = prepare_drawing(static.rest if static else tree, all_images)
        own_warnings: list[str] = list(crop_notes)
        own_fit: dict = dict(crops)
        order = [0, *sorted((1, 2), key=lambda i: -sizes[i].width)] if number == 1 else [0]
        context = drawing.context = render_context(drawing, own_warnings, own_fit)
        for index in order:
            size = sizes[index]
            # The thumbnails on the image's background too: the static layers of all three
            # sizes are cached together, as a still of this format caches them (a thumbnail
            # backdrop samples its filters from the image's drawn in the same render).
            color = background
            backdrop = _static_layers(static, all_sizes, color, settings, own_warnings,
                                      context)[size] if static else None
            surface = draw_raster(drawing.cairo_tree, size, color, backdrop, context)
            if index == 0:
                pictures.append(surface_to_image(surface, opaque=fmt.opaque))
            else:
                thumbs[index] = thumb_format.encode(surface, settings)
        check_overlaps(template, own_fit, own_warnings)
        for warning in own_warnings:
            named = warning if number == 1 else f"frame {number}: {warning}"
            if named not in warnings:
                warnings.append(named)
        fit.update({name if number == 1 else f"{name}@frame{number}": entry
                    for name, entry in own_fit.items()})
    data = fmt.animate(pictures, [frame.durationMs for frame in request.frames], settings)
    files = [OutputFile(VARIANTS[0], fmt.name, data),
             *(OutputFile(VARIANTS[i], thumb_format.name, thumbs[i]) for i in (1, 2))]
    return Rendered(files, sizes[0].width, sizes[0].height, warnings, fit)


def check_overlaps(template: Template, fit: dict, warnings: list[str]) -> None:
    """A changed text whose ink now meets another layer's ink (a text, a photo, a shape, a
    QR code…), which it did not in the template, is named in its fit report (`overlaps`) and
    the warnings. Layers it met already (the card it sits on, its badge, its own box) and the
    groups holding it are not news."""
    others = {name: layer for name, layer in template.layers.items() if layer.kind != "canvas"}
    new_boxes = {}
    for name, entry in fit.items():
        ink = entry.pop("ink", None)
        if ink is not None and template.width:
            factor = template.width / ink[4]
            new_boxes[name] = tuple(value * factor for value in ink[:4])
    for name, box in new_boxes.items():
        layer = template.find(name)
        if layer is None:
            continue
        old = template.boxes.get(layer.element)
        hits = []
        for other_name, other in others.items():
            if other.element is layer.element:
                continue
            other_old = template.boxes.get(other.element)
            other_now = new_boxes.get(other_name, other_old)
            if other_now and _meet(box, other_now) and not (old and other_old
                                                            and _meet(old, other_old)) \
                    and not _nested(other.element, layer.element):
                hits.append(other_name)
        if hits:
            fit[name]["overlaps"] = hits
            message = f"layer {name!r}: its text now overlaps {', '.join(map(repr, hits))}"
            if message not in warnings:
                warnings.append(message)


def _nested(a, b) -> bool:
    """One element inside the other (a group and a layer of it)."""
    return any(node is b for node in a.iterancestors()) or \
        any(node is a for node in b.iterancestors())


def _meet(a: tuple, b: tuple, margin: float = 0.5) -> bool:
    return (a[0] < b[0] + b[2] - margin and b[0] < a[0] + a[2] - margin
            and a[1] < b[1] + b[3] - margin and b[1] < a[1] + a[3] - margin)
