"""Uploaded templates go to the storage (here the local data folder), never into the operator's
templates folder: the folder is unchanged after uploads, renames and box saves, and the uploads
are served again by a restarted service on the same storage."""

from __future__ import annotations

import io
import shutil

import httpx
from PIL import Image

from helpers import TEMPLATES
from live import served

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
       b'<rect width="200" height="100" fill="#ff0000"/>'
       b'<circle cx="100" cy="50" r="30" fill="#0000ff"/></svg>')


def snapshot(folder) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
            for p in folder.rglob("*") if p.is_file()}


def test_uploads_go_to_the_storage_and_survive_a_restart(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    before = snapshot(templates)
    env = {"SVGRENDER_TEMPLATES_DIR": str(templates),
           "SVGRENDER_STORAGE_DIR": str(tmp_path / "data")}
    with served(env) as url:
        answer = httpx.post(f"{url}/templates?name=Dots", content=SVG,
                            headers={"Content-Type": "image/svg+xml"})
        assert answer.status_code == 201, answer.text
        uploaded = answer.json()["id"]
        circle = next(u for u in answer.json()["unnamed"] if u["width"] == 60)
        named = httpx.post(f"{url}/templates/{uploaded}/layers",
                           json={"path": circle["path"], "name": "dot"})
        assert named.status_code == 201, named.text
        assert httpx.put(f"{url}/templates/copy-card",
                         content=(TEMPLATES / "social-card.svg").read_bytes(),
                         headers={"Content-Type": "image/svg+xml"}).status_code == 200
        # The operator's own template is still read-only (403 naming the template id).
        refused = httpx.put(f"{url}/templates/social-card", content=SVG,
                            headers={"Content-Type": "image/svg+xml"})
        assert refused.status_code == 403 and refused.json()["field"] == "templateId"
    assert snapshot(templates) == before  # the checkout's templates/ is as it came
    stored = sorted(p.name for p in (tmp_path / "data" / "_templates").iterdir())
    assert f"{uploaded}.svg" in stored and "copy-card.svg" in stored
    with served(env) as url:  # a restart on the same storage
        listed = {t["id"] for t in httpx.get(f"{url}/templates").json()}
        assert {uploaded, "copy-card", "social-card"} <= listed
        detail = httpx.get(f"{url}/templates/{uploaded}").json()
        assert "dot" in [layer["name"] for layer in detail["layers"]]
        shot = httpx.post(f"{url}/designs/{uploaded}/preview",
                          json={"format": "png", "params": [{"name": "dot", "color": "#00ff00"}]})
        assert shot.status_code == 200, shot.text
        image = Image.open(io.BytesIO(shot.content)).convert("RGB")
        width, height = image.size
        assert image.getpixel((width // 2, height // 2)) == (0, 255, 0)  # the circle, recoloured
        assert image.getpixel((width // 20, height // 10)) == (255, 0, 0)
        # Uploads may be deleted; the operator's templates may not.
        assert httpx.delete(f"{url}/templates/copy-card").status_code == 204
        assert httpx.delete(f"{url}/templates/social-card").status_code == 403
    assert snapshot(templates) == before


def test_uploads_of_an_earlier_version_in_the_folder_still_count_as_uploaded(tmp_path):
    from svgrender.settings import Settings
    from svgrender.templates.store import TemplateStore

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "old.svg").write_bytes(SVG)  # uploaded into the folder by an earlier version
    (folder / ".uploaded.json").write_text('["old"]')
    (folder / "own.svg").write_bytes(SVG)  # the operator's
    store = TemplateStore.for_settings(Settings(templates_dir=folder,
                                                storage_dir=tmp_path / "data"))
    store.check_writable("old")  # no 403: it was uploaded
    store.save("new", SVG)
    assert store.uploaded() >= {"old", "new"}
    assert (tmp_path / "data" / "_templates" / "new.svg").is_file()
    assert not (folder / "new.svg").exists()
    store.delete("old")  # gone for good, not only its copy in the storage
    assert "old" not in store.ids() and not (folder / "old.svg").exists()
    assert sorted(store.ids()) == ["new", "own"]


def test_the_name_asked_for_wins_over_the_files_own_title(client):
    """Illustrator writes `<title>Artboard 1</title>` into every export: `?name=` names the
    uploaded template all the same; without it the file's title is its name."""
    titled = SVG.replace(b'height="100">', b'height="100"><title>Artboard 1</title>', 1)
    named = client.post("/templates?name=Spring sale", content=titled,
                        headers={"Content-Type": "image/svg+xml"})
    assert named.status_code == 201, named.text
    assert named.json()["name"] == "Spring sale"
    assert client.get(f"/templates/{named.json()['id']}").json()["name"] == "Spring sale"
    unnamed = client.post("/templates", content=titled, headers={"Content-Type": "image/svg+xml"})
    assert unnamed.json()["name"] == "Artboard 1"
    plain = client.post("/templates?name=Dots", content=SVG,
                        headers={"Content-Type": "image/svg+xml"})
    assert plain.json()["name"] == "Dots"
