"""Request schema (msgspec Structs), validated at the edge. The per-layer properties come from
the registry in properties.py: a property added there is accepted here, typed and documented."""

from __future__ import annotations

import re
from typing import Annotated, Optional

import msgspec

from svgrender.properties import (PROPERTIES, Barcode, Box, barcode_from_text, barcode_to_text,
                                  chart_from_text, chart_to_text)
from svgrender.errors import BadRequest, InvalidParam
from svgrender.formats import BY_NAME, FORMATS, NEEDS_FRAMES, lookup


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _given(self) -> dict[str, object]:
    """The properties the client set, by their JSON names (without `name`, the first field).
    astuple, not getattr per field: this runs for every param of every batch row."""
    return {json_name: value for json_name, value in
            zip(self.__struct_encode_fields__[1:], msgspec.structs.astuple(self)[1:])
            if value is not None}


def _given_names(self) -> list[str]:
    """The JSON names of the properties set (omit_defaults leaves the unset ones out of
    to_builtins, in C): what checking a param against its layer needs, cheaply."""
    return [name for name in msgspec.to_builtins(self) if name != "name"]


LayerParam = msgspec.defstruct(
    "LayerParam",
    [("name", str)] + [(_snake(p.name), Optional[p.type], None) for p in PROPERTIES],
    rename="camel", forbid_unknown_fields=True, omit_defaults=True,
    namespace={"given": _given, "given_names": _given_names}, module=__name__)


class Variant(msgspec.Struct, forbid_unknown_fields=True):
    """One image of a request with `variants`: its key (a language, say) and its params."""
    key: str
    params: list[LayerParam] = []


class Page(msgspec.Struct, forbid_unknown_fields=True):
    """One page of a multi-page PDF: its params over the shared ones."""
    params: list[LayerParam] = []


MAX_PAGES = 50


class Frame(msgspec.Struct, forbid_unknown_fields=True):
    """One frame of an animation (gif, webp, apng, mp4): its params over the shared ones, shown
    for `durationMs`."""
    params: list[LayerParam] = []
    durationMs: Annotated[int, msgspec.Meta(ge=10, le=60_000)] = 500


class RenderRequest(msgspec.Struct, forbid_unknown_fields=True):
    params: list[LayerParam] = []
    format: str = "jpeg"
    metadata: str | None = None
    scale: float = 1.0
    # Set: answer 202 at once, render in the background, POST the answer here when done.
    webhookUrl: str | None = None
    # Set: one image per variant, its params over the shared ones (variants.py).
    variants: list[Variant] | None = None
    # Set (PDF only): one page each, its params over the shared ones (render.render_pages).
    pages: list[Page] | None = None
    # Set (gif, webp, apng, mp4): one frame each, its params over the shared ones (animation.py).
    frames: list[Frame] | None = None



def _check_pages(request: RenderRequest) -> None:
    if request.format != "pdf":
        raise InvalidParam("pages make one multi-page PDF: use \"format\": \"pdf\"",
                           field="pages", code="pages_need_pdf")
    if not 1 <= len(request.pages) <= MAX_PAGES:
        raise InvalidParam(f"{len(request.pages)} pages given; 1 to {MAX_PAGES} make a PDF",
                           field="pages", code="too_many_pages")
    for number, page in enumerate(request.pages):
        for param in page.params:
            if param.image_url is not None:
                raise InvalidParam("a page cannot change an imageUrl yet: set it in the shared "
                                   "params", layer=param.name,
                                   field=f"pages[{number}].imageUrl")


MAX_FRAMES = 60
MIN_DURATION_MS, MAX_DURATION_MS = 10, 60_000


def check_frames(request) -> None:
    """What can be said without the template: a format that animates, 1-60 frames, durations,
    and not together with pages or variants. Errors name `frames`."""
    fmt = FORMATS[request.format]
    if request.frames is None:
        if fmt.name in NEEDS_FRAMES:
            raise InvalidParam(f"{fmt.name} is an animation: give its \"frames\"",
                               field="frames", code="frames_needed")
        return
    if fmt.animate is None:
        animated = ", ".join(f.name for f in FORMATS.values() if f.animate)
        raise InvalidParam(f"frames make an animation: use \"format\" {animated}",
                           field="frames", code="frames_need_animated_format")
    if request.pages is not None or request.variants is not None:
        other = "pages" if request.pages is not None else "variants"
        raise InvalidParam(f"frames cannot be combined with {other} in one request",
                           field="frames", code="frames_with_" + other)
    if not 1 <= len(request.frames) <= MAX_FRAMES:
        raise InvalidParam(f"{len(request.frames)} frames given; 1 to {MAX_FRAMES} make an "
                           "animation", field="frames", code="too_many_frames")
    for number, frame in enumerate(request.frames):
        if not MIN_DURATION_MS <= frame.durationMs <= MAX_DURATION_MS:
            raise InvalidParam(f"frame {number + 1}: durationMs is {MIN_DURATION_MS} to "
                               f"{MAX_DURATION_MS}", field=f"frames[{number}].durationMs",
                               code="invalid_duration")
        for param in frame.params:
            if param.image_url is not None:
                raise InvalidParam("a frame cannot change an imageUrl yet: set it in the shared "
                                   "params", layer=param.name,
                                   field=f"frames[{number}].imageUrl")


def query_value(value: object) -> str:
    """A property value as text for `layer.property=value` (CLI `-p`, render links)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Box):
        return ",".join(f"{v:g}" for v in (value.x, value.y, value.width, value.height))
    if isinstance(value, Barcode):
        return barcode_to_text(value)
    if isinstance(value, dict):  # a chart
        return chart_to_text(value)
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) and abs(value) < 1e15 else repr(value)
    return str(value)


def params_from_pairs(pairs: list[tuple[str, str]]) -> list[LayerParam]:
    """("title.text", "Hi"), ("title.fontSize", "40") … as LayerParams, typed like JSON would be
    (numbers and true/false from text; a box as "x,y,width,height")."""
    grouped: dict[str, dict] = {}
    for key, value in pairs:
        name, dot, prop = key.rpartition(".")
        if not dot or not name or not prop:
            raise InvalidParam(f"expected layer.property=value, got {key[:60]!r}", field=key,
                               code="invalid_param")
        layer = grouped.setdefault(name, {"name": name})
        if prop in layer:
            raise InvalidParam(f"{key!r} is given twice", layer=name, field=key,
                               code="repeated_param")
        layer[prop] = _box_from_text(value, name, key) if prop == "box" else \
            _barcode_from_text(value, name, key) if prop == "barcode" else \
            _chart_from_text(value, name, key) if prop == "chart" else value
    try:
        return msgspec.convert(list(grouped.values()), list[LayerParam], strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        at = re.search(r"at `\$\[(\d+)\](?:\.(\w+))?`", message)
        unknown = re.match(r"Object contains unknown field `(\w+)`", message)
        layer = list(grouped)[int(at.group(1))] if at else None
        prop = (unknown.group(1) if unknown else None) or (at.group(2) if at else None)
        field = f"{layer}.{prop}" if layer and prop else None
        what = f"{prop!r} is not a layer property" if unknown else \
            f"bad value for {field}: {message.split(' - at')[0]}"
        raise InvalidParam(what, layer=layer, field=field,
                           code="unknown_property" if unknown else "invalid_param") from None


def _box_from_text(text: str, layer: str, key: str) -> dict:
    parts = text.split(",")
    try:
        x, y, width, height = (float(p) for p in parts)
    except ValueError:
        raise InvalidParam(f"{key} is x,y,width,height (four numbers), got {text[:40]!r}",
                           layer=layer, field=key) from None
    return {"x": x, "y": y, "width": width, "height": height}


def _barcode_from_text(text: str, layer: str, key: str) -> dict:
    try:
        return barcode_from_text(text)
    except ValueError as exc:
        raise InvalidParam(f"{key}: {exc}", layer=layer, field=key) from None


def _chart_from_text(text: str, layer: str, key: str) -> dict:
    try:
        return chart_from_text(text)
    except ValueError as exc:
        raise InvalidParam(f"{key}: {exc}", layer=layer, field=key) from None


_decoder = msgspec.json.Decoder(RenderRequest)
# Characters XML 1.0 cannot carry (C0 controls but tab and newlines, surrogates, U+FFFE/F).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _field_from_validation(message: str) -> str | None:
    # msgspec: "Expected `str`, got `int` - at `$.params[0].text`"
    marker = "- at `$."
    path = message.split(marker, 1)[1].rstrip("`") if marker in message else None
    if message.startswith("Object contains unknown field `"):
        unknown = message.split("`", 2)[1]
        return f"{path}.{unknown}" if path else unknown
    return path


def decode_request(body: bytes, *, max_text_chars: int, max_metadata_bytes: int,
                   max_params: int, max_scale: float) -> RenderRequest:
    """Decode and validate a render request; raise BadRequest / InvalidParam naming the field."""
    try:
        request = _decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise InvalidParam(f"Invalid request: {exc}", field=_field_from_validation(str(exc))) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(f"Malformed JSON body: {exc}"[:300]) from None
    return validate_request(request, max_text_chars=max_text_chars,
                            max_metadata_bytes=max_metadata_bytes, max_params=max_params,
                            max_scale=max_scale)


def validate_request(request: RenderRequest, *, max_text_chars: int, max_metadata_bytes: int,
                     max_params: int, max_scale: float) -> RenderRequest:
    fmt = lookup(request.format)
    if fmt is None:
        raise InvalidParam(f"Unsupported format {str(request.format)[:20]!r}; use one of: "
                           + ", ".join(BY_NAME), field="format", code="invalid_format")
    request.format = fmt.name
    if not (1 <= request.scale <= max_scale):
        raise InvalidParam(f"scale must be between 1 and {max_scale:g}, got {request.scale:g}",
                           field="scale", code="invalid_scale")
    if request.metadata is not None and len(request.metadata.encode()) > max_metadata_bytes:
        raise InvalidParam(f"metadata is over {max_metadata_bytes} bytes", field="metadata",
                           code="metadata_too_long")
    if request.frames is not None or fmt.name in NEEDS_FRAMES:
        check_frames(request)
    if request.pages is not None:
        _check_pages(request)
    if len(request.params) > max_params:
        raise InvalidParam(f"{len(request.params)} params given; the limit is {max_params}",
                           field="params", code="too_many_params")
    for index, param in enumerate(request.params):
        if param.text is not None and len(param.text) > max_text_chars:
            raise InvalidParam(
                f"text of layer {param.name!r} has {len(param.text)} characters; "
                f"the limit is {max_text_chars}",
                layer=param.name, field=f"params[{index}].text", code="text_too_long")
        if param.text is not None and XML_INVALID.search(param.text):
            bad = XML_INVALID.search(param.text).group(0)
            raise InvalidParam(f"text of layer {param.name!r} contains U+{ord(bad):04X}, a "
                               "character an SVG cannot hold", layer=param.name,
                               field=f"params[{index}].text", code="invalid_text")
        if param.max_lines is not None and not (1 <= param.max_lines <= 1000):
            raise InvalidParam(f"maxLines of layer {param.name!r} must be between 1 and 1000",
                               layer=param.name, field=f"params[{index}].maxLines")
        if param.box is not None and not (1 <= param.box.width <= 100_000
                                          and 1 <= param.box.height <= 100_000):
            raise InvalidParam(f"box of layer {param.name!r} needs a width and height between "
                               "1 and 100,000", layer=param.name, field=f"params[{index}].box")
        if param.opacity is not None and not (0 <= param.opacity <= 1):
            raise InvalidParam(f"opacity of layer {param.name!r} must be between 0 and 1",
                               layer=param.name, field=f"params[{index}].opacity")
    return request
