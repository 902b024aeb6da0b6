"""Hostile inputs written for this project, each with the answer it must get.

A case is (name, kind, payload, expected status, expected code):
- kind "template": the payload is an SVG file put in the templates folder, then rendered;
- kind "upload": the payload is POSTed to /templates;
- kind "request": the payload is (path, JSON body or raw bytes) against the safe template.
`CANARY` stands for the loopback canary server's address; `SECRET` for a canary file's path.
"""

import base64
import gzip
import io

from PIL import Image

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' \
      'width="200" height="100">{}</svg>'


def svg(body: str) -> str:
    return SVG.format(body)


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
                  + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                            for i in range(9))
                  + ']><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                  '<text>&j;</text></svg>')
FANOUT = svg('<defs><rect id="r0" width="1" height="1"/>' + "".join(
    f'<g id="r{i}">' + f'<use href="#r{i - 1}"/>' * 10 + "</g>" for i in range(1, 7))
    + '</defs><use href="#r6"/>')
PATTERN_BOMB = svg('<defs>' + '<pattern id="p0" width="1" height="1" patternUnits='
                   '"userSpaceOnUse"><rect width="1" height="1"/></pattern>' + "".join(
                       f'<pattern id="p{i}" width="2" height="2" patternUnits="userSpaceOnUse">'
                       + f'<rect width="2" height="2" fill="url(#p{i - 1})"/>' * 20
                       + "</pattern>" for i in range(1, 6))
                   + '</defs><rect width="200" height="100" fill="url(#p5)"/>')
DEEP = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>" + "<g>" * 10000 + \
       "</g>" * 10000 + "</svg>"



def mask_fanout(depth: int, size: int) -> str:
    """Masks nested `depth` deep, each holding ten rects masked by the one before (1.4 KB at
    depth 3 took a minute of API-process CPU at upload)."""
    body = '<mask id="m0"><rect width="100%" height="100%" fill="#fff"/></mask>'
    for d in range(1, depth + 1):
        body += f'<mask id="m{d}">' + "".join(
            f'<rect x="{i}" width="{size}" height="{size}" fill="#fff" mask="url(#m{d - 1})"/>'
            for i in range(10)) + "</mask>"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}"><defs>'
            f'{body}</defs><rect id="victim" width="{size}" height="{size}" fill="red" '
            f'mask="url(#m{depth})"/></svg>')


def png_1bit(width: int, height: int) -> str:
    """A 1-bit PNG: a few KB on the wire, 40 MP when decoded."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


IMAGE_BOMBS = svg("".join(f'<image id="i{i}" width="9" height="9" href="{png_1bit(6000, 6600 - i)}"'
                          '/>' for i in range(20)))
FILTER_COPIES = ('<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"><defs>'
                 '<filter id="b"><feGaussianBlur stdDeviation="20"/><feOffset dx="3"/></filter>'
                 '<rect id="r" width="1200" height="630" fill="#369" filter="url(#b)"/></defs>'
                 + "".join(f'<use href="#r" x="{i % 7}"/>' for i in range(400)) + "</svg>")
PATTERN_OF_MASKS = svg('<defs>' + mask_fanout(2, 200).split("<defs>")[1].split("</defs>")[0]
                       + '<pattern id="p" width="10" height="10" patternUnits="userSpaceOnUse">'
                       + '<rect width="10" height="10" mask="url(#m2)"/>' * 30 + '</pattern>'
                       '</defs><rect width="200" height="100" fill="url(#p)"/>')



def many_rules(shapes: int) -> str:
    """The Illustrator shape that ran for 300 s (#13): a CSS class rule and a gradient linked to
    one swatch per circle (benchmarks/bench_large_file.py times the 11,000-shape file)."""
    rules = "".join(f".c{i}{{fill:url(#g{i})}}" for i in range(shapes))
    gradients = "".join(f'<linearGradient id="g{i}" xlink:href="#swatch"/>' for i in range(shapes))
    circles = "".join(f'<circle class="c{i}" cx="{i % 200}" cy="{i % 100}" r="2"/>'
                      for i in range(shapes))
    return svg(f'<defs><style>{rules}</style><linearGradient id="swatch"><stop stop-color="#f80"'
               f'/><stop offset="1" stop-color="#08f"/></linearGradient>{gradients}</defs>'
               f'{circles}')


TEMPLATES = [
    ("xxe-file", 'template', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM '
     '"file://SECRET">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
     '<text>&x;</text></svg>', 422, "template_invalid"),
    ("xxe-http", 'template', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM '
     '"http://CANARY/xxe">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
     '<text>&x;</text></svg>', 422, "template_invalid"),
    ("billion-laughs", 'template', BILLION_LAUGHS, 422, "template_invalid"),
    # An external DTD is never loaded (the canary sees nothing) and never an error.
    ("external-dtd", 'template', '<?xml version="1.0"?><!DOCTYPE svg SYSTEM "http://CANARY/dtd">'
     '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', 201, None),
    ("image-file", 'template', svg('<image href="file://SECRET" width="100" height="100"/>'),
     201, None),
    ("image-relative", 'template', svg('<image href="../../../../SECRET" width="9" height="9"/>'),
     201, None),
    ("image-loopback", 'template', svg('<image href="http://CANARY/img.png" width="9" '
                                       'height="9"/>'), 201, None),
    ("image-metadata", 'template', svg('<image href="http://169.254.169.254/latest/meta-data/" '
                                       'width="9" height="9"/>'), 201, None),
    ("use-file", 'template', svg('<use href="file://SECRET#x"/>'), 201, None),
    ("use-external", 'template', svg('<use xlink:href="http://CANARY/ext.svg#a"/>'), 201, None),
    ("feimage-file", 'template', svg('<filter id="f"><feImage href="file://SECRET"/></filter>'
                                     '<rect width="50" height="50" filter="url(#f)"/>'), 201, None),
    ("import-metadata", 'template', svg('<style>@import url("http://169.254.169.254/x.css");'
                                        'rect{fill:red}</style><rect width="9" height="9"/>'),
     201, None),
    ("import-file", 'template', svg('<style>@import "file://SECRET";</style>'), 201, None),
    ("font-face-file", 'template', svg('<style>@font-face{font-family:x;src:url(file://SECRET)}'
                                       '</style><text font-family="x" y="20">hi</text>'),
     201, None),
    ("css-url-loopback", 'template', svg('<rect width="9" height="9" style="fill:url('
                                         'http://CANARY/p.svg#p)"/>'), 201, None),
    ("use-cycle", 'template', svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'),
     422, "template_invalid"),
    ("use-self", 'template', svg('<g id="a"><use href="#a"/></g>'), 422, "template_invalid"),
    ("use-fanout-1e6", 'template', FANOUT, 422, "template_invalid"),
    ("pattern-bomb", 'template', PATTERN_BOMB, 422, "template_invalid"),
    ("canvas-100000", 'template', '<svg xmlns="http://www.w3.org/2000/svg" width="100000" '
     'height="100000"><rect width="100%" height="100%"/></svg>', 422, "output_too_large"),
    ("canvas-12000", 'template', '<svg xmlns="http://www.w3.org/2000/svg" width="12000" '
     'height="12000"/>', 422, "output_too_large"),
    ("blur-100000", 'template', svg('<filter id="f"><feGaussianBlur stdDeviation="100000"/>'
                                    '</filter><rect id="r" width="50" height="50" '
                                    'filter="url(#f)"/>'), 422, "blur_too_large"),
    ("deep-nesting", 'template', DEEP, 422, "template_invalid"),
    ("script-onload", 'template', svg('<script>alert(1)</script><rect id="r" width="9" '
                                      'height="9" onload="alert(2)"/>'), 201, None),
    ("foreign-object", 'template', svg('<foreignObject><iframe xmlns="http://www.w3.org/1999/'
                                       'xhtml" src="file://SECRET"/></foreignObject>'), 201, None),
    # Active content that would act only in the SVG output opened by a browser.
    ("html-meta-refresh", 'template', svg('<html:meta xmlns:html="http://www.w3.org/1999/xhtml" '
                                          'http-equiv="refresh" content="0;url=http://CANARY/nav"/>'
                                          '<rect width="9" height="9"/>'), 201, None),
    ("html-img", 'template', svg('<html:img xmlns:html="http://www.w3.org/1999/xhtml" '
                                 'src="http://CANARY/img.png"/><rect width="9" height="9"/>'),
     201, None),
    ("html-video", 'template', svg('<video xmlns="http://www.w3.org/1999/xhtml" '
                                   'src="http://CANARY/v.mp4" autoplay="autoplay"/>'), 201, None),
    ("css-escaped-url", 'template', svg('<rect width="90" height="90" style="fill:\\75rl('
                                        'http://CANARY/e.svg#p)"/>'), 201, None),
    ("css-escaped-font-face", 'template', svg('<style>@font-face{font-family:x;src:\\75rl('
                                              'http://CANARY/f.woff)}</style>'
                                              '<text font-family="x" y="20">x</text>'), 201, None),
    ("css-image-set", 'template', svg('<rect width="90" height="90" style="fill:image-set('
                                      '&quot;http://CANARY/i.png&quot; 1x)"/>'), 201, None),
    ("attribute-escaped-url", 'template', svg('<rect width="90" height="90" fill="\\75rl('
                                              'http://CANARY/p.svg#p)"/>'), 201, None),
    ("set-href", 'template', svg('<a href="#x"><set attributeName="href" to="http://CANARY/set"/>'
                                 '<rect width="90" height="90"/></a>'), 201, None),
    ("animate-href-js", 'template', svg('<a href="#x"><animate attributeName="href" '
                                        'values="javascript:fetch(\'http://CANARY/js\')"/>'
                                        '<rect width="90" height="90"/></a>'), 201, None),
    ("javascript-href", 'template', svg('<a href="javascript:fetch(\'http://CANARY/a\')">'
                                        '<rect width="90" height="90"/></a>'), 201, None),
    ("xml-base", 'template', svg('<g xml:base="http://CANARY/"><image href="x.png" width="9" '
                                 'height="9"/></g>'), 201, None),
    ("doctype-svg11", 'template', '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG '
     '1.1//EN" "http://CANARY/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg" width="10" '
     'height="10"/>', 201, None),
    # Cost bombs: refused before drawing (the effect budget), or drawn in a worker process.
    ("mask-fanout-depth3", 'template', mask_fanout(3, 500), 422, "template_invalid"),
    ("filter-copies-400", 'template', FILTER_COPIES, 422, "template_invalid"),
    ("pattern-of-masks", 'template', PATTERN_OF_MASKS, 201, None),  # within budget: drawn
    ("one-mask-4000px", 'template', '<svg xmlns="http://www.w3.org/2000/svg" width="4000" '
     'height="4000"><mask id="m"><rect width="4000" height="4000" fill="#fff"/></mask><rect '
     'width="4000" height="4000" mask="url(#m)"/></svg>', 201, None),
    ("embedded-image-bombs", 'template', IMAGE_BOMBS, 422, "template_invalid"),
    ("thumbnail-strip-1x40", 'template', '<svg xmlns="http://www.w3.org/2000/svg" width="1" '
     'height="40"><rect width="1" height="40" fill="#000"/></svg>', 201, None),
    ("css-rules-gradients-3000", 'template', many_rules(3000), 201, None),
    ("not-svg", 'template', "<html><body>hi</body></html>", 422, "template_invalid"),
    ("empty-file", 'template', "", 422, "template_invalid"),
    ("no-size", 'template', '<svg xmlns="http://www.w3.org/2000/svg"/>', 422, "template_invalid"),
]

UPLOADS = [
    ("upload-svgz-bomb", gzip.compress(b"<svg>" + b" " * (64 * 1024 * 1024) + b"</svg>"),
     422, "template_too_large"),
    ("upload-script", svg('<script>alert(1)</script><rect id="r" width="9" height="9" '
                          'onclick="x()"/>').encode(), 201, None),
    ("upload-xxe", ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file://SECRET">]>'
                    '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>').encode(),
     422, "template_invalid"),
    ("upload-name-control-chars", svg('<rect width="9" height="9"/>').encode(), 201, None),
    ("upload-too-big", b"<svg>" + b" " * (6 * 1024 * 1024) + b"</svg>", 413, "body_too_large"),
    ("upload-mask-fanout", mask_fanout(3, 500).encode(), 422, "effects_too_costly"),
    ("upload-image-bombs", IMAGE_BOMBS.encode(), 422, "template_images_too_large"),
]

REQUESTS = [
    ("font-family-css-injection", ("/designs/safe", {"params": [
        {"name": "t", "fontFamily": "serif,x;fill:url(http://CANARY/inj)"}]}), 422,
     "invalid_font_family"),
    ("font-family-escape", ("/designs/safe", {"params": [
        {"name": "t", "fontFamily": "serif\\3b fill:url(http://CANARY/x)"}]}), 422,
     "invalid_font_family"),
    ("invalid-utf8-in-json-string", ("/designs/safe", b'{"params": [{"name": "t", "text": "'
                                      b'\xff\xfe"}]}'), 400, "invalid_json"),
    ("nul-in-text", ("/designs/safe", {"params": [{"name": "t", "text": "a\u0000b"}]}), 422,
     "invalid_text"),
    ("image-url-fullwidth-host", ("/designs/safe", {"params": [
        {"name": "img", "imageUrl": "http://\uff43\uff41\uff4e\uff41\uff52\uff59.test/x.png"}]}),
     422, "invalid_image_url"),
    ("image-url-broken-ipv6", ("/designs/safe", {"params": [
        {"name": "img", "imageUrl": "http://[::1/x.png"}]}), 422, "invalid_image_url"),
    ("image-url-nat64-loopback", ("/designs/safe", {"params": [
        {"name": "img", "imageUrl": "http://[64:ff9b::7f00:1]/x.png"}]}), 422,
     "invalid_image_url"),
    ("image-url-ipv4-compatible-loopback", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://[::127.0.0.1]/x.png"}]}), 422,
     "invalid_image_url"),
    ("image-url-nat64-dotted-loopback", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://[64:ff9b::127.0.0.1]/x.png"}]}), 422,
     "invalid_image_url"),
    ("image-url-nat64-metadata", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/"}]}), 422,
     "invalid_image_url"),
    ("image-url-6to4-loopback", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://[2002:7f00:1::1]/x.png"}]}), 422,
     "invalid_image_url"),
    ("image-url-siit-loopback", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://[::ffff:0:7f00:1]/x.png"}]}), 422,
     "invalid_image_url"),
    ("image-url-teredo-loopback", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x.png"}]}), 422,
     "invalid_image_url"),
    ("image-url-decimal-loopback", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://2130706434/x.png"}]}), 422,
     "invalid_image_url"),
    ("image-url-short-loopback", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://127.2/x.png"}]}), 422,
     "invalid_image_url"),
    ("image-url-hex-loopback", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://0x7f000002/x.png"}]}), 422,
     "invalid_image_url"),
    ("image-url-octal-loopback", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://0177.0.0.2/x.png"}]}), 422,
     "invalid_image_url"),
    ("image-url-mapped-loopback", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "http://[::ffff:127.0.0.2]/x.png"}]}), 422,
     "invalid_image_url"),
    # Decoded in a worker process: the API process never holds its 40 MP.
    ("image-1bit-bomb-data-uri", ("/designs/safe", {"params": [
        {"name": "img", "imageUrl": png_1bit(6000, 6600)}]}), 201, None),
    ("autofit-10000-chars-tiny-box", ("/designs/safe", {"params": [
        {"name": "t", "text": "x " * 5000, "autoFit": True, "minFontSize": 1,
         "box": {"x": 0, "y": 0, "width": 1e-6, "height": 1e-6}}]}), 422, "invalid_param"),
    ("autofit-10000-chars-1px-box", ("/designs/safe", {"params": [
        {"name": "t", "text": "x " * 5000, "autoFit": True, "minFontSize": 1,
         "box": {"x": 0, "y": 0, "width": 1, "height": 1}}]}), 201, None),
    ("scale-4-large", ("/designs/large", {"scale": 4}), 422, "output_too_large"),
    ("traversal-files", ("GET", "/files/..%2F..%2F..%2Fetc%2Fpasswd"), 404, None),
    ("traversal-files-name", ("GET", "/files/..passwd"), 404, "file_not_found"),
    ("traversal-files-dots", ("GET", "/files/....//....//etc/passwd"), 404, None),
    ("traversal-template", ("/designs/..%2F..%2Fetc%2Fpasswd", {}), 404, None),
    ("malformed-json", ("/designs/safe", b"{\"params\": ["), 400, "invalid_json"),
    ("wrong-types", ("/designs/safe", {"params": "nope", "scale": "big"}), 422, "invalid_param"),
    ("wrong-nested-type", ("/designs/safe", {"params": [{"name": 5}]}), 422, "invalid_param"),
    ("big-body", ("/designs/safe", b"{\"metadata\": \"" + b"x" * (1024 * 1024 + 10) + b"\"}"),
     413, "body_too_large"),
    ("unknown-layer", ("/designs/safe", {"params": [{"name": "nope", "text": "x"}]}), 422,
     "unknown_layer"),
    ("text-10001", ("/designs/safe", {"params": [{"name": "t", "text": "x" * 10001}]}), 422,
     "text_too_long"),
    ("color-backtracking", ("/designs/safe", {"params": [{"name": "t", "color": "rgb(" +
                                                           " " * 50000}]}), 422, "invalid_color"),
    ("hsl-backtracking", ("/designs/safe", {"params": [{"name": "t", "color": "hsl(" +
                                                         "1," * 20000 + ")"}]}), 422,
     "invalid_color"),
    ("image-file-param", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                        "file://SECRET"}]}), 422,
     "invalid_image_url"),
    ("image-metadata-param", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                            "http://169.254.169.254/"}]}), 422,
     "invalid_image_url"),
    ("image-canary-param", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
                                                          "http://CANARY/img.png"}]}), 422,
     "invalid_image_url"),
    ("image-svg-with-file-href", ("/designs/safe", {"params": [{"name": "img", "imageUrl":
        "data:image/svg+xml," + "%3Csvg xmlns='http://www.w3.org/2000/svg' width='9' height='9'"
        "%3E%3Cimage href='file://SECRET' width='9' height='9'/%3E%3C/svg%3E"}]}), 201, None),
    ("too-many-params", ("/designs/safe", {"params": [{"name": "t"}] * 201}), 422,
     "too_many_params"),
    ("nan-opacity", ("/designs/safe", b'{"params": [{"name": "t", "opacity": NaN}]}'), 400,
     "invalid_json"),
    ("huge-font-size", ("/designs/safe", {"params": [{"name": "t", "fontSize": 1e308}]}), 422,
     "invalid_param"),
    ("svg-output-script", ("/designs/safe", {"format": "svg", "params": [
        {"name": "t", "text": "<script>alert(1)</script>"}]}), 201, None),
]
