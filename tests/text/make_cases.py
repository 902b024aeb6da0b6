"""Write the text fidelity cases (templates written for this project; untouched text).

    python tests/text/make_cases.py && python tests/text/make_references.py
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent / "cases"


def svg(body: str, style: str = "", width: int = 360, height: int = 120) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><style>{style}</style>'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>{body}</svg>\n')


CASES = {
    "latin-anchors": svg('<text x="180" y="30" font-family="Inter" font-size="20" '
                         'text-anchor="start">Start here</text>'
                         '<text x="180" y="65" font-family="Inter" font-size="20" '
                         'text-anchor="middle">Middle</text>'
                         '<text x="180" y="100" font-family="Inter" font-size="20" '
                         'text-anchor="end">The end</text>'),
    "tspan-lines": svg('<text font-family="Inter" font-size="22" fill="#223"><tspan x="20" '
                       'y="40">First line</tspan><tspan x="20" y="75">Second, longer line'
                       '</tspan></text>'),
    "tspan-dx-dy": svg('<text x="20" y="50" font-family="DejaVu Sans" font-size="20">A<tspan '
                       'dx="10" dy="-10">B</tspan><tspan dx="10" dy="20">C</tspan></text>'),
    "styles-and-css": svg('<text x="20" y="50" class="title">Styled <tspan class="em">bold '
                          'italic</tspan> text</text>',
                          style='.title{font-family:"Noto Serif";font-size:24px;fill:#a0522d}'
                                '.em{font-weight:bold;font-style:italic;fill:#1e6091}'),
    "letter-spacing": svg('<text x="20" y="60" font-family="Inter" font-size="24" '
                          'letter-spacing="4">SPACED OUT</text>'),
    "stroke-and-opacity": svg('<text x="20" y="70" font-family="Inter" font-size="48" '
                              'font-weight="bold" fill="#ffd166" stroke="#073b4c" '
                              'stroke-width="2" opacity="0.8">Outline</text>'),
    "transform": svg('<text x="0" y="0" font-family="Inter" font-size="24" '
                     'transform="translate(60 90) rotate(-15)">Rotated text</text>'),
    "dominant-baseline": svg('<line x1="0" y1="60" x2="360" y2="60" stroke="#ccc"/>'
                             '<text x="20" y="60" font-family="Inter" font-size="22" '
                             'dominant-baseline="middle">middle</text><text x="200" y="60" '
                             'font-family="Inter" font-size="22" dominant-baseline="hanging">'
                             'hanging</text>'),
    "xml-space-preserve": svg('<text x="20" y="60" font-family="DejaVu Sans Mono" font-size="20" '
                              'xml:space="preserve">a    b   c</text>'),
    "arabic": svg('<text x="340" y="65" font-family="Noto Sans Arabic" font-size="28" '
                  'direction="rtl">مرحبا بالعالم</text>'),
    # Inkscape documents are in mm: a 12 pt line is 4.23 user units tall. Pango rounded glyph
    # positions to whole units there ("D ecember", "Förder ung").
    "mm-units": ('<svg xmlns="http://www.w3.org/2000/svg" width="360" height="120" '
                 'viewBox="0 0 95.25 31.75"><rect width="95.25" height="31.75" fill="#ffffff"/>'
                 '<text x="5" y="12" font-family="DejaVu Sans" font-size="4.2333">December '
                 'Förderung, Wallenstein</text><text x="5" y="22" font-family="Inter" '
                 'font-size="5.6444" font-weight="bold">Jahrestagung 2026</text></svg>\n'),
    # Text on a path (badges, seals): centred on an arc; and Inkscape's way, xlink:href to a
    # transformed path, a coloured span, letter-spacing, and words running off the path's end.
    "text-on-arc": svg('<path id="arc" d="M 60 170 A 120 120 0 0 1 300 170" fill="none" '
                       'stroke="#d0d4e0"/><text font-family="Inter" font-size="22" '
                       'font-weight="bold" fill="#1d3557"><textPath href="#arc" '
                       'startOffset="50%" text-anchor="middle">SEAL OF QUALITY</textPath>'
                       '</text>', height=200),
    "text-path-inkscape": (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="360" height="200" viewBox="0 0 360 200"><rect width="360" height="200" '
        'fill="#ffffff"/><path id="wave" transform="translate(20 40)" d="M 0 80 C 80 -20 '
        '160 180 320 60" fill="none" stroke="#e0d0d0"/><text xml:space="preserve" '
        'style="font-family:\'DejaVu Sans\';font-size:18px;letter-spacing:1px;fill:#2a9d8f">'
        '<textPath xlink:href="#wave" startOffset="12">Along the <tspan style="fill:#e76f51;'
        'font-weight:bold">wave</tspan> and off the end of it, past the path</textPath>'
        '</text></svg>\n'),
    "cjk": svg('<text x="20" y="65" font-family="Noto Sans CJK SC" font-size="28">你好，世界</text>'),
}

if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    for name, text in CASES.items():
        (HERE / f"{name}.svg").write_text(text)
    print(f"{len(CASES)} cases written")
