"""The format registry is the one place a format is added: validation, drawing, storage names
and `/files/` media types all follow it."""

import io

from PIL import Image

from svgrender import formats
from svgrender.formats import FORMATS, Format, lookup


def test_aliases_and_media_types():
    assert lookup("JPG") is FORMATS["jpeg"] and lookup("bmp") is None
    assert formats.media_type("0123456789-thumb.png") == "image/png"
    assert FORMATS["pdf"].thumbnail is FORMATS["png"] and FORMATS["webp"].thumbnail.name == "webp"


def encode_tiff(surface, settings):
    from svgrender.io.encode import surface_to_image

    out = io.BytesIO()
    surface_to_image(surface, opaque=False).save(out, "TIFF")
    return out.getvalue()


def test_a_new_format_is_one_entry(client, monkeypatch):
    tiff = Format("tiff", "image/tiff", aliases=("tif",), encode=encode_tiff)
    monkeypatch.setitem(FORMATS, "tiff", tiff)
    monkeypatch.setitem(formats.BY_NAME, "tiff", tiff)
    monkeypatch.setitem(formats.BY_NAME, "tif", tiff)
    answer = client.post("/designs/social-card", json={"format": "tif"}).json()
    assert answer["fileName"].endswith(".tiff")
    response = client.get(answer["imageUrl"])
    assert response.headers["content-type"] == "image/tiff"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "TIFF" and image.size == (1200, 630)
    thumb = client.get(answer["thumbnailUrl"])
    assert Image.open(io.BytesIO(thumb.content)).size == (400, 210)


def test_pdf_keeps_template_text_as_text(client):
    """Raster outputs fill small text from its outlines (placed as Chromium places it); a PDF
    keeps real, selectable text — the words can be extracted from it."""
    import pypdf

    answer = client.post("/designs/social-card", json={"format": "pdf"})
    assert answer.status_code == 201, answer.text
    pdf = pypdf.PdfReader(io.BytesIO(client.get(answer.json()["imageUrl"]).content))
    words = pdf.pages[0].extract_text()
    assert "Ten days of fjords, glaciers and hot springs" in words and "$1,299" in words


def test_avif_answers_decode_at_their_sizes_with_the_colours_asked(client):
    answer = client.post("/designs/social-card", json={
        "format": "avif", "params": [{"name": "canvas", "backgroundColor": "#0a84ff"}]}).json()
    assert answer["fileName"].endswith(".avif")
    sizes = []
    for key in ("imageUrl", "thumbnailUrl", "retinaThumbnailUrl"):
        response = client.get(answer[key])
        assert response.headers["content-type"] == "image/avif"
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "AVIF"
        sizes.append(image.size)
        if key == "imageUrl":
            r, g, b = image.convert("RGB").getpixel((8, 8))
            assert abs(r - 0x0a) <= 6 and abs(g - 0x84) <= 6 and abs(b - 0xff) <= 6
    assert sizes == [(1200, 630), (400, 210), (800, 420)]


def test_accept_picks_a_render_links_auto_format():
    from svgrender.formats import negotiate

    chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
    assert negotiate(chrome) == "avif"
    assert negotiate("image/webp,*/*") == "webp"
    assert negotiate("image/avif;q=0, image/webp;q=0.5") == "webp"
    assert negotiate("*/*") == negotiate("") == "jpeg"
