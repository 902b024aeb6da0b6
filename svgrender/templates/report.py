"""What a designer needs to know about their export, in plain words with the fix: outlined
text, no named layers, missing fonts, effects we do not draw, what the sanitiser removed."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from svgrender.draw.fonts import available_families, missing_family_message
from svgrender.draw.filters import PRIMITIVES
from svgrender.svg.xml import local_name, style_value
from svgrender.templates.layers import is_rendered
from svgrender.templates.model import Template

OUTLINED_TEXT_PATHS = 10  # this many paths and no text: the text was almost surely outlined
UNSUPPORTED_ELEMENTS = {"animate", "animateTransform", "animateMotion", "set", "video", "audio"}
EXPORT_HELP = ("Figma: select the frame, Export → SVG, tick \"Include 'id' attribute\" and untick "
               "\"Outline text\"; Illustrator: File → Export → Export As → SVG with Object IDs: "
               "Layer Names and Fonts: SVG; Inkscape: give objects an id or label (Object "
               "Properties) and keep text as text")


@dataclass
class Finding:
    code: str
    message: str
    fix: str

    def json(self) -> dict:
        return asdict(self)


def findings(template: Template) -> list[Finding]:
    if template.error or template.root is None:
        return []
    out: list[Finding] = []
    root = template.root
    drawn = [el for el in root.iter() if isinstance(el.tag, str) and is_rendered(el)]
    tags = [local_name(el) for el in drawn]
    text_layers = [l for l in template.layers.values() if l.kind == "text"]
    if not text_layers and tags.count("path") >= OUTLINED_TEXT_PATHS and not (
            {"text", "flowRoot"} & set(tags)):
        out.append(Finding("outlined_text", "no text layers: the text was outlined into paths "
                           "at export, so it cannot be changed", "re-export with text kept as "
                           "text. " + EXPORT_HELP))
    if len(template.layers) <= 1:
        out.append(Finding("no_layers", "no named elements: only the canvas can be changed",
                           "name the elements you want to change, then re-export. "
                           + EXPORT_HELP + ". Or name them here with POST "
                           f"/templates/{template.id}/layers"))
    out.extend(_font_findings(drawn))
    unsupported = sorted({tag for tag in tags if tag in UNSUPPORTED_ELEMENTS} | {
        local_name(el) for el in root.iter() if isinstance(el.tag, str)
        and local_name(el).startswith("fe") and local_name(el) not in PRIMITIVES
        and local_name(el) not in PRIMITIVE_PARTS})
    if unsupported:
        out.append(Finding("unsupported", "not drawn by svgrender: " + ", ".join(
            f"<{t}>" for t in unsupported), "the rest is drawn without them; flatten those "
            "effects into an image in your design tool if you need them"))
    if template.removed:
        out.append(Finding("removed", "removed for safety: " + "; ".join(template.removed[:10]),
                           "templates may only carry what they draw: embed images as data: "
                           "URIs and reference only parts of the same file (#id)"))
    if template.dropped_images:
        out.append(Finding("image_dropped", "embedded images not drawn: " + "; ".join(
            template.dropped_images[:10]), "embed PNG/JPEG/WebP images within the image "
            "limits (SVGRENDER_MAX_IMAGE_BYTES, SVGRENDER_MAX_IMAGE_PIXELS)"))
    return out


# Children of filter primitives: not primitives themselves.
PRIMITIVE_PARTS = {"feMergeNode", "feFuncR", "feFuncG", "feFuncB", "feFuncA", "feDistantLight",
                   "fePointLight", "feSpotLight"}


def _font_findings(drawn) -> list[Finding]:
    installed = {f.lower() for f in available_families()}
    if not installed:
        return []
    missing: dict[str, str] = {}
    for element in drawn:
        if local_name(element) not in ("text", "tspan", "flowRoot", "flowPara", "flowSpan"):
            continue
        value = style_value(element, "font-family") or ""
        first = value.split(",", 1)[0].strip().strip("'\"")
        if first and first not in missing:
            message = missing_family_message(value)
            if message:
                missing[first] = message
    return [Finding("missing_font", message, f"add {name}'s .ttf or .otf files to fonts/ "
                    "(SVGRENDER_FONTS_DIR) and restart")
            for name, message in list(missing.items())[:20]]
