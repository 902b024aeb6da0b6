"""svgrender.client against a real `svgrender serve` on loopback: every method, errors, waits."""

from __future__ import annotations

import asyncio
import io
import logging
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from svgrender.client import (ApiError, AsyncClient, BatchStatus, Client, LayerParam, Pending,
                              Rendered, RenderRequest, TemplateInfo)
from tests.live import served

TEMPLATES = Path(__file__).parent.parent / "templates"
ADMIN, RENDER_ONLY, LINK_KEY = "admin-key-1", "render-key-1", "client-link-key"
UNNAMED_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
               '<rect width="200" height="100" fill="#fff"/>'
               '<text id="title" x="10" y="50" font-size="20">Hi</text>'
               '<circle cx="150" cy="50" r="30" fill="#f00"/></svg>')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("client")
    shutil.copytree(TEMPLATES, tmp / "templates")
    with served({"SVGRENDER_TEMPLATES_DIR": str(tmp / "templates"),
                 "SVGRENDER_STORAGE_DIR": str(tmp / "images"),
                 "SVGRENDER_API_KEYS": RENDER_ONLY, "SVGRENDER_ADMIN_KEYS": ADMIN,
                 "SVGRENDER_LINK_KEYS": LINK_KEY}) as url:
        yield url


@pytest.fixture
def client(server):
    with Client(server, ADMIN, link_key=LINK_KEY) as c:
        yield c


def test_templates_list_and_show(client):
    listed = {t.id: t for t in client.templates()}
    assert listed["social-card"].valid and listed["social-card"].width == 1200
    assert listed["social-card"].version
    card = client.template("social-card")
    assert isinstance(card, TemplateInfo)
    title = next(layer for layer in card.layers if layer.name == "title")
    assert title.type == "text" and "text" in title.properties and title.text
    assert client.template_json("social-card")["id"] == "social-card"


def test_upload_name_a_layer_and_delete(client):
    uploaded = client.upload_template(UNNAMED_SVG, name="Client test")
    assert uploaded.name == "Client test"
    assert [layer.name for layer in uploaded.layers if layer.type == "text"] == ["title"]
    circle = next(u for u in uploaded.unnamed if u["type"] == "shape")
    named = client.name_layer(uploaded.id, circle["path"], "dot")
    assert "dot" in [layer.name for layer in named.layers]
    replaced = client.upload_template(UNNAMED_SVG.replace("Hi", "Hello"),
                                      template_id=uploaded.id)
    assert next(layer for layer in replaced.layers if layer.name == "title").text == "Hello"
    client.delete_template(uploaded.id)
    with pytest.raises(ApiError) as caught:
        client.template(uploaded.id)
    assert caught.value.status == 404 and caught.value.code == "template_not_found"


def test_render_file_and_delete_image(client):
    answer = client.render("social-card", {"title": {"text": "From the client"}},
                           format="png", metadata="order-1")
    assert isinstance(answer, Rendered)
    assert (answer.width, answer.height, answer.metadata) == (1200, 630, "order-1")
    image = Image.open(io.BytesIO(client.file(answer.imageUrl)))
    assert image.format == "PNG" and image.size == (1200, 630)
    assert client.file(answer.thumbnailUrl)[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.image(answer.id).imageUrl == answer.imageUrl
    client.delete_image(answer.id)
    with pytest.raises(ApiError) as caught:
        client.image(answer.id)
    assert caught.value.code == "image_not_found"


def test_render_takes_the_servers_own_structs(client):
    request = RenderRequest(params=[LayerParam(name="price", text="$5")], format="jpeg")
    answer = client.render_request("social-card", request)
    assert answer.fileName.endswith(".jpeg")
    again = client.render("social-card", [LayerParam(name="price", text="$5")])
    assert again.fileName.endswith(".jpeg")


def test_bad_colour_names_the_layer_and_field(client):
    with pytest.raises(ApiError) as caught:
        client.render("social-card", {"title": {"color": "not-a-colour"}})
    error = caught.value
    assert error.status == 422 and error.code == "invalid_color"
    assert error.layer == "title" and error.field and "color" in error.field
    assert "not-a-colour" in error.message


def test_render_only_key_is_refused_uploads(server):
    with Client(server, RENDER_ONLY) as client:
        assert client.templates()
        with pytest.raises(ApiError) as caught:
            client.upload_template(UNNAMED_SVG)
    assert caught.value.status == 403 and caught.value.code == "admin_key_required"
    with Client(server, "wrong") as client, pytest.raises(ApiError) as caught:
        client.templates()
    assert caught.value.status == 401 and caught.value.code == "unauthorized"


def test_async_render_and_wait(client):
    pending = client.render_async("social-card", {"title": {"text": "Later"}}, format="png")
    assert isinstance(pending, Pending) and pending.state == "queued"
    done = client.wait(pending, timeout=60)
    assert isinstance(done, Rendered) and done.id == pending.id
    assert client.file(done.imageUrl)[:4] == b"\x89PNG"


def test_async_client_renders_and_waits(server):
    async def main():
        async with AsyncClient(server, ADMIN) as client:
            assert any(t.id == "social-card" for t in await client.templates())
            pending = await client.render_async("social-card", {"price": {"text": "$1"}})
            done = await client.wait(pending.id, timeout=60)
            statuses = []
            batch = await client.submit_batch("social-card", [{"price.text": "$2"}])
            async for status in client.progress(batch.id, interval=0.1, timeout=60):
                statuses.append(status)
            with pytest.raises(ApiError) as caught:
                await client.render("social-card", {"nope": {"text": "x"}})
            return done, statuses, caught.value

    done, statuses, error = asyncio.run(main())
    assert isinstance(done, Rendered) and done.fileName.endswith(".jpeg")
    assert statuses[-1].finished and statuses[-1].done == 1
    assert error.code == "unknown_layer" and error.layer == "nope"


def test_links_signed_locally_equal_the_servers(client):
    params = {"title": {"text": "Hello, World!"}, "canvas": {"backgroundColor": "#0a84ff"}}
    made = client.link("social-card", params, format="png")
    local = client.sign_link("social-card", params, format="png")
    assert local == {"url": made.url, "thumbnailUrl": made.thumbnailUrl,
                     "retinaThumbnailUrl": made.retinaThumbnailUrl}
    pinned = client.link("social-card", params, format="png", scale=2, pin=True)
    assert pinned.pinned and f"v={pinned.templateVersion}" in pinned.url
    assert client.sign_link("social-card", params, format="png", scale=2,
                            version=pinned.templateVersion)["url"] == pinned.url
    import httpx
    served_link = httpx.get(local["thumbnailUrl"], timeout=60)
    assert served_link.status_code == 200 and served_link.content[:4] == b"\x89PNG"


def test_batch_csv_progress_zip_and_pdf(client, tmp_path):
    csv_text = "title.text,fileName\nFirst,one\nSecond,two\nThird,three\n"
    batch = client.submit_batch("social-card", csv_text, format="png")
    assert isinstance(batch, BatchStatus) and batch.total == 3
    seen = list(client.progress(batch.id, interval=0.1, timeout=120))
    assert seen[-1].finished and seen[-1].done == 3 and seen[-1].failed == 0
    assert [s.done for s in seen] == sorted(s.done for s in seen)
    with zipfile.ZipFile(io.BytesIO(client.batch_zip(batch.id))) as archive:
        assert archive.namelist() == ["one.png", "two.png", "three.png"]
    rows = tmp_path / "rows.json"
    rows.write_text('[{"params": [{"name": "title", "text": "A"}]},'
                    ' {"params": [{"name": "title", "text": "B"}]}]')
    combined = client.submit_batch("social-card", rows, pdf=True)
    assert list(client.progress(combined.id, interval=0.1, timeout=120))[-1].done == 2
    assert client.batch_pdf(combined.id)[:5] == b"%PDF-"


def test_batch_row_errors_and_cancel(client):
    batch = client.submit_batch("social-card", [
        {"params": [{"name": "title", "color": "nope"}]},
        *({"params": [{"name": "title", "text": f"row {n}"}]} for n in range(30))])
    cancelled = client.cancel_batch(batch.id)
    assert cancelled.id == batch.id
    final = list(client.progress(batch.id, interval=0.1, timeout=120))[-1]
    assert final.finished and final.failed >= 1
    assert final.done + final.failed + final.cancelled == 31
    assert final.errors[0]["row"] == 1 and final.errors[0]["code"] == "invalid_color"
    with pytest.raises(ApiError) as caught:
        client.batch("no-such-batch")
    assert caught.value.code == "batch_not_found"


def test_connection_errors_are_api_errors():
    with Client("http://127.0.0.1:9", retries=0) as client, pytest.raises(ApiError) as caught:
        client.templates()
    assert caught.value.code == "connection_error" and caught.value.status == 0


def test_cli_runs_against_a_server(server, tmp_path, capsys):
    from svgrender.cli import main

    remote = ["--server", server, "--key", ADMIN]
    out = tmp_path / "card.png"
    assert main(["render", "social-card", "-o", str(out), "-p", "title.text=Remote",
                 *remote]) == 0
    assert Image.open(out).size == (1200, 630)
    assert main(["templates", *remote]) == 0
    assert "social-card" in capsys.readouterr().out
    assert main(["templates", "social-card", *remote]) == 0
    assert "title" in capsys.readouterr().out
    rows = tmp_path / "rows.csv"
    rows.write_text("title.text,fileName\nOne,one\nTwo,two\n")
    assert main(["batch", "social-card", str(rows), "-o", str(tmp_path / "out"), "--format",
                 "png", "--zip", str(tmp_path / "all.zip"), *remote]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["one.png", "two.png"]
    assert zipfile.is_zipfile(tmp_path / "all.zip")
    assert main(["render", "social-card", "-o", str(out), "-p", "title.color=nope",
                 *remote]) == 1
    assert '"code": "invalid_color"' in capsys.readouterr().err
    # The HTTP client's per-request INFO lines stay out of a one-off command's output.
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


def test_cli_renders_many_templates_against_a_server(server, tmp_path, capsys):
    """`render a b -o DIR/ --server URL`: one request per template, written like a local run."""
    from svgrender.cli import main

    out = tmp_path / "many"
    assert main(["render", "social-card", "certificate", "-o", f"{out}/", "--format", "jpeg",
                 "-p", "canvas.backgroundColor=rgb(10,200,30)", "--server", server,
                 "--key", ADMIN]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["certificate.jpeg", "social-card.jpeg"]
    card = Image.open(out / "social-card.jpeg")
    assert card.format == "JPEG" and card.size == (1200, 630)
    assert Image.open(out / "certificate.jpeg").size == (1123, 794)
    assert sum(abs(a - b) for a, b in zip(card.getpixel((20, 20)), (10, 200, 30))) < 20
    assert capsys.readouterr().out.count(f"{out}/") == 2
    assert main(["render", "nope", "social-card", "-o", str(tmp_path / "again"), "--server",
                 server, "--key", ADMIN]) == 1
    assert '"file": "nope"' in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "again").iterdir()] == ["social-card.png"]


def test_variants_and_pages(client):
    answer = client.render_variants("social-card", {
        "en": {"title": {"text": "Explore New Zealand"}},
        "de": {"title": {"text": "Entdecken Sie Neuseeland " * 6, "maxLines": 1}}},
        {"canvas": {"backgroundColor": "#ffffff"}}, format="png")
    assert [v.key for v in answer.variants] == ["en", "de"]
    assert answer["en"].layout["title"]["cut"] is False
    assert answer["de"].layout["title"]["cut"] is True and answer["de"].warnings
    assert Image.open(io.BytesIO(client.file(answer["de"].imageUrl))).size == (1200, 630)
    pdf = client.render_pages("certificate", [{"recipient": {"text": "Ada Lovelace"}},
                                              {"recipient": {"text": "Alan Turing"}}],
                              metadata="Two certificates")
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(client.file(pdf.imageUrl)))
    assert len(reader.pages) == 2 and "Alan Turing" in reader.pages[1].extract_text()


def test_animation_and_set(client):
    gif = client.render_animation("social-card", [({"price": {"text": f"${n}"}}, 200 + n * 100)
                                                  for n in range(3)],
                                  {"canvas": {"backgroundColor": "#0a84ff"}})
    image = Image.open(io.BytesIO(client.file(gif.imageUrl)))
    assert image.format == "GIF" and image.n_frames == 3
    launch = client.render_set("launch", {"title": {"text": "Spring sale"}}, format="png")
    assert [m.templateId for m in launch.images] == ["social-card", "instagram-post",
                                                     "product-card"]
    assert launch["instagram-post"].skipped == ["title"] and not launch["social-card"].skipped
