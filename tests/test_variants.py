"""One request, one image per variant: a design localised into five languages in one call, each
with its fit report, right-to-left where the language is; errors name the variant."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

TITLES = {"en": "Explore New Zealand", "de": "Entdecken Sie Neuseeland",
          "ja": "ニュージーランドを探検しよう", "ar": "اكتشف نيوزيلندا",
          "ru": "Откройте для себя Новую Зеландию"}
INK = (0x1e, 0x2a, 0x38)  # the social card title's fill


def _pixels(client, url: str) -> np.ndarray:
    image = Image.open(io.BytesIO(client.get(url).content)).convert("RGB")
    return np.asarray(image).astype(np.int16)


def _title_ink(pixels: np.ndarray) -> tuple[int, int]:
    """Left and right ink columns of the title band (the title's data-box: x 590-1130)."""
    band = pixels[140:270, 560:1200]
    near = (np.abs(band - np.array(INK)) < 60).all(axis=2)
    xs = np.nonzero(near.any(axis=0))[0]
    return 560 + int(xs.min()), 560 + int(xs.max())


def test_five_languages_in_one_request(client):
    body = {"format": "png", "params": [{"name": "canvas", "backgroundColor": "#ffffff"}],
            "variants": [{"key": k, "params": [{"name": "title", "text": t}]}
                         for k, t in TITLES.items()]}
    response = client.post("/designs/social-card", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert [v["key"] for v in answer["variants"]] == list(TITLES)
    assert len({v["id"] for v in answer["variants"]}) == 5  # five stored images
    inks = {}
    for variant in answer["variants"]:
        assert variant["layout"]["title"]["lines"] >= 1
        pixels = _pixels(client, variant["imageUrl"])
        assert (np.abs(pixels[5, 5] - 255) <= 2).all()  # the shared params apply to each
        inks[variant["key"]] = _title_ink(pixels)
    # Left-to-right titles start at the title's x (590); the Arabic one starts at the box's
    # right edge and ends short of the left one.
    for key in ("en", "de", "ja", "ru"):
        assert abs(inks[key][0] - 590) <= 8, (key, inks[key])
    right_to_left = inks["ar"]
    assert right_to_left[1] > 1100 and right_to_left[0] > 640, right_to_left


def test_a_variant_that_does_not_fit_says_so_and_others_do_not(client):
    long = "Entdecken Sie Neuseeland " * 8
    answer = client.post("/designs/social-card", json={"format": "png", "variants": [
        {"key": "en", "params": [{"name": "title", "text": "Explore"}]},
        {"key": "de", "params": [{"name": "title", "text": long, "maxLines": 2}]}]}).json()
    en, de = answer["variants"]
    assert en["layout"]["title"]["cut"] is False and "warnings" not in en
    assert de["layout"]["title"]["cut"] is True
    assert any("'title'" in w for w in de["warnings"])


def test_a_variants_property_overrides_the_shared_one_on_its_layer(client):
    answer = client.post("/designs/social-card", json={"format": "png", "params": [
        {"name": "title", "text": "Shared", "color": "#ff0000"}], "variants": [
        {"key": "a", "params": []}, {"key": "b", "params": [{"name": "title", "text": "Mine"}]}]})
    a, b = answer.json()["variants"]
    assert a["layout"]["title"] and b["layout"]["title"]
    red_a = _pixels(client, a["imageUrl"])[140:270, 560:1200]
    red_b = _pixels(client, b["imageUrl"])[140:270, 560:1200]
    reds = [int(((p[..., 0] > 200) & (p[..., 1] < 60)).sum()) for p in (red_a, red_b)]
    assert reds[0] > 200 and reds[1] > 100  # both keep the shared red colour
    assert reds[0] != reds[1]  # with their own words


def test_bad_variants_are_refused_naming_the_variant(client):
    bad = client.post("/designs/social-card", json={"variants": [
        {"key": "ok", "params": [{"name": "title", "text": "Fine"}]},
        {"key": "de", "params": [{"name": "titel", "text": "Tippfehler"}]}]})
    assert bad.status_code == 422 and bad.json()["message"].startswith("variant 'de':")
    assert bad.json()["field"].startswith("variants[1]")
    colour = client.post("/designs/social-card", json={"variants": [
        {"key": "x", "params": [{"name": "title", "color": "nope"}]}]})
    assert colour.status_code == 422 and colour.json()["layer"] == "title"
    twice = client.post("/designs/social-card", json={"variants": [{"key": "a"}, {"key": "a"}]})
    assert twice.status_code == 422 and twice.json()["code"] == "repeated_variant"
    many = client.post("/designs/social-card", json={"variants": [{"key": str(i)}
                                                                   for i in range(21)]})
    assert many.status_code == 422 and many.json()["code"] == "too_many_variants"
    hooked = client.post("/designs/social-card", json={"webhookUrl": "https://example.com/h",
                                                       "variants": [{"key": "a"}]})
    assert hooked.status_code == 422 and hooked.json()["field"] == "webhookUrl"
