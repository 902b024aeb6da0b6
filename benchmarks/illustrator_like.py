"""An Illustrator-shaped export with N gradients and N CSS class rules (issues 32/33).

Illustrator's "Export As SVG" (presentation attributes: internal CSS) writes one `.cls-N` rule per
distinct paint in a `<style>` inside `<defs>`, one `linearGradient` per gradient fill with
`gradientUnits="userSpaceOnUse"` (often with a `gradientTransform`), `data-name` on groups, and
paths/polygons/rects that carry only `class="cls-N"`. Fixed seed, so a given N is the same file.

    python benchmarks/illustrator_like.py 3000 out.svg [--flat]

`--flat` writes the same file with each gradient fill replaced by its first stop's colour (the
baseline for the benchmark: same tree, same rules, no gradients).
"""

from __future__ import annotations

import random
import sys


def illustrator_like(n: int, *, flat: bool = False) -> str:
    rnd = random.Random(1)
    rules, gradients, shapes = [], [], []
    for i in range(n):
        first = f"#{rnd.randint(0, 0xffffff):06x}"
        last = f"#{rnd.randint(0, 0xffffff):06x}"
        x1, y1, x2, y2 = (rnd.randint(0, 1200), rnd.randint(0, 800),
                          rnd.randint(0, 1200), rnd.randint(0, 800))
        paint = first if flat else f"url(#linear-gradient-{i})"
        rules.append(f".cls-{i + 1}{{fill:{paint};opacity:0.{rnd.randint(3, 9)};}}")
        transform = (f' gradientTransform="translate({rnd.randint(-20, 20)} {rnd.randint(-20, 20)})'
                     f' rotate({rnd.randint(0, 90)})"' if i % 3 == 0 else "")
        gradients.append(
            f'<linearGradient id="linear-gradient-{i}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
            f'gradientUnits="userSpaceOnUse"{transform}>'
            f'<stop offset="0" stop-color="{first}"/>'
            f'<stop offset="0.5" stop-color="{last}" stop-opacity="0.8"/>'
            f'<stop offset="1" stop-color="{last}"/></linearGradient>')
        x, y = rnd.randint(0, 1150), rnd.randint(0, 750)
        kind = i % 3
        if kind == 0:
            shapes.append(f'<path class="cls-{i + 1}" d="M{x},{y}l{rnd.randint(5, 50)},'
                          f'{rnd.randint(5, 50)}h{rnd.randint(5, 40)}z"/>')
        elif kind == 1:
            shapes.append(f'<polygon class="cls-{i + 1}" points="{x} {y} {x + rnd.randint(5, 50)} '
                          f'{y + rnd.randint(5, 50)} {x - rnd.randint(5, 40)} {y + 20}"/>')
        else:
            shapes.append(f'<rect class="cls-{i + 1}" x="{x}" y="{y}" width="{rnd.randint(5, 50)}"'
                          f' height="{rnd.randint(5, 50)}"/>')
    groups = [f'<g id="Group_{g + 1}" data-name="Group {g + 1}">' + "".join(shapes[g::10]) + "</g>"
              for g in range(10)]
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'id="Artboard1" data-name="Artboard 1" viewBox="0 0 1200 800" width="1200" '
            'height="800"><defs><style>' + "".join(rules) + "</style>" + "".join(gradients)
            + '</defs><title>Artboard 1</title><g id="Layer_1" data-name="Layer 1">'
            + "".join(groups)
            + '<text id="title" x="60" y="120" style="font-family:Inter;font-size:64px;'
            'fill:#111">Title here</text></g></svg>')


if __name__ == "__main__":
    count, target = int(sys.argv[1]), sys.argv[2]
    with open(target, "w", encoding="utf-8") as out:
        out.write(illustrator_like(count, flat="--flat" in sys.argv[3:]))
