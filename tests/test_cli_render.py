"""`svgrender render a.svg b.svg … -o DIR/` (svgrender/cli_render.py): many templates in one
process, each reported on its own; and what the one-off render leaves out (thumbnails, the
C parsing at start-up) leaves its pixels alone."""

import json
import os
import subprocess
import sys

from PIL import Image

from helpers import ROOT, TEMPLATES
from pixels import close

RED, GREEN, BLUE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)


def run(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "svgrender", "render", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=180,
                          env={**os.environ, **(env or {})})


def card(folder, name, width, height, background, mark_at):
    """A card with a background layer and a 10×10 `mark` layer at `mark_at`."""
    path = folder / f"{name}.svg"
    x, y = mark_at
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
                    f'<rect id="bg" width="{width}" height="{height}" fill="rgb{background}"/>'
                    f'<rect id="mark" x="{x}" y="{y}" width="10" height="10" fill="#0000ff"/>'
                    '</svg>')
    return path


def errors(stderr: str) -> list[dict]:
    return [json.loads(line.removeprefix("error: ")) for line in stderr.splitlines()
            if line.startswith("error: ")]


def test_many_templates_into_a_folder_with_the_same_params(tmp_path):
    a = card(tmp_path, "a", 40, 20, RED, (30, 10))
    b = card(tmp_path, "b", 30, 30, GREEN, (0, 0))
    out = tmp_path / "out"  # made: it does not exist yet
    done = run(str(a), str(b), "social-card", "-o", f"{out}/", "-p", "mark.color=#ffff00",
               "--templates", str(tmp_path / "none"), cwd=tmp_path)
    # social-card is not in the (missing) templates folder: reported, the others drawn
    assert done.returncode == 1
    assert [e["file"] for e in errors(done.stderr)] == ["social-card"]
    assert errors(done.stderr)[0]["code"] == "template_not_found"
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.png"]
    first, second = (Image.open(out / name) for name in ("a.png", "b.png"))
    assert first.format == second.format == "PNG"
    assert first.size == (40, 20) and second.size == (30, 30)
    first, second = first.convert("RGB"), second.convert("RGB")
    assert close(first.getpixel((35, 15)), YELLOW, 2)  # -p reached both marks
    assert close(first.getpixel((5, 5)), RED, 2)
    assert close(second.getpixel((5, 5)), YELLOW, 2)
    assert close(second.getpixel((25, 25)), GREEN, 2)
    assert f"{out / 'a.png'}: 40×20 png" in done.stdout


def test_a_missing_or_broken_file_is_named_and_the_others_still_render(tmp_path):
    good = card(tmp_path, "good", 20, 20, BLUE, (0, 0))
    broken = tmp_path / "broken.svg"
    broken.write_text("<svg")
    done = run(str(broken), str(tmp_path / "missing.svg"), str(good), "-o", str(tmp_path / "o"),
               "--format", "jpeg")
    assert done.returncode == 1
    reported = {e["file"]: e["code"] for e in errors(done.stderr)}
    assert reported == {str(broken): "template_invalid",
                        str(tmp_path / "missing.svg"): "template_not_found"}
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["good.jpeg"]
    image = Image.open(tmp_path / "o" / "good.jpeg")
    assert image.format == "JPEG" and image.size == (20, 20)
    assert close(image.convert("RGB").getpixel((15, 15)), BLUE, 8)


def test_several_templates_need_a_folder(tmp_path):
    a = card(tmp_path, "a", 20, 20, RED, (0, 0))
    b = card(tmp_path, "b", 20, 20, RED, (0, 0))
    existing = tmp_path / "taken.png"
    existing.write_bytes(b"not mine to overwrite")
    for output, says in ((existing, "this is a file"), (tmp_path / "new.png", "new.png/")):
        done = run(str(a), str(b), "-o", str(output))
        assert done.returncode == 1
        (error,) = errors(done.stderr)
        assert error["field"] == "output" and "must be a folder" in error["message"]
        assert says in error["message"]
    assert existing.read_bytes() == b"not mine to overwrite"
    assert not (tmp_path / "new.png").exists()
    other = tmp_path / "other"
    other.mkdir()
    twin = card(other, "a", 20, 20, RED, (0, 0))
    done = run(str(a), str(twin), "-o", str(tmp_path / "out"))
    assert done.returncode == 1 and "would both be written to" in done.stderr
    assert not (tmp_path / "out").exists()


def test_one_template_into_an_existing_folder(tmp_path):
    (tmp_path / "out").mkdir()
    done = run("social-card", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "out" / "social-card.png").size == (1200, 630)


def test_the_cli_image_is_the_services_image_without_thumbnails():
    """The CLI draws only the image: the same bytes as the first of the service's three."""
    from svgrender.draw import seams
    from svgrender.params import LayerParam, RenderRequest
    from svgrender.render import render
    from svgrender.settings import Settings
    from svgrender.templates.store import TemplateStore

    seams.install()
    settings = Settings(templates_dir=TEMPLATES)
    template = TemplateStore.for_settings(settings).valid("social-card")
    for fmt in ("png", "jpeg"):
        request = RenderRequest(params=[LayerParam(name="title", text="Only the image")],
                                format=fmt)
        full = render(template, request, settings)
        alone = render(template, request, settings, thumbnails=False)
        assert len(full.files) == 3 and len(alone.files) == 1
        assert alone.files[0].data == full.files[0].data
        assert (alone.width, alone.height) == (full.width, full.height) == (1200, 630)


def test_pre_parsed_bindings_draw_the_same_bytes(tmp_path):
    """The cffi modules generated in the cache folder stand in for the packages' own parsed
    declarations (draw/bindings.py): generated on the first run, used on the next, and the
    text-heavy cards come out byte for byte as with the packages' own FFIs."""
    probe = ("import sys; from svgrender.draw import bindings; used = bindings.install(); "
             "import cairocffi, pangocffi; print(used, type(cairocffi.ffi).__module__, "
             "type(pangocffi.ffi).__module__)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def probe_run():
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              env=env, check=True, timeout=120).stdout.split()

    assert probe_run() == ["False", "cffi.api", "cffi.api"]  # generated, not used yet
    assert probe_run() == ["True", "_cffi_backend", "_cffi_backend"]
    names = ["social-card", "certificate", "instagram-post"]
    fast = run(*names, "-o", str(tmp_path / "fast"),
               env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert fast.returncode == 0, fast.stderr
    # The same cards drawn by a process whose cairocffi and Pango parsed their own C
    slow = subprocess.run(
        [sys.executable, "-c", "import cairocffi, pangocffi, pangocairocffi, sys; "
         "from svgrender.cli import main; sys.exit(main(sys.argv[1:]))", "render", *names,
         "-o", str(tmp_path / "slow")], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert slow.returncode == 0, slow.stderr
    for name in names:
        ours = (tmp_path / "fast" / f"{name}.png").read_bytes()
        assert ours == (tmp_path / "slow" / f"{name}.png").read_bytes(), name
        assert Image.open(tmp_path / "fast" / f"{name}.png").size[0] > 1000
    (folder,) = (tmp_path / "cache" / "svgrender").iterdir()
    assert "libcairo.so.2" in (folder / "libraries.json").read_text()
    # A broken cache file: the packages parse their own C as before, nothing fails
    (folder / "_svgrender_cffi_pango.py").write_text("raise ImportError('truncated')")
    assert probe_run() == ["False", "cffi.api", "cffi.api"]


def test_bindings_step_aside_when_cairocffi_is_loaded_already(tmp_path, monkeypatch):
    import cairocffi  # noqa: F401 (this test process draws with the packages' own FFIs)

    from svgrender.draw import bindings

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert bindings.install() is False
    assert not (tmp_path / "svgrender").exists()  # nothing generated, nothing replaced


def test_an_unwritable_cache_costs_nothing_but_the_speed(tmp_path):
    """No cache folder can be made (here the path is a file): the packages parse their own C
    once, as before, and a render is the same."""
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    probe = ("import sys; from svgrender.draw import bindings; used = bindings.install(); "
             "print(used, 'cairocffi' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "XDG_CACHE_HOME": str(blocked)}, timeout=120)
    assert done.stdout.split() == ["False", "True"], done.stderr  # loaded once, kept
    out = tmp_path / "card.png"
    rendered = run("social-card", "-o", str(out), env={"XDG_CACHE_HOME": str(blocked)})
    assert rendered.returncode == 0, rendered.stderr
    assert Image.open(out).size == (1200, 630)
