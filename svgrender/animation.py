"""Animations: `frames: [{"params": […], "durationMs": 800}, …]` on top of the shared `params`,
with `format` gif, webp, apng or mp4 — a countdown, a slideshow, a price that ticks. Each frame
is one raster render of its params laid over the shared ones (render.render_frames); the layers
no frame changes are drawn once (the static-layer cache) and only the rest per frame."""

from __future__ import annotations

import msgspec

from svgrender.errors import RenderLimitExceeded, SvgRenderError
# What needs no template (format, count, durations, no pages/variants) is checked with the rest of
# the request in params.py.
from svgrender.params import MAX_FRAMES, check_frames  # noqa: F401


def check_budget(request, width: int, height: int, settings) -> None:
    """frames × output pixels ≤ SVGRENDER_MAX_ANIMATION_PIXELS (every frame is held in memory
    until the file is written)."""
    if not request.frames:
        return
    total = len(request.frames) * width * height
    if total > settings.max_animation_pixels:
        raise RenderLimitExceeded(
            f"{len(request.frames)} frames of {width}×{height} are {total:,} pixels; the limit "
            f"is {settings.max_animation_pixels:,} (SVGRENDER_MAX_ANIMATION_PIXELS): fewer "
            "frames or a smaller scale", field="frames", code="animation_too_large")


def check_frames_against(template, request, settings, check) -> None:
    """Before anything is fetched or drawn: the budget, and every frame's layers and
    properties with `check` (RenderService.admit_to's check_params; an error names the frame)."""
    check_budget(request, round(template.width * request.scale),
                 round(template.height * request.scale), settings)
    from svgrender.params import validate_request

    s = settings
    for number, one in enumerate(frame_requests(request)):
        try:
            # Texts, boxes, opacities… as a still of the frame's params would be checked.
            validate_request(msgspec.structs.replace(one, format="png"),
                             max_text_chars=s.max_text_chars,
                             max_metadata_bytes=s.max_metadata_bytes,
                             max_params=s.max_params, max_scale=s.max_scale)
            check(template, one.params)
        except SvgRenderError as exc:
            raise in_frame(exc, number) from None


def frame_requests(request) -> list:
    """One still request per frame: the frame's params laid over the shared ones."""
    from svgrender.variants import laid_over

    return [msgspec.structs.replace(laid_over(request, frame.params), frames=None)
            for frame in request.frames]


def changing_layers(request) -> list[str]:
    """The layers some frame changes: everything under the first of them is the same in every
    frame (shared params included), so it is drawn once."""
    names: list[str] = []
    for frame in request.frames or []:
        names.extend(p.name for p in frame.params if p.name not in names)
    return names


def in_frame(exc, number: int):
    """An error of one frame, named as such (`frames[2].params…`, "frame 3: …")."""
    exc.message = f"frame {number + 1}: {exc.message}"
    exc.field = f"frames[{number}].{exc.field}" if exc.field else f"frames[{number}]"
    return exc
