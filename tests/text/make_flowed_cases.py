"""Write the Inkscape flowed-text cases (SVG 1.2 flowRoot, written for this project).

    python tests/text/make_flowed_cases.py && python tests/text/make_flowed_references.py

Browsers draw no flowed text, so the reference is the editor the designer saw it in: Inkscape.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent / "flowed"


def flowed(region: str, paragraphs: str, root_style: str) -> str:
    return (f'<flowRoot xml:space="preserve" style="{root_style}"><flowRegion>{region}'
            f'</flowRegion>{paragraphs}</flowRoot>')


def page(*flows: str, width: int = 360, height: int = 200) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>{"".join(flows)}</svg>\n')


def rect(x: int, y: int, width: int, height: int) -> str:
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}"/>'


# As Inkscape 1.x writes them: the root carries the font size and line height, paragraphs
# may override them. (Inkscape also sets every line at least the root's line height.)
FONT = "font-family:'DejaVu Sans';fill:#0b3033"
CASES = {
    # Line heights are a multiple of the font size: in %, as a factor and in px.
    "flowed-line-heights": page(
        flowed(rect(20, 10, 320, 60), '<flowPara>Line heights are a multiple of the font size: '
               'this paragraph is set at one and a half times its size.</flowPara>',
               f"font-size:11px;line-height:150%;{FONT}"),
        flowed(rect(20, 75, 320, 50), '<flowPara>A factor of 1.1 sets the lines of this '
               'paragraph much closer together than the one above.</flowPara>',
               f"font-size:11px;line-height:1.1;{FONT}"),
        flowed(rect(20, 130, 320, 65), '<flowPara>Twenty-four pixels between the lines of '
               'this last paragraph.</flowPara>', f"font-size:13px;line-height:24px;{FONT}")),
    # Designers type runs of spaces to push a word onto the next line.
    "flowed-typed-spaces": page(flowed(
        rect(20, 15, 250, 175),
        '<flowPara>Image processing: aerial and satellite data,              supervised '
        'classification and more              DTM analysis: contour and slope</flowPara>',
        f"font-size:12px;line-height:140%;{FONT}")),
    # The flow ends where a line would fall below the region: the rest is not drawn.
    "flowed-overflow": page(flowed(
        rect(20, 15, 200, 60),
        '<flowPara>The region holds four lines of this paragraph; everything after the '
        'fourth line is hidden, as in the editor, which shows the frame in red until the '
        'designer makes room for the rest of it.</flowPara>',
        f"font-size:12px;line-height:1.25;{FONT}")),
    # A word wider than the region ends the flow (never broken into letters).
    "flowed-long-word": page(flowed(
        rect(20, 15, 150, 170),
        '<flowPara>Short words first.</flowPara><flowPara style="font-size:40px">'
        'Extraordinarily long</flowPara><flowPara>Never drawn.</flowPara>',
        f"font-size:12px;line-height:1.25;{FONT}")),
    # Mixed colours and weights in one paragraph.
    "flowed-colours": page(flowed(
        rect(20, 15, 320, 175),
        '<flowPara><flowSpan style="font-weight:bold;fill:#e76f51">Raster analysis:</flowSpan>'
        ' map algebra, interpolation, masking, <flowSpan style="fill:#2a9d8f">correlation '
        'and covariance</flowSpan> analysis.</flowPara>',
        f"font-size:12px;line-height:150%;{FONT}")),
}

if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    for name, text in CASES.items():
        (HERE / f"{name}.svg").write_text(text)
    print(f"{len(CASES)} cases written")
