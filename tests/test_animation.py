"""Animations: `frames` with gif, webp, apng (Pillow) and mp4 (PyAV) — one file, a frame per
entry, the changed layer different in each and the static pixels the same."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageSequence

from svgrender.formats import FORMATS

BADGE = (585, 435, 835, 535)  # the price layer's badge in social-card (1200×630), a margin round
PRICES = [f"${n},{n}99" for n in range(12)]
DURATIONS = [800 if n % 2 else 300 + 10 * n for n in range(12)]


def animation(client, fmt: str, **extra):
    return client.post("/designs/social-card", json={
        "format": fmt, "params": [{"name": "canvas", "backgroundColor": "#0a84ff"}],
        "frames": [{"params": [{"name": "price", "text": price}], "durationMs": ms}
                   for price, ms in zip(PRICES, DURATIONS)], **extra})


def frames_of(data: bytes) -> tuple[list[Image.Image], list[float]]:
    image = Image.open(io.BytesIO(data))
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        frame.load()
        durations.append(frame.info.get("duration"))
        frames.append(frame.convert("RGB"))
    return frames, durations


def changed_box(a: Image.Image, b: Image.Image, threshold: int):
    delta = ImageChops.difference(a, b).convert("L")
    return delta.point(lambda v: 255 if v > threshold else 0).getbbox()


def inside(box, outer) -> bool:
    return box is not None and outer[0] <= box[0] and outer[1] <= box[1] \
        and box[2] <= outer[2] and box[3] <= outer[3]


def outside_badge(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of the pixels outside the badge, in grey levels."""
    delta = ImageChops.difference(a, b).convert("L")
    ImageDraw.Draw(delta).rectangle(BADGE, fill=0)
    return sum(i * n for i, n in enumerate(delta.histogram())) / (delta.width * delta.height)


def check_frames(frames: list[Image.Image], threshold: int, video: bool = False) -> None:
    assert len(frames) == 12 and all(f.size == (1200, 630) for f in frames)
    for before, after in zip(frames, frames[1:]):
        if video:  # H.264 refines a still area over the first frames: noise, not change
            assert inside(changed_box(before.crop(BADGE), after.crop(BADGE), threshold),
                          (0, 0, BADGE[2] - BADGE[0], BADGE[3] - BADGE[1]))
            assert outside_badge(before, after) < 0.05
            continue
        box = changed_box(before, after, threshold)
        assert inside(box, BADGE), box  # the price changed, and nothing else
    assert frames[0].getpixel((40, 40))[2] > 200  # the shared params are in every frame
    assert frames[11].getpixel((40, 40)) == frames[0].getpixel((40, 40))


@pytest.mark.parametrize("fmt,media,pillow", [("gif", "image/gif", "GIF"),
                                              ("webp", "image/webp", "WEBP"),
                                              ("apng", "image/apng", "PNG")])
def test_twelve_frames_with_their_durations(client, fmt, media, pillow):
    answer = animation(client, fmt)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["fileName"].endswith(f".{fmt}") and (body["width"], body["height"]) == (1200, 630)
    response = client.get(body["imageUrl"])
    assert response.headers["content-type"] == media
    assert Image.open(io.BytesIO(response.content)).format == pillow
    frames, durations = frames_of(response.content)
    assert durations == DURATIONS
    # GIF and APNG are lossless over one shared palette: static pixels are exactly equal.
    check_frames(frames, threshold=0 if fmt != "webp" else 24)
    # The fit report names each frame's layers, like pages.
    assert {"price", "price@frame2", "price@frame12"} <= set(body["layout"])
    for key, size in (("thumbnailUrl", (400, 210)), ("retinaThumbnailUrl", (800, 420))):
        thumb = Image.open(io.BytesIO(client.get(body[key]).content))
        assert thumb.format == "PNG" and thumb.size == size
        assert getattr(thumb, "n_frames", 1) == 1  # frame 1, a still


def test_mp4_decodes_to_twelve_frames(client):
    av = pytest.importorskip("av")
    if "mp4" not in FORMATS:
        pytest.skip("PyAV is installed but mp4 is not registered")
    answer = animation(client, "mp4")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    response = client.get(body["imageUrl"])
    assert response.headers["content-type"] == "video/mp4"
    with av.open(io.BytesIO(response.content)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        decoded = list(container.decode(video=0))
    times = [round(frame.time * 1000) for frame in decoded]
    assert times == [sum(DURATIONS[:n]) for n in range(12)]
    frames = [frame.to_image() for frame in decoded]
    check_frames(frames, threshold=40, video=True)
    thumb = Image.open(io.BytesIO(client.get(body["thumbnailUrl"]).content))
    assert thumb.format == "PNG"


def test_without_frames_gif_and_apng_are_stills(client):
    for fmt, pillow in (("gif", "GIF"), ("apng", "PNG")):
        answer = client.post("/designs/social-card", json={"format": fmt}).json()
        image = Image.open(io.BytesIO(client.get(answer["imageUrl"]).content))
        assert image.format == pillow and getattr(image, "n_frames", 1) == 1
        assert image.size == (1200, 630)


def test_the_first_frame_is_the_still_of_its_params(client):
    """An animation's frame draws what a still of the same params draws (the static layers
    from the cache change nothing)."""
    frames, _ = frames_of(client.get(animation(client, "apng").json()["imageUrl"]).content)
    still = client.post("/designs/social-card", json={"format": "png", "params": [
        {"name": "canvas", "backgroundColor": "#0a84ff"},
        {"name": "price", "text": PRICES[5]}]}).json()
    alone = Image.open(io.BytesIO(client.get(still["imageUrl"]).content)).convert("RGB")
    assert changed_box(frames[5], alone, 8) is None


def test_bad_frames_are_refused_naming_the_field(client, settings):
    def post(**body):
        return client.post("/designs/social-card", json=body)

    many = post(format="gif", frames=[{}] * 61)
    assert many.status_code == 422 and many.json()["field"] == "frames"
    assert many.json()["code"] == "too_many_frames"
    # 60 frames of 1200×630 at scale 2 are 181 MP: over the 60 MP default.
    big = post(format="webp", scale=2, frames=[{}] * 60)
    assert big.status_code == 422 and big.json()["field"] == "frames"
    assert big.json()["code"] == "animation_too_large"
    for other in ({"pages": [{}]}, {"variants": [{"key": "en"}]}):
        both = post(format="gif", frames=[{}, {}], **other)
        assert both.status_code == 422 and both.json()["field"] == "frames", both.text
    still = post(format="png", frames=[{}])
    assert still.status_code == 422 and still.json()["code"] == "frames_need_animated_format"
    duration = post(format="gif", frames=[{"durationMs": 5}])
    assert duration.status_code == 422 and duration.json()["field"] == "frames[0].durationMs"
    typo = post(format="gif", frames=[{}, {"params": [{"name": "prize", "text": "1"}]}])
    assert typo.status_code == 422 and typo.json()["field"].startswith("frames[1]")
    assert typo.json()["message"].startswith("frame 2:")
    if "mp4" in FORMATS:
        alone = post(format="mp4")
        assert alone.status_code == 422 and alone.json()["field"] == "frames"


def test_the_budget_is_a_setting(tmp_path):
    from starlette.testclient import TestClient

    from helpers import TEMPLATES
    from svgrender.api.app import create_app
    from svgrender.settings import Settings

    small = Settings(templates_dir=TEMPLATES, storage_dir=tmp_path / "images",
                     cache_dir=tmp_path / "cache", workers=0, max_animation_pixels=2_000_000)
    with TestClient(create_app(small)) as client:
        two = client.post("/designs/social-card", json={"format": "gif", "frames": [{}, {}]})
        three = client.post("/designs/social-card", json={"format": "gif",
                                                          "frames": [{}, {}, {}]})
    assert two.status_code == 201 and three.status_code == 422
    assert "SVGRENDER_MAX_ANIMATION_PIXELS" in three.json()["message"]


def test_an_async_animation_is_checked_before_it_is_queued(client):
    bad = client.post("/designs/social-card?async=1", json={"format": "gif", "frames": [
        {"params": [{"name": "prize", "text": "1"}]}]})
    assert bad.status_code == 422 and bad.json()["field"].startswith("frames[0]")


def test_a_frames_text_is_checked_like_a_stills(client):
    bad = client.post("/designs/social-card", json={"format": "gif", "frames": [
        {}, {"params": [{"name": "price", "text": "a\u0000b"}]}]})
    assert bad.status_code == 422 and bad.json()["field"].startswith("frames[1]")
    assert bad.json()["message"].startswith("frame 2:")
