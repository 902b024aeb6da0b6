"""Text layers drawn with Pango (shaping, fallback fonts, colour emoji, RTL, wrapping).

Two ways to place text, both in the element's user space so PDF keeps real text:
- *faithful*: the template's own lines (`x`/`y`/`dx`/`dy` chunks, text-anchor,
  dominant-baseline), each chunk one Pango run sequence, as a browser places them;
- *box*: when a request changed the layer (apply.py marks it `data-layout="box"`) or the text
  is an Inkscape flowRoot, the whole text is laid out in the layer's box: wrapping, alignment,
  line height, max lines with an ellipsis, shrink-to-fit. Nothing is drawn outside the box.

Layout uses unhinted metrics, so 1x, thumbnail and 2x thumbnail wrap identically.

By concern: text_style.py (Style, Pango layouts, font and glyph checks), text_chunks.py (faithful
chunks), text_box.py (box layout, fit, flow), text_paint.py (fill, stroke, outlines); with
text_anchor.py, text_lines.py, text_spans.py, text_path.py and text_masks.py beside them. This
module names the text API the rest of the package uses.
"""

from __future__ import annotations

import pangocairocffi  # noqa: F401 (benchmarks/bench_text.py draws through text.*)
from pangocffi import pango  # noqa: F401

from svgrender.draw.text_box import (ALIGN, FLOW_MARK, WRAP, BoxLayout, Flowed,  # noqa: F401
                                     box_of, draw_box,
                                     fit_layout, flow_layout, layout_in_box, text_content)
from svgrender.draw.text_chunks import (Chunk, LaidChunk, Run, chunks_of,  # noqa: F401
                                        draw_chunk, draw_faithful, lay_chunk)
from svgrender.draw.text_style import (SCALE, SPAN_TAGS, WEIGHTS, Style,  # noqa: F401
                                       _layout_for, line_iterator, new_layout, style_of)
