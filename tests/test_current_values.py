"""The template report's current values (templates/current.py): JSON a client can read."""

import json

import pytest

from svgrender.settings import Settings
from svgrender.templates.current import current_values
from svgrender.templates.model import load_template


@pytest.mark.parametrize("written, reported", [("NaN", 1.0), ("inf", 1.0), ("1e999", 1.0),
                                               ("-2", 0.0), ("7", 1.0), ("0.25", 0.25)])
def test_opacity_is_read_as_a_browser_reads_it(written, reported):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="80">'
           f'<rect id="box" width="40" height="40" fill="red" opacity="{written}"/>'
           f'<text id="title" y="60" font-size="1e999" data-line-height="NaN">Hi</text></svg>')
    template = load_template("t", svg.encode(), Settings())
    values = current_values(template.layers["box"], template)
    assert values["opacity"] == reported
    text = current_values(template.layers["title"], template)
    # Numbers the template wrote as NaN or infinity are left out: the report stays JSON.
    json.dumps(text, allow_nan=False)
    assert "lineHeight" not in text
