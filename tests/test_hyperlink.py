"""`href` on a layer: a link annotation over the layer in PDF output, an <a> around it in SVG
output, no change to raster pixels; only absolute http(s) URLs."""

from __future__ import annotations

import io

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

SVG = "{http://www.w3.org/2000/svg}"
BUY = "https://example.com/buy?item=7&from='card'"


def _stored(client, body, template="social-card"):
    answer = client.post(f"/designs/{template}", json=body)
    assert answer.status_code == 201, answer.text
    return client.get(answer.json()["imageUrl"]).content


def _links(page) -> dict[str, list[float]]:
    links = {}
    for annotation in page.get("/Annots", []):
        annotation = annotation.get_object()
        assert annotation["/Subtype"] == "/Link"
        links[annotation["/A"]["/URI"]] = [float(v) for v in annotation["/Rect"]]
    return links


def test_a_layer_href_is_a_link_annotation_over_the_layer_in_pdf(client):
    data = _stored(client, {"format": "pdf", "params": [
        {"name": "badge", "href": BUY}, {"name": "title", "href": "http://example.org/t"}]})
    page = PdfReader(io.BytesIO(data)).pages[0]
    links = _links(page)
    assert set(links) == {BUY, "http://example.org/t"}
    # The badge is x 590-830, y 440-530 in px: points are 0.75 px, y up from the bottom.
    left, bottom, right, top = links[BUY]
    height = float(page.mediabox.height)
    assert left == pytest.approx(590 * .75, abs=2) and right == pytest.approx(830 * .75, abs=2)
    assert top == pytest.approx(height - 440 * .75, abs=2)
    assert bottom == pytest.approx(height - 530 * .75, abs=2)
    assert "Explore New Zealand" in page.extract_text()  # the text stays text


def test_each_page_of_a_multi_page_pdf_keeps_its_own_link(client):
    data = _stored(client, {"format": "pdf", "pages": [
        {"params": [{"name": "recipient", "text": f"P{n}",
                     "href": f"https://example.com/p/{n}"}]} for n in range(3)]},
        template="certificate")
    pages = PdfReader(io.BytesIO(data)).pages
    assert [list(_links(p)) for p in pages] == [[f"https://example.com/p/{n}"]
                                                for n in range(3)]


def test_a_layer_href_wraps_the_layer_in_an_a_in_svg_output(client):
    root = etree.fromstring(_stored(client, {"format": "svg", "params": [
        {"name": "badge", "href": BUY}]}))
    (link,) = root.iter(f"{SVG}a")
    assert link.get("href") == BUY
    assert [child.get("id") for child in link] == ["badge"]


def test_a_link_changes_no_pixel(client):
    plain = _stored(client, {"format": "png"})
    linked = _stored(client, {"format": "png", "params": [
        {"name": "badge", "href": BUY}, {"name": "price", "href": BUY}]})
    assert Image.open(io.BytesIO(plain)).tobytes() == Image.open(io.BytesIO(linked)).tobytes()


@pytest.mark.parametrize("href", ["javascript:alert(1)", "file:///etc/passwd", "/relative",
                                  "https://", "data:text/html,x", "https://a b.com/",
                                  "mailto:a@example.com", "https://x.com/" + "a" * 2000])
def test_only_http_urls_are_links(client, href):
    answer = client.post("/designs/social-card", json={"format": "pdf", "params": [
        {"name": "badge", "href": href}]})
    assert answer.status_code == 422, answer.text
    assert answer.json()["layer"] == "badge" and answer.json()["field"] == "href"
