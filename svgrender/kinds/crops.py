"""Smart crops: `imagePosition: "face"` / `"attention"` and `imageFocus: "x,y"` on image layers.

A cover fit scales the picture to fill the layer's box and cuts what overflows; CairoSVG's
`xMidYMid slice` can only keep the middle (or an edge). Here the cut is centred on a focus point
instead (kept inside the picture, so no empty band appears): the faces OpenCV's Haar cascade
finds, the most salient region libvips' attention crop finds, or a point the request gives.

Detection needs the optional `[crops]` extra (opencv-python-headless, pyvips, pyvips-binary);
without it those two modes answer 422 (`crops_unavailable`), and `imageFocus` still works.
It runs where the pixels are (the render worker), on a copy downscaled to DETECT_SIDE, and its
result is kept on the DecodedImage, which the image cache keys by content.

The chosen point goes to the answer's `layout[layer]` (`imageFocus`, `imageFocusSource`).
"""

from __future__ import annotations

import functools
import math
import threading

from lxml import etree

from svgrender.kinds import place
from svgrender.svg.units import parse_length
from svgrender.svg.xml import href, local_name

MODES = ("face", "attention")
DETECT_SIDE = 384  # detection runs on a copy at most this large (faces down to 5% still found)
FOCUS_ATTR, SOURCE_ATTR, LAYER_ATTR = "data-image-focus", "data-image-focus-source", \
    "data-image-focus-layer"
NOTE_ATTR = "data-image-focus-note"
# One cascade per process, not safe to share between threads (renders run in server threads when
# there are no worker processes).
_cascade_lock = threading.Lock()


# --- the request's values -------------------------------------------------------------------

def parse_focus(t, value: str) -> tuple[float, float]:
    """`"0.3,0.2"`: the point (fractions of the picture's width and height) to keep in view."""
    parts = str(value).replace(" ", "").split(",")
    try:
        fx, fy = (float(p) for p in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        fx = fy = math.nan
    if not (0 <= fx <= 1 and 0 <= fy <= 1):  # also false for NaN
        t.fail(f"imageFocus {str(value)[:32]!r} must be two fractions 0-1, \"x,y\" "
               "(e.g. \"0.3,0.2\": 30% from the left, 20% from the top)", "imageFocus")
    return fx, fy


def check_focus(t, value: str) -> None:
    """The registry's handler: refuse a bad point early; finish_crop places the picture."""
    parse_focus(t, value)


# --- placing the picture --------------------------------------------------------------------

def finish_crop(t) -> None:
    """After an image layer's other properties (its border and rounded corners read the box):
    a focus crop places the picture by its focus point, clipped to the layer's box."""
    param = t.param
    mode, given = param.image_position, param.image_focus
    if mode not in MODES and given is None:
        return
    if given is not None and mode not in (None, "cover", *MODES):
        t.fail(f"imageFocus places a cover crop; imagePosition is {mode!r}", "imageFocus")
    focus = parse_focus(t, given) if given is not None else None
    image = _image_element(t)
    decoded = _decoded(t, image)
    if image is None or decoded is None:
        t.fail("has no picture to crop (give imageUrl)", "imagePosition")
    x, y, w, h = _box(image)
    if not (w > 0 and h > 0 and decoded.width > 0 and decoded.height > 0):
        return
    note = None
    if focus is not None:
        source = "given"
    else:
        if decoded.is_svg or decoded.pixels is None:
            t.fail(f"imagePosition {mode!r} finds its focus in a photo's pixels; this picture "
                   "is an SVG (use imageFocus)", "imagePosition")
        try:
            focus, source = focus_of(decoded, mode, w / h)
        except ImportError as exc:
            t.fail(f"imagePosition {mode!r} needs the optional crops extra "
                   f"(pip install 'svgrender[crops]'; missing {exc.name or exc}); imageFocus "
                   "works without it", "imagePosition", code="crops_unavailable")
        if mode == "face" and source != "face":
            note = f"layer {t.name!r}: no face found; cropped on the most salient region"
    _place_at(image, (x, y, w, h), decoded.width, decoded.height, focus, t.name)
    image.set(FOCUS_ATTR, f"{focus[0]:.3f},{focus[1]:.3f}")
    image.set(SOURCE_ATTR, source)
    image.set(LAYER_ATTR, t.name)
    if note:
        image.set(NOTE_ATTR, note)


def _image_element(t):
    if local_name(t.element) == "image":
        return t.element
    # A Figma-style pattern fill: set_image drew a private copy of the picture in the pattern.
    return next((e for e in t.root.iter() if isinstance(e.tag, str)
                 and e.get("id") == f"{t.name}__image"), None)


def _decoded(t, image):
    if t.image is not None:
        return t.image
    if image is None:
        return None
    from svgrender.io.images import TOKEN_PREFIX
    link = href(image) or ""
    return t.template.images.get(link[len(TOKEN_PREFIX):]) if link.startswith(TOKEN_PREFIX) \
        else None


def _box(image) -> tuple[float, float, float, float]:
    values = []
    for attr in ("x", "y", "width", "height"):
        try:
            values.append(parse_length(image.get(attr) or "0"))
        except ValueError:
            values.append(0.0)
    return tuple(values)


def cover_offset(box: float, drawn: float, focus: float) -> float:
    """Where the scaled picture starts along one axis: the focus in the middle of the box, but
    never so far that the picture leaves part of the box empty."""
    return min(0.0, max(box - drawn, box / 2 - focus * drawn))


def _place_at(image, box, width: int, height: int, focus, name: str) -> None:
    x, y, w, h = box
    scale = max(w / width, h / height)
    dw, dh = width * scale, height * scale
    image.set("x", place.fmt(x + cover_offset(w, dw, focus[0])))
    image.set("y", place.fmt(y + cover_offset(h, dh, focus[1])))
    image.set("width", place.fmt(dw))
    image.set("height", place.fmt(dh))
    image.set("preserveAspectRatio", "none")  # already the picture's own aspect
    clip_id = f"{name}__crop"
    clip = place.svg("clipPath", id=clip_id)
    clip.append(place.svg("rect", x=place.fmt(x), y=place.fmt(y), width=place.fmt(w),
                          height=place.fmt(h)))
    place.defs(image.getroottree().getroot()).append(clip)
    # The picture's own transform moves to the wrapper, so the clip lies in the same units.
    wrapper = place.svg("g", clip_path=f"url(#{clip_id})")
    if image.get("transform"):
        wrapper.set("transform", image.get("transform"))
        del image.attrib["transform"]
    image.addprevious(wrapper)
    wrapper.append(image)


def reported(tree: etree._Element) -> tuple[dict, list[str]]:
    """The focus of each cropped layer for the answer's `layout`, and any notes; the marks are
    taken off the tree (they are not SVG)."""
    entries, notes = {}, []
    for image in tree.iter():
        if not isinstance(image.tag, str) or image.get(FOCUS_ATTR) is None:
            continue
        entries[image.attrib.pop(LAYER_ATTR, "")] = {
            "imageFocus": image.attrib.pop(FOCUS_ATTR),
            "imageFocusSource": image.attrib.pop(SOURCE_ATTR, "given")}
        note = image.attrib.pop(NOTE_ATTR, None)
        if note:
            notes.append(note)
    return entries, notes


# --- finding the focus ----------------------------------------------------------------------

def focus_of(decoded, mode: str, aspect: float) -> tuple[tuple[float, float], str]:
    """The focus point (fractions) for `mode` and where it came from ("face" or "attention").
    Kept with the decoded image: the same picture is analysed once per worker."""
    analyses = decoded.analyses
    if mode == "face":
        if "face" not in analyses:
            analyses["face"] = faces_focus(_small_bgr(decoded))
        if analyses["face"] is not None:
            return analyses["face"], "face"
    key = ("attention", round(aspect, 2))
    if key not in analyses:
        analyses[key] = attention_focus(_small_bgr(decoded), aspect)
    return analyses[key], "attention"


def _small_bgr(decoded):
    """The picture as an OpenCV BGR array, downscaled to at most DETECT_SIDE (the pixels are
    premultiplied BGRA/BGRX: the first three bytes are B, G, R)."""
    import cv2
    import numpy as np

    small = decoded.analyses.get("bgr")
    if small is not None:
        return small
    full = np.frombuffer(decoded.pixels, np.uint8).reshape(decoded.height, decoded.width, 4)
    factor = DETECT_SIDE / max(decoded.width, decoded.height)
    if factor < 1:  # reduced first, so no full-size copy is ever made
        size = (max(1, round(decoded.width * factor)), max(1, round(decoded.height * factor)))
        full = cv2.resize(full, size, interpolation=cv2.INTER_AREA)
    bgr = np.ascontiguousarray(full[:, :, :3])
    decoded.analyses["bgr"] = bgr
    return bgr


@functools.lru_cache(maxsize=1)
def _face_cascade():
    import cv2
    # One thread: a render worker is one core's share; parallel renders use the other workers.
    cv2.setNumThreads(1)
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    if cascade.empty():
        raise ImportError("OpenCV's haarcascade_frontalface_default.xml", name="cv2.data")
    return cascade


def face_boxes(bgr) -> list[tuple[float, float, float, float]]:
    """Frontal faces as (x, y, w, h) fractions of the picture."""
    import cv2

    height, width = bgr.shape[:2]
    grey = cv2.equalizeHist(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    side = max(20, min(width, height) // 20)
    with _cascade_lock:
        found = _face_cascade().detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5,
                                                 minSize=(side, side))
    return [(fx / width, fy / height, fw / width, fh / height) for fx, fy, fw, fh in found]


def faces_focus(bgr) -> tuple[float, float] | None:
    """The middle of the faces that matter (at least a third the area of the largest: a face
    in the crowd behind the subject does not pull the crop), or None without a face."""
    boxes = face_boxes(bgr)
    if not boxes:
        return None
    largest = max(w * h for _, _, w, h in boxes)
    kept = [b for b in boxes if b[2] * b[3] >= largest / 3]
    left = min(b[0] for b in kept)
    top = min(b[1] for b in kept)
    right = max(b[0] + b[2] for b in kept)
    bottom = max(b[1] + b[3] for b in kept)
    return (left + right) / 2, (top + bottom) / 2


@functools.lru_cache(maxsize=1)
def _vips():
    import pyvips
    # No operation cache (it would keep pictures alive past their request) and one thread, as
    # for OpenCV: a render worker is one core's share.
    pyvips.cache_set_max(0)
    pyvips.concurrency_set(1)
    return pyvips


def attention_focus(bgr, aspect: float) -> tuple[float, float]:
    """libvips' attention crop (edges, skin tones and saturated colour, blurred at the crop's
    scale): the centre of the most interesting crop of the box's aspect."""
    pyvips = _vips()
    height, width = bgr.shape[:2]
    rgb = bgr[:, :, ::-1].tobytes()
    image = pyvips.Image.new_from_memory(rgb, width, height, 3, "uchar")
    crop_w = min(width, max(1, round(height * aspect)))
    crop_h = min(height, max(1, round(width / aspect)))
    _, found = image.smartcrop(crop_w, crop_h, interesting="attention", attention_x=True,
                               attention_y=True)
    return (min(1.0, max(0.0, found["attention_x"] / width)),
            min(1.0, max(0.0, found["attention_y"] / height)))
