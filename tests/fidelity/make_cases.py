"""Write the fidelity cases (small SVGs written for this project). Run once; the files are committed.

    python tests/fidelity/make_cases.py
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent / "cases"
W, H = 160, 120
BG = '<rect width="160" height="120" fill="#efe6d2"/>'
SHAPES = ('<rect x="40" y="30" width="80" height="60" rx="10" fill="#2a7fd4"/>'
          '<circle cx="110" cy="40" r="22" fill="#f2a93b" fill-opacity="0.8"/>')


def svg(body: str, defs: str = "") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{W}" height="{H}" viewBox="0 0 {W} {H}">{BG}<defs>{defs}</defs>{body}</svg>\n')


def filtered(primitives: str, attrs: str = 'color-interpolation-filters="sRGB"',
             shape: str = SHAPES) -> str:
    return svg(f'<g filter="url(#f)">{shape}</g>', f'<filter id="f" {attrs}>{primitives}</filter>')


CASES = {
    "blur-basic": filtered('<feGaussianBlur stdDeviation="5"/>'),
    "blur-xy": filtered('<feGaussianBlur stdDeviation="8 2"/>'),
    "blur-small": filtered('<feGaussianBlur stdDeviation="1"/>'),
    "blur-source-alpha": filtered('<feGaussianBlur in="SourceAlpha" stdDeviation="4"/>'),
    "blur-linear-rgb": filtered('<feGaussianBlur stdDeviation="6"/>', attrs=""),
    "offset-merge": filtered('<feOffset dx="12" dy="8" in="SourceAlpha" result="o"/>'
                             '<feMerge><feMergeNode in="o"/><feMergeNode in="SourceGraphic"/></feMerge>'),
    "flood-subregion": filtered('<feFlood flood-color="#c0392b" flood-opacity="0.6" x="20" y="20" '
                                'width="60" height="40" result="fl"/>'
                                '<feMerge><feMergeNode in="fl"/><feMergeNode in="SourceGraphic"/></feMerge>',
                                attrs='color-interpolation-filters="sRGB" primitiveUnits="userSpaceOnUse"'),
    "colormatrix-matrix": filtered('<feColorMatrix type="matrix" values="0 0 1 0 0  1 0 0 0 0  '
                                   '0 1 0 0 0  0 0 0 0.7 0"/>'),
    "colormatrix-saturate": filtered('<feColorMatrix type="saturate" values="0.2"/>'),
    "colormatrix-huerotate": filtered('<feColorMatrix type="hueRotate" values="120"/>'),
    "colormatrix-luminance-to-alpha": filtered('<feColorMatrix type="luminanceToAlpha"/>'),
    "component-transfer": filtered('<feComponentTransfer><feFuncR type="table" tableValues="1 0"/>'
                                   '<feFuncG type="linear" slope="0.5" intercept="0.25"/>'
                                   '<feFuncB type="gamma" amplitude="1" exponent="2" offset="0"/>'
                                   '<feFuncA type="discrete" tableValues="0 0.5 1"/></feComponentTransfer>'),
    "morphology-dilate": filtered('<feMorphology operator="dilate" radius="4"/>'),
    "morphology-erode": filtered('<feMorphology operator="erode" radius="3 6"/>'),
    "drop-shadow": filtered('<feDropShadow dx="6" dy="6" stdDeviation="4" flood-color="#301050" '
                            'flood-opacity="0.7"/>'),
    # linearRGB (the default): the source laid over its shadow where translucent pixels mix
    "drop-shadow-linear": filtered('<feDropShadow dx="6" dy="6" stdDeviation="4" '
                                   'flood-color="#c0392b" flood-opacity="0.8"/>', attrs=""),
    "filter-units-user-space": svg('<g filter="url(#f)">' + SHAPES + '</g>',
                                   '<filter id="f" filterUnits="userSpaceOnUse" x="30" y="20" '
                                   'width="70" height="60" color-interpolation-filters="sRGB">'
                                   '<feGaussianBlur stdDeviation="3"/></filter>'),
    "primitive-units-bbox": svg('<rect x="40" y="30" width="80" height="60" fill="#2a7fd4" '
                                'filter="url(#f)"/>',
                                '<filter id="f" primitiveUnits="objectBoundingBox" '
                                'color-interpolation-filters="sRGB">'
                                '<feOffset dx="0.1" dy="0.2" in="SourceAlpha" result="o"/>'
                                '<feMerge><feMergeNode in="o"/><feMergeNode in="SourceGraphic"/>'
                                '</feMerge></filter>'),
    "group-opacity": svg(f'<g opacity="0.5">{SHAPES}</g>'),
    "gradient-transform-spread": svg(
        '<rect x="10" y="10" width="140" height="45" fill="url(#g1)"/>'
        '<rect x="10" y="65" width="140" height="45" fill="url(#g2)"/>',
        '<linearGradient id="g1" x1="0.3" x2="0.6" spreadMethod="reflect" '
        'gradientTransform="rotate(20)"><stop offset="0" stop-color="#e63946"/>'
        '<stop offset="1" stop-color="#457b9d"/></linearGradient>'
        '<radialGradient id="g2" r="0.2" spreadMethod="repeat"><stop offset="0" stop-color="#2a9d8f"/>'
        '<stop offset="1" stop-color="#e9c46a"/></radialGradient>'),
    "clip-path-bbox-units": svg('<rect x="20" y="20" width="120" height="80" fill="#2a7fd4" '
                                'clip-path="url(#c)"/>',
                                '<clipPath id="c" clipPathUnits="objectBoundingBox">'
                                '<circle cx="0.5" cy="0.5" r="0.4"/></clipPath>'),
    "mask-luminance": svg(f'<g mask="url(#m)">{SHAPES}</g>',
                          '<mask id="m"><rect width="160" height="120" fill="white"/>'
                          '<rect x="0" y="0" width="80" height="120" fill="#404040"/></mask>'),
    "mask-alpha": svg(f'<g mask="url(#m)">{SHAPES}</g>',
                      '<mask id="m" style="mask-type:alpha"><rect width="160" height="120" '
                      'fill="black" fill-opacity="0.3"/><rect x="80" width="80" height="120" '
                      'fill="black"/></mask>'),
    "mix-blend-multiply": svg('<rect x="30" y="30" width="70" height="60" fill="#2a7fd4"/>'
                              '<circle cx="100" cy="60" r="35" fill="#f2a93b" '
                              'style="mix-blend-mode:multiply"/>'),
    "mix-blend-screen-isolated": svg('<g style="isolation:isolate"><rect x="30" y="30" width="70" '
                                     'height="60" fill="#2a7fd4"/><circle cx="100" cy="60" r="35" '
                                     'fill="#f2a93b" style="mix-blend-mode:screen"/></g>'),
    # The chains design tools write, verbatim in shape.
    "figma-drop-shadow": svg(
        '<g filter="url(#filter0_d_1_2)"><rect x="30" y="20" width="100" height="70" rx="12" '
        'fill="white"/></g>',
        '<filter id="filter0_d_1_2" x="10" y="4" width="140" height="110" '
        'filterUnits="userSpaceOnUse" color-interpolation-filters="sRGB">'
        '<feFlood flood-opacity="0" result="BackgroundImageFix"/>'
        '<feColorMatrix in="SourceAlpha" type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 '
        '127 0" result="hardAlpha"/><feOffset dy="4"/><feGaussianBlur stdDeviation="8"/>'
        '<feComposite in2="hardAlpha" operator="out"/>'
        '<feColorMatrix type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0.35 0"/>'
        '<feBlend mode="normal" in2="BackgroundImageFix" result="effect1_dropShadow_1_2"/>'
        '<feBlend mode="normal" in="SourceGraphic" in2="effect1_dropShadow_1_2" result="shape"/>'
        '</filter>'),
    "figma-inner-shadow": svg(
        '<g filter="url(#filter0_i_1_2)"><rect x="30" y="20" width="100" height="80" rx="16" '
        'fill="#7ec8e3"/></g>',
        '<filter id="filter0_i_1_2" x="30" y="20" width="100" height="84" '
        'filterUnits="userSpaceOnUse" color-interpolation-filters="sRGB">'
        '<feFlood flood-opacity="0" result="BackgroundImageFix"/>'
        '<feBlend mode="normal" in="SourceGraphic" in2="BackgroundImageFix" result="shape"/>'
        '<feColorMatrix in="SourceAlpha" type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 '
        '127 0" result="hardAlpha"/><feOffset dy="6"/><feGaussianBlur stdDeviation="5"/>'
        '<feComposite in2="hardAlpha" operator="arithmetic" k2="-1" k3="1"/>'
        '<feColorMatrix type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0.5 0"/>'
        '<feBlend mode="normal" in2="shape" result="effect1_innerShadow_1_2"/></filter>'),
    "figma-layer-blur": svg(
        '<g filter="url(#filter0_f_1_2)"><circle cx="80" cy="60" r="35" fill="#e76f51"/></g>',
        '<filter id="filter0_f_1_2" x="25" y="5" width="110" height="110" '
        'filterUnits="userSpaceOnUse" color-interpolation-filters="sRGB">'
        '<feFlood flood-opacity="0" result="BackgroundImageFix"/>'
        '<feBlend mode="normal" in="SourceGraphic" in2="BackgroundImageFix" result="shape"/>'
        '<feGaussianBlur stdDeviation="10" result="effect1_foregroundBlur_1_2"/></filter>'),
    "figma-stacked-shadows": svg(
        '<g filter="url(#filter0_dd_1_2)"><rect x="40" y="25" width="80" height="60" rx="8" '
        'fill="white"/></g>',
        '<filter id="filter0_dd_1_2" x="16" y="9" width="128" height="108" '
        'filterUnits="userSpaceOnUse" color-interpolation-filters="sRGB">'
        '<feFlood flood-opacity="0" result="BackgroundImageFix"/>'
        '<feColorMatrix in="SourceAlpha" type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 '
        '127 0" result="hardAlpha"/><feOffset dy="2"/><feGaussianBlur stdDeviation="2"/>'
        '<feColorMatrix type="matrix" values="0 0 0 0 0.1 0 0 0 0 0.1 0 0 0 0 0.3 0 0 0 0.3 0"/>'
        '<feBlend mode="normal" in2="BackgroundImageFix" result="effect1_dropShadow_1_2"/>'
        '<feColorMatrix in="SourceAlpha" type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 '
        '127 0" result="hardAlpha"/><feMorphology radius="4" operator="dilate" in="SourceAlpha" '
        'result="effect2_dropShadow_1_2"/><feOffset dy="8"/><feGaussianBlur stdDeviation="8"/>'
        '<feComposite in2="hardAlpha" operator="out"/>'
        '<feColorMatrix type="matrix" values="0 0 0 0 0.6 0 0 0 0 0.1 0 0 0 0 0.2 0 0 0 0.4 0"/>'
        '<feBlend mode="normal" in2="effect1_dropShadow_1_2" result="effect2_dropShadow_1_2"/>'
        '<feBlend mode="normal" in="SourceGraphic" in2="effect2_dropShadow_1_2" result="shape"/>'
        '</filter>'),
    "inkscape-drop-shadow": svg(
        '<g style="filter:url(#filter1)"><path d="M 40,30 H 120 L 100,95 H 30 Z" '
        'style="fill:#3a86ff;stroke:#1d3557;stroke-width:3"/></g>',
        '<filter style="color-interpolation-filters:sRGB" id="filter1" x="-0.2" y="-0.2" '
        'width="1.4" height="1.5"><feFlood flood-opacity="0.5" flood-color="rgb(0,0,0)" '
        'result="flood"/><feComposite in="flood" in2="SourceGraphic" operator="in" '
        'result="composite1"/><feGaussianBlur in="composite1" stdDeviation="3" result="blur"/>'
        '<feOffset dx="4" dy="5" result="offset"/><feComposite in="SourceGraphic" in2="offset" '
        'operator="over" result="composite2"/></filter>'),
    "inkscape-blur": svg(
        '<ellipse cx="80" cy="60" rx="50" ry="30" style="fill:#8338ec;filter:url(#filter2)"/>',
        '<filter style="color-interpolation-filters:sRGB" id="filter2" x="-0.15" y="-0.25" '
        'width="1.3" height="1.5"><feGaussianBlur stdDeviation="5.2"/></filter>'),
}

BLENDS = ["multiply", "screen", "overlay", "darken", "lighten", "color-dodge", "color-burn",
          "hard-light", "soft-light", "difference", "exclusion", "hue", "saturation", "color",
          "luminosity"]
for mode in BLENDS:
    CASES[f"blend-{mode}"] = filtered(
        '<feFlood flood-color="#4d9de0" flood-opacity="0.85" result="fl"/>'
        f'<feBlend mode="{mode}" in="SourceGraphic" in2="fl"/>')
for op in ["over", "in", "out", "atop", "xor"]:
    CASES[f"composite-{op}"] = filtered(
        '<feFlood flood-color="#e15554" flood-opacity="0.7" x="20" y="50" width="120" height="50" '
        f'result="fl"/><feComposite in="SourceGraphic" in2="fl" operator="{op}"/>',
        attrs='color-interpolation-filters="sRGB" primitiveUnits="userSpaceOnUse"')
CASES["composite-arithmetic"] = filtered(
    '<feFlood flood-color="#e15554" flood-opacity="0.7" result="fl"/>'
    '<feComposite in="SourceGraphic" in2="fl" operator="arithmetic" k1="0.5" k2="0.5" k3="0.3" '
    'k4="0.05"/>')

if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    for name, text in CASES.items():
        (HERE / f"{name}.svg").write_text(text)
    print(f"{len(CASES)} cases written to {HERE}")
