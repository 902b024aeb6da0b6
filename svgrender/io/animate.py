"""Frames (Pillow images, drawn one per frame) -> one animated file: GIF, WebP, APNG (Pillow's
`save_all`, looping forever) or MP4 (H.264 through PyAV, when the `av` extra is installed)."""

from __future__ import annotations

import fractions
import importlib.util
import io

import cairocffi as cairo
from PIL import Image

from svgrender.io.encode import surface_to_image
from svgrender.settings import Settings

GIF_COLOURS = 255
PALETTE_SAMPLE = 200_000  # pixels of all frames together the shared GIF palette is chosen from


def encode_gif(surface: cairo.ImageSurface, settings: Settings) -> bytes:
    """A still GIF (drawn over white: GIF transparency is one colour, not an alpha channel)."""
    return animate_gif([surface_to_image(surface, opaque=True)], [0], settings)


def _shared_palette(frames: list[Image.Image]) -> Image.Image:
    """One palette for every frame, chosen from a sample of all of them: a pixel that is the
    same in two frames is the same palette colour in both (no flicker in static parts)."""
    total = sum(f.width * f.height for f in frames)
    factor = min(1.0, (PALETTE_SAMPLE / max(total, 1)) ** 0.5)
    samples = [f.resize((max(1, round(f.width * factor)), max(1, round(f.height * factor))),
                        Image.Resampling.NEAREST) for f in frames]
    sheet = Image.new("RGB", (max(s.width for s in samples), sum(s.height for s in samples)))
    top = 0
    for sample in samples:
        sheet.paste(sample, (0, top))
        top += sample.height
    return sheet.quantize(GIF_COLOURS, method=Image.Quantize.MEDIANCUT)


def animate_gif(frames: list[Image.Image], durations: list[int], settings: Settings) -> bytes:
    rgb = [f.convert("RGB") if f.mode != "RGB" else f for f in frames]
    palette = _shared_palette(rgb)
    indexed = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in rgb]
    out = io.BytesIO()
    if len(indexed) == 1 and not durations[0]:
        indexed[0].save(out, "GIF")
    else:
        indexed[0].save(out, "GIF", save_all=True, append_images=indexed[1:],
                        duration=list(durations), loop=0)
    return out.getvalue()


def animate_webp(frames: list[Image.Image], durations: list[int], settings: Settings) -> bytes:
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=list(durations),
                   loop=0, quality=settings.webp_quality,
                   method=2)  # 4 (the still default) is 3× slower here for ~7% smaller files
    return out.getvalue()


def animate_apng(frames: list[Image.Image], durations: list[int], settings: Settings) -> bytes:
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:], duration=list(durations),
                   loop=0, compress_level=settings.png_compress_level)
    return out.getvalue()


def video_available() -> bool:
    return importlib.util.find_spec("av") is not None


def _even(frame: Image.Image) -> Image.Image:
    """H.264 (4:2:0) needs even sides: an odd one gains its last row/column once more."""
    width, height = frame.width + frame.width % 2, frame.height + frame.height % 2
    if (width, height) == frame.size:
        return frame
    padded = Image.new("RGB", (width, height))
    padded.paste(frame, (0, 0))
    if width != frame.width:
        padded.paste(frame.crop((frame.width - 1, 0, frame.width, frame.height)), (frame.width, 0))
    if height != frame.height:
        padded.paste(padded.crop((0, frame.height - 1, width, frame.height)), (0, frame.height))
    return padded


def animate_mp4(frames: list[Image.Image], durations: list[int], settings: Settings) -> bytes:
    """H.264 (libx264 as PyAV's wheel ships it), yuv420p, each frame shown for its duration
    (millisecond timestamps). MP4 keeps no duration for the last frame: players show it for
    about as long as the one before."""
    import av

    out = io.BytesIO()
    millis = fractions.Fraction(1, 1000)
    with av.open(out, mode="w", format="mp4") as container:
        codec = "libx264" if "libx264" in av.codecs_available else "h264"
        stream = container.add_stream(codec, rate=1000)
        first = _even(frames[0].convert("RGB"))
        stream.width, stream.height, stream.pix_fmt = first.width, first.height, "yuv420p"
        stream.codec_context.time_base = millis
        stream.options = {"crf": "20", "preset": "veryfast"}
        at = 0
        for frame, duration in zip(frames, durations):
            picture = av.VideoFrame.from_image(_even(frame.convert("RGB")))
            picture.pts, picture.time_base = at, millis
            at += max(duration, 1)
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()
