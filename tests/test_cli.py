import subprocess
import sys

import pytest
from PIL import Image

from helpers import CORPUS, ROOT
from pixels import close


def run(*args):
    return subprocess.run([sys.executable, "-m", "svgrender", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("template_id", ["social-card", "instagram-post", "certificate",
                                         "figma-export", "inkscape-export"])
def test_render_demo(tmp_path, template_id):
    out = tmp_path / "out.png"
    result = run("render", template_id, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert Image.open(out).size[0] > 100
    assert list(tmp_path.iterdir()) == [out]  # writes only OUT


def test_render_params_scale_and_format(tmp_path):
    out = tmp_path / "card.jpg"
    result = run("render", "social-card", "-o", str(out), "-p",
                 "canvas.backgroundColor=rgb(10,200,30)", "-p", "badge.hidden=true", "--scale", "2")
    assert result.returncode == 0, result.stderr
    image = Image.open(out)
    assert image.format == "JPEG" and image.size == (2400, 1260)
    assert close(image.getpixel((20, 20)), (10, 200, 30), 6)


def test_render_any_svg_path(tmp_path):
    svg = tmp_path / "any.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
                   '<rect width="40" height="20" fill="#ff0000"/></svg>')
    out = tmp_path / "any.png"
    assert run("render", str(svg), "-o", str(out)).returncode == 0
    assert close(Image.open(out).convert("RGB").getpixel((5, 5)), (255, 0, 0), 2)


def test_render_corpus_file(tmp_path):
    source = CORPUS / "figma-qvinciy" / "Frame_1.svg"
    if not source.exists():
        pytest.skip("shared corpus not present")
    out = tmp_path / "frame.png"
    result = run("render", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    image = Image.open(out).convert("RGB")
    assert len(image.getcolors(maxcolors=1 << 24)) > 10  # something was drawn


def test_bad_param_is_a_clear_error(tmp_path):
    result = run("render", "social-card", "-o", str(tmp_path / "x.png"), "-p", "ttle.text=x")
    assert result.returncode == 1 and "unknown_layer" in result.stderr


def test_templates_listing():
    result = run("templates")
    assert result.returncode == 0 and "social-card" in result.stdout
    layers = run("templates", "social-card")
    assert "title" in layers.stdout and "text" in layers.stdout


def test_serve_refuses_open_non_loopback():
    result = run("serve", "--host", "0.0.0.0", "--port", "9")
    assert result.returncode == 2 and "SVGRENDER_API_KEYS" in result.stderr


def test_render_has_a_deadline_and_a_memory_ceiling(tmp_path):
    """A file that would draw for minutes ends at --timeout with a clear error; one that
    needs more memory than the ceiling ends with memory_limit, not by taking the machine."""
    import os
    import time

    slow = tmp_path / "slow.svg"
    slow.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"><defs>'
                    '<filter id="b"><feGaussianBlur stdDeviation="40"/><feMorphology '
                    'operator="dilate" radius="30"/></filter><rect id="r" width="1200" '
                    'height="630" fill="#369" filter="url(#b)"/></defs>'
                    + "".join(f'<use href="#r" x="{i % 7}"/>' for i in range(400)) + "</svg>")
    env = {**os.environ, "SVGRENDER_MAX_EFFECT_WORK": "0"}  # let it really overrun
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "svgrender", "render", str(slow), "-o",
                           str(tmp_path / "out.png"), "--timeout", "2"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3 and "render_timeout" in done.stderr, done.stderr[-500:]
    assert time.monotonic() - started < 15
    assert not (tmp_path / "out.png").exists()
    big = tmp_path / "big.svg"
    big.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="6000" height="6000"><filter '
                   'id="b"><feGaussianBlur stdDeviation="3"/></filter><rect width="6000" '
                   'height="6000" fill="#369" filter="url(#b)"/></svg>')
    env = {**os.environ, "SVGRENDER_WORKER_MEMORY_LIMIT_MB": "400"}
    done = subprocess.run([sys.executable, "-m", "svgrender", "render", str(big), "-o",
                           str(tmp_path / "big.png")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and "memory_limit" in done.stderr, done.stderr[-500:]
