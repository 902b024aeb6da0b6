"""Batches over a template set (POST /sets/{id}/batches): every CSV row rendered for every
member — rows × members files in one zip, each member's own size and pixels."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

from PIL import Image
from starlette.testclient import TestClient

from svgrender.api.app import create_app
from test_batches import wait_for

SIZES = {"social-card": (1200, 630), "social-square": (1080, 1080),
         "social-story": (1080, 1920)}


def test_a_csv_over_the_campaign_set_gives_three_files_per_row_and_one_zip(settings):
    csv = ("title.text,canvas.backgroundColor,price.text,fileName\n"
           "Spring sale,#0a84ff,$49,spring\n"
           "Summer sale,#ff3b30,$59,summer\n"
           "Autumn sale,#34c759,$69,\n")
    with TestClient(create_app(replace(settings, batch_concurrency=2))) as client:
        answer = client.post("/sets/campaign/batches?format=png", content=csv,
                             headers={"Content-Type": "text/csv"})
        assert answer.status_code == 202, answer.text
        started = answer.json()
        assert started["total"] == 9 and started["templateId"] == "set:campaign"
        status = wait_for(client, started["statusUrl"], seconds=120)
        assert (status["state"], status["done"], status["failed"]) == ("finished", 9, 0)
        archive = zipfile.ZipFile(io.BytesIO(client.get(started["zipUrl"]).content))
        names = archive.namelist()
        members = list(SIZES)
        assert names == [f"{stem}-{member}.png" for stem in ("spring", "summer", "000003")
                         for member in members]
        colours = {"spring": (10, 132, 255), "summer": (255, 59, 48), "000003": (52, 199, 89)}
        for name in names:
            stem, member = name[:-4].split("-", 1)
            picture = Image.open(io.BytesIO(archive.read(name))).convert("RGB")
            assert picture.size == SIZES[member], name
            assert picture.getpixel((5, 5)) == colours[stem], name  # this row's colour


def test_a_set_batch_column_no_member_has_is_refused_naming_it(client):
    bad = client.post("/sets/campaign/batches", content="titel.text\nx\n",
                      headers={"Content-Type": "text/csv"})
    assert bad.status_code == 422 and bad.json()["field"] == "titel.text"
    missing = client.post("/sets/nope/batches", content="title.text\nx\n",
                          headers={"Content-Type": "text/csv"})
    assert missing.status_code == 404 and "campaign" in missing.json()["message"]


def test_a_set_batch_as_one_combined_pdf_has_a_page_per_member(settings):
    from pypdf import PdfReader

    with TestClient(create_app(settings)) as client:
        answer = client.post("/sets/campaign/batches", json={
            "pdf": "combined", "rows": [{"params": [{"name": "title", "text": "Page per size"}]}]})
        assert answer.status_code == 202, answer.text
        status = wait_for(client, answer.json()["statusUrl"], seconds=120)
        assert status["done"] == 3
        pages = PdfReader(io.BytesIO(client.get(answer.json()["pdfUrl"]).content)).pages
        sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
                 for p in pages]
        assert sizes == [(round(w * .75), round(h * .75)) for w, h in SIZES.values()]
        assert all("Page per size" in page.extract_text() for page in pages)
