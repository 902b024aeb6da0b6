"""What text layout costs: a 3-line auto-fit title laid out and drawn at 1x, next to the whole
social card's full answer, measured in the same run.

    python benchmarks/bench_text.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cairocffi as cairo  # noqa: E402

from svgrender import render as pipeline  # noqa: E402
from svgrender.draw import seams  # noqa: E402
from svgrender.draw import text  # noqa: E402
from svgrender.params import LayerParam, RenderRequest  # noqa: E402
from svgrender.settings import Settings  # noqa: E402
from svgrender.templates.store import TemplateStore  # noqa: E402

TITLE = "Ten days of fjords, glaciers, hot springs and the southern lights over Lake Tekapo"


class Node(dict):
    tag = "text"


def main() -> None:
    seams.install()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, 1200, 630)
    context = cairo.Context(surface)
    style = text.Style("Inter", 52, 700, False, 0.0)
    node = Node({"data-auto-fit": "true", "data-max-lines": "3"})
    box = (590, 140, 540, 130)

    def layout_and_draw():
        layout, _ = text.fit_layout(context, TITLE, style, box, node)
        context.move_to(box[0], box[1])
        text.pangocairocffi.show_layout(context, layout)

    times = []
    for _ in range(args.runs):
        start = time.process_time()
        layout_and_draw()
        times.append((time.process_time() - start) * 1000)
    title_ms = statistics.median(times)
    layout, size = text.fit_layout(context, TITLE, style, box, node)
    settings = Settings(templates_dir=ROOT / "templates")
    template = TemplateStore(settings.templates_dir, Settings()).get("social-card")
    request = RenderRequest(format="jpeg", params=[LayerParam(name="title", text=TITLE,
                                                              auto_fit=True, max_lines=3)])
    pipeline.render(template, request, settings)
    card = []
    for _ in range(max(5, args.runs // 5)):
        start = time.process_time()
        pipeline.render(template, request, settings)
        card.append((time.process_time() - start) * 1000)
    card_ms = statistics.median(card)
    print(f"3-line auto-fit title (lines: {layout.get_line_count()}, chosen size {size:.1f} px), "
          f"layout + draw at 1x: {title_ms:.2f} ms CPU")
    print(f"whole social card full answer (3 images, JPEG): {card_ms:.1f} ms CPU; "
          f"the title is {title_ms / card_ms:.1%} of it")


if __name__ == "__main__":
    main()
