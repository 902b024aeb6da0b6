import pytest

from svgrender.errors import BadRequest, InvalidParam
from svgrender.apply import HANDLERS
from svgrender.properties import PROPERTIES
from svgrender.params import LayerParam, decode_request

LIMITS = dict(max_text_chars=100, max_metadata_bytes=50, max_params=3, max_scale=4)


def test_decodes_dynapictures_body():
    request = decode_request(b'{"params": [{"name": "t", "text": "hi", "borderWidth": "2px"}]}',
                             **LIMITS)
    assert request.format == "jpeg" and request.scale == 1
    assert request.params[0].given() == {"text": "hi", "borderWidth": "2px"}


def test_jpg_is_jpeg():
    assert decode_request(b'{"format": "JPG"}', **LIMITS).format == "jpeg"


@pytest.mark.parametrize("body,code,field", [
    (b'{"params": 3}', "invalid_param", "params"),
    (b'{"params": [{"text": "no name"}]}', "invalid_param", "params[0]"),
    (b'{"params": [{"name": "a", "hidden": "yes"}]}', "invalid_param", "params[0].hidden"),
    (b'{"params": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}]}',
     "too_many_params", "params"),
    (b'{"format": "bmp"}', "invalid_format", "format"),
    (b'{"scale": 4.5}', "invalid_scale", "scale"),
    (b'{"params": [{"name": "a", "text": "' + b"x" * 101 + b'"}]}', "text_too_long",
     "params[0].text"),
    (b'{"unknown": 1}', "invalid_param", "unknown"),
    # A box too small for any text makes autoFit search for nothing: refused up front.
    (b'{"params": [{"name": "a", "box": {"x": 0, "y": 0, "width": 1e-6, "height": 5}}]}',
     "invalid_param", "params[0].box"),
])
def test_invalid(body, code, field):
    with pytest.raises(InvalidParam) as info:
        decode_request(body, **LIMITS)
    assert info.value.code == code and info.value.field == field


def test_malformed_json():
    with pytest.raises(BadRequest):
        decode_request(b'{"params": [', **LIMITS)


def test_the_request_schema_is_the_property_registry():
    fields = list(LayerParam.__struct_encode_fields__)
    assert fields == ["name"] + [p.name for p in PROPERTIES]
    param = LayerParam(name="t", text="hi", image_align_h="left", box={"x": 0, "y": 0,
                                                                       "width": 1, "height": 1})
    assert param.given().keys() == {"text", "imageAlignH", "box"}


def test_every_property_is_applied_by_a_handler_or_its_group():
    applied = set(HANDLERS)
    grouped = {name for p in PROPERTIES for name in p.group}
    by_finish_text = {"textTransform"}
    assert {p.name for p in PROPERTIES} == applied | grouped | by_finish_text
    assert applied <= {p.name for p in PROPERTIES}  # no handler for a property not listed
