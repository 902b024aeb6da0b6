"""Request schema (msgspec Structs), validated at the edge. The per-layer properties come from
the registry in apply.py: a property added there is accepted here, typed and documented."""

from __future__ import annotations

import re
from typing import Optional

import msgspec

from svgrender.apply import PROPERTIES
from svgrender.errors import BadRequest, InvalidParam
from svgrender.formats import BY_NAME, lookup


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _given(self) -> dict[str, object]:
    """The properties the client set, by their JSON names (without `name`)."""
    out = {}
    for attr, json_name in zip(self.__struct_fields__, self.__struct_encode_fields__):
        value = getattr(self, attr)
        if attr != "name" and value is not None:
            out[json_name] = value
    return out


LayerParam = msgspec.defstruct(
    "LayerParam",
    [("name", str)] + [(_snake(p.name), Optional[p.type], None) for p in PROPERTIES],
    rename="camel", forbid_unknown_fields=True, omit_defaults=True,
    namespace={"given": _given}, module=__name__)


class RenderRequest(msgspec.Struct, forbid_unknown_fields=True):
    params: list[LayerParam] = []
    format: str = "jpeg"
    metadata: str | None = None
    scale: float = 1.0


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
        if param.box is not None and not (0 < param.box.width <= 100_000
                                          and 0 < param.box.height <= 100_000):
            raise InvalidParam(f"box of layer {param.name!r} needs a positive width and height",
                               layer=param.name, field=f"params[{index}].box")
        if param.opacity is not None and not (0 <= param.opacity <= 1):
            raise InvalidParam(f"opacity of layer {param.name!r} must be between 0 and 1",
                               layer=param.name, field=f"params[{index}].opacity")
    return request
