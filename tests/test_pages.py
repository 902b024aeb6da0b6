"""Multi-page PDF: one request, one vector PDF with a page per entry of `pages`."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader


def test_ten_certificates_in_one_pdf(client):
    names = [f"Attendee Number {i}" for i in range(10)]
    answer = client.post("/designs/certificate", json={
        "format": "pdf", "metadata": "Certificates 2026",
        "params": [{"name": "course", "text": "has completed the course Typography 101"}],
        "pages": [{"params": [{"name": "recipient", "text": n}]} for n in names]})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["fileName"].endswith(".pdf")
    data = client.get(body["imageUrl"]).content
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 10 and reader.metadata.title == "Certificates 2026"
    for page, name in zip(reader.pages, names):
        words = page.extract_text()
        assert name in words and "Typography 101" in words  # its own and the shared words
    assert set(body["layout"]) == {"course", "recipient"} | {
        f"{layer}@page{n}" for layer in ("course", "recipient") for n in range(2, 11)}
    thumb = Image.open(io.BytesIO(client.get(body["thumbnailUrl"]).content))
    assert thumb.format == "PNG" and thumb.size == (400, 283)  # page 1's
    one = client.post("/designs/certificate", json={"format": "pdf", "params": [
        {"name": "recipient", "text": names[0]}]}).json()
    single = client.get(one["imageUrl"]).content
    assert len(data) <= 1.2 * 10 * len(single)
    # The measure: fonts aside, ten pages cost at most 1.2 × ten single pages.
    assert len(data) - _font_bytes(data) <= 1.2 * 10 * (len(single) - _font_bytes(single))
    assert _font_bytes(single) > 1000  # the fonts are embedded (subset), so this is a check


def _font_bytes(data: bytes) -> int:
    """Bytes of the embedded font programs (each counted once)."""
    seen, total = set(), 0
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = part.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor and descriptor.raw_get(key).idnum not in seen:
                        seen.add(descriptor.raw_get(key).idnum)
                        total += len(descriptor[key].get_object()._data)
    return total


def test_bad_pages_are_refused_naming_the_page(client):
    png = client.post("/designs/certificate", json={"format": "png", "pages": [{}]})
    assert png.status_code == 422 and png.json()["code"] == "pages_need_pdf"
    many = client.post("/designs/certificate", json={"format": "pdf", "pages": [{}] * 51})
    assert many.status_code == 422 and many.json()["code"] == "too_many_pages"
    typo = client.post("/designs/certificate", json={"format": "pdf", "pages": [
        {}, {"params": [{"name": "recipiant", "text": "x"}]}]})
    assert typo.status_code == 422 and typo.json()["message"].startswith("page 2:")
    assert typo.json()["field"].startswith("pages[1]")
    image = client.post("/designs/social-card", json={"format": "pdf", "pages": [
        {"params": [{"name": "image", "imageUrl": "https://example.com/a.jpg"}]}]})
    assert image.status_code == 422 and image.json()["field"] == "pages[0].imageUrl"
