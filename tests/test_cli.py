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


# --- the templates folder: --templates, SVGRENDER_TEMPLATES_DIR, or a path; errors say where --

def run_in(folder, *args, env=None):
    """The CLI run from `folder` (not the checkout), as a user would from their own project."""
    import os

    environment = {k: v for k, v in os.environ.items() if k != "SVGRENDER_TEMPLATES_DIR"}
    return subprocess.run([sys.executable, "-m", "svgrender", *args], cwd=folder,
                          env={**environment, **(env or {})}, capture_output=True, text=True,
                          timeout=120)


def test_help_loads_no_drawing_code():
    """`svgrender --help` answers before cairo, Pango and CairoSVG load (a fraction of a
    second instead of one)."""
    probe = ("import sys; from svgrender.cli import build_parser; build_parser(); "
             "print(sorted(m for m in ('cairocffi', 'cairosvg', 'pangocffi', 'PIL', "
             "'svgrender.apply', 'svgrender.draw.text') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_help_lists_every_command():
    from svgrender.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert set(commands) == {"serve", "render", "templates", "link", "batch", "worker", "sweep",
                             "mcp"}
    shown = run("--help").stdout
    for name in commands:
        assert name in parser.description, name  # not "serve | render | templates"
        assert f"    {name}" in shown


def test_every_command_using_templates_takes_templates():
    for command in ("serve", "render", "templates", "link", "batch", "worker"):
        assert "--templates" in run(command, "--help").stdout, command


def test_templates_folder_from_the_option_or_the_environment(tmp_path):
    from helpers import TEMPLATES

    out = tmp_path / "card.png"
    done = run_in(tmp_path, "render", "social-card", "-o", str(out), "--templates", str(TEMPLATES))
    assert done.returncode == 0, done.stderr
    assert Image.open(out).size == (1200, 630)
    listed = run_in(tmp_path, "templates", env={"SVGRENDER_TEMPLATES_DIR": str(TEMPLATES)})
    assert listed.returncode == 0 and "social-card" in listed.stdout
    layers = run_in(tmp_path, "templates", "certificate", "--templates", str(TEMPLATES))
    assert "recipient" in layers.stdout, layers.stderr


def test_a_missing_template_says_where_it_looked_and_how_to_point_elsewhere(tmp_path):
    from helpers import TEMPLATES

    for args in (["render", "certificate", "-o", "x.png"], ["templates", "certificate"],
                 ["batch", "certificate", "rows.csv", "-o", "out"]):
        done = run_in(tmp_path, *args)
        assert done.returncode == 1 and "template_not_found" in done.stderr
        assert str(tmp_path / "templates") in done.stderr  # the folder, absolute
        assert "does not exist" in done.stderr
        assert "--templates" in done.stderr and "SVGRENDER_TEMPLATES_DIR" in done.stderr
    done = run_in(tmp_path, "render", "nope", "-o", "x.png", "--templates", str(TEMPLATES))
    assert f"no nope.svg in {TEMPLATES}" in done.stderr and "social-card" in done.stderr
    done = run_in(tmp_path, "render", "./nope.svg", "-o", "x.png")
    assert done.returncode == 1 and f"no SVG file at {tmp_path / 'nope.svg'}" in done.stderr
    listed = run_in(tmp_path, "templates")
    assert f"no templates in {tmp_path / 'templates'}" in listed.stderr


def test_a_missing_template_is_reported_before_fonts_and_seams_load(tmp_path, monkeypatch,
                                                                    capsys):
    """Nothing slow (fontconfig scanning fonts/, CairoSVG seams, worker processes) happens
    before the name is checked."""
    from svgrender import cli

    def slow(*args):
        raise AssertionError("loaded before the template was found")

    from svgrender.draw import fonts, seams

    monkeypatch.setattr(seams, "install", slow)
    monkeypatch.setattr(fonts, "add_font_dir", slow)
    monkeypatch.chdir(tmp_path)
    for args in (["render", "nope", "-o", "x.png"], ["batch", "nope", "rows.csv", "-o", "o"],
                 ["templates", "nope"], ["render", "nope.svg", "-o", "x.png"]):
        assert cli.main(args) == 1
        assert "template_not_found" in capsys.readouterr().err
