"""Images in sRGB, as browsers draw them: an embedded ICC profile (every iPhone photo is
Display P3, print JPEGs are CMYK with a profile) is converted to sRGB with LittleCMS (Pillow's
ImageCms); a PNG's `gAMA` chunk without an sRGB/iCCP chunk is applied as a gamma curve."""

from __future__ import annotations

import io
import logging

from PIL import Image, ImageCms

log = logging.getLogger("svgrender.images")

_SRGB = ImageCms.createProfile("sRGB")
SRGB_GAMMA = 1 / 2.2  # what a PNG's gAMA chunk says when it means "already sRGB"


def to_srgb(image: Image.Image, info: dict | None = None) -> Image.Image:
    """`image` with its pixels in sRGB (the image itself when nothing needs converting).
    `info`: the decoded file's metadata, when `image` is a transposed or converted copy."""
    info = info if info is not None else image.info
    profile = info.get("icc_profile")
    if profile:
        converted = _from_profile(image, profile)
        if converted is not None:
            return converted
    gamma = info.get("gamma")
    if gamma and "srgb" not in info and abs(gamma - SRGB_GAMMA) > 0.01:
        return _apply_gamma(image, gamma)
    return image


def _from_profile(image: Image.Image, profile: bytes) -> Image.Image | None:
    modes = {"RGB": "RGB", "RGBA": "RGBA", "CMYK": "RGB", "L": "L", "LA": "LA"}
    if image.mode not in modes:
        return None
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        if image.mode in ("L", "LA"):
            return None  # grey profiles: the grey ramp is what browsers show too, near enough
        if _is_srgb(source):
            return None
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=modes[image.mode],
                                         renderingIntent=ImageCms.Intent.PERCEPTUAL)
    except (ImageCms.PyCMSError, OSError, ValueError) as exc:
        log.info("colour profile ignored (%s)", exc)  # a broken profile: the raw numbers
        return None


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    try:
        description = ImageCms.getProfileDescription(profile).lower()
    except ImageCms.PyCMSError:
        return False
    return "srgb" in description and "display p3" not in description


def _apply_gamma(image: Image.Image, gamma: float) -> Image.Image:
    """PNG gAMA g: stored = linear^g, so sRGB ≈ stored^(1 / (g × 2.2))."""
    exponent = 1 / (gamma * 2.2)
    table = [round(255 * (v / 255) ** exponent) for v in range(256)]
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() or
                              "transparency" in image.info else "RGB")
    bands = len(image.getbands())
    alpha = image.mode in ("RGBA", "LA")
    lut = table * (bands - 1) + list(range(256)) if alpha else table * bands
    return image.point(lut)
