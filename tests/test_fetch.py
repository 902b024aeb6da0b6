"""imageUrl over http(s): a real loopback server, SSRF refusals, limits, decoding, caching."""

import asyncio
import io
import time
from dataclasses import replace

import pytest
from PIL import Image
from starlette.testclient import TestClient

from imageserver import ImageServer
from pixels import close
from svgrender.api.app import create_app
from svgrender.errors import ImageFetchError
from svgrender.io.loaders import ImageFetcher

TEST_HOST = "127.0.0.2"  # the image server; only this /32 is opted in


@pytest.fixture(scope="module")
def server():
    with ImageServer(TEST_HOST) as running:
        yield running


@pytest.fixture(scope="module")
def canary():
    """A server on 127.0.0.1 that no request may ever reach."""
    with ImageServer("127.0.0.1") as running:
        yield running


@pytest.fixture
def fetch_settings(settings):
    return replace(settings, allow_private_networks=(f"{TEST_HOST}/32",), fetch_total_timeout=2.0)


@pytest.fixture
def api(fetch_settings):
    with TestClient(create_app(fetch_settings)) as client:
        yield client


def render(api, url, position="fill", layer="image", template="social-card"):
    response = api.post(f"/designs/{template}", json={"format": "png", "params": [
        {"name": layer, "imageUrl": url, "imagePosition": position}]})
    image = None
    if response.status_code == 201:
        data = api.get(response.json()["imageUrl"]).content
        image = Image.open(io.BytesIO(data)).convert("RGB")
    return response, image


# The social card's image layer is the box (60, 60) 480×510.
LEFT, RIGHT, TOP, BOTTOM = (120, 315), (480, 315), (300, 100), (300, 530)


@pytest.mark.parametrize("path,checks", [
    ("/photo.jpg", {LEFT: (255, 0, 0), RIGHT: (0, 0, 255)}),
    ("/photo-wrong-type.png", {LEFT: (255, 0, 0), RIGHT: (0, 0, 255)}),  # sniffed, not trusted
    ("/img.webp", {LEFT: (255, 0, 0), RIGHT: (0, 0, 255)}),
    ("/cmyk.jpg", {LEFT: (255, 0, 0), RIGHT: (255, 0, 0)}),
    ("/rotated.jpg", {TOP: (255, 0, 0), BOTTOM: (0, 0, 255)}),  # EXIF orientation applied
    ("/anim.gif", {LEFT: (255, 0, 0), RIGHT: (255, 0, 0)}),  # first frame
    ("/alpha.png", {LEFT: (0, 255, 0), RIGHT: (255, 255, 255)}),  # transparency kept: card shows
    ("/logo.svg", {LEFT: (0, 255, 0), RIGHT: (0, 255, 0)}),
])
def test_images_are_placed(api, server, path, checks):
    response, image = render(api, server.url(path))
    assert response.status_code == 201, response.text
    for point, colour in checks.items():
        assert close(image.getpixel(point), colour, 24), (path, point, image.getpixel(point))


@pytest.mark.parametrize("path,status,code", [
    ("/missing", 502, "upstream_error"),
    ("/broken", 502, "upstream_error"),
    ("/page.html", 422, "invalid_image"),
    ("/truncated.jpg", 422, "invalid_image"),
    ("/bomb.png", 422, "image_too_large"),
    ("/huge.jpg", 422, "image_too_large"),
    ("/huge-chunked.jpg", 422, "image_too_large"),
    ("/redirect/6", 422, "invalid_image_url"),
    ("/trickle.jpg", 504, "upstream_timeout"),
])
def test_bad_upstreams(api, server, path, status, code):
    started = time.monotonic()
    response, _ = render(api, server.url(path))
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["layer"] == "image"
    assert server.url(path)[:30] in body["message"] or code == "image_too_large"
    assert time.monotonic() - started < 6
    # The service stays healthy.
    assert api.post("/designs/social-card", json={}).status_code == 201


def test_five_redirects_are_followed(api, server):
    response, image = render(api, server.url("/redirect/5"))
    assert response.status_code == 201 and close(image.getpixel(LEFT), (255, 0, 0), 24)


def test_redirect_to_loopback_is_refused(api, server, canary):
    before = len(canary.requests)
    response, _ = render(api, server.url(f"/to/127.0.0.1:{canary.port}/photo.jpg"))
    assert response.status_code == 422 and response.json()["code"] == "invalid_image_url"
    assert "127.0.0.1" in response.json()["message"]
    assert len(canary.requests) == before


def test_default_settings_refuse_before_connecting(settings, canary):
    urls = [f"http://127.0.0.1:{canary.port}/photo.jpg", f"http://localhost:{canary.port}/photo.jpg",
            f"http://[::1]:{canary.port}/photo.jpg", "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/x.png", f"http://127.1:{canary.port}/photo.jpg",
            f"http://0x7f000001:{canary.port}/photo.jpg", "file:///etc/passwd", "ftp://x/y.png",
            "gopher://127.0.0.1/", "/etc/passwd", "//127.0.0.1/x.png", "x.png"]
    before = len(canary.requests)
    with TestClient(create_app(settings)) as client:
        for url in urls:
            response, _ = render(client, url)
            assert response.status_code == 422, (url, response.text)
            assert response.json()["code"] == "invalid_image_url" and response.json()["layer"] == "image"
            assert "root:" not in response.text
    assert len(canary.requests) == before


def test_template_file_and_internal_hrefs_are_not_read(settings, canary, tmp_path):
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "sneaky.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        '<rect width="100" height="100" fill="#ffffff"/>'
        '<image id="a" href="file:///etc/passwd" width="50" height="50"/>'
        f'<image id="b" href="http://127.0.0.1:{canary.port}/photo.jpg" x="50" width="50" height="50"/>'
        '<image id="c" href="../../../../etc/passwd" y="50" width="50" height="50"/></svg>')
    before = len(canary.requests)
    with TestClient(create_app(replace(settings, templates_dir=templates))) as client:
        response = client.post("/designs/sneaky", json={"format": "svg"})
        assert response.status_code == 201
        output = client.get(response.json()["imageUrl"]).content
    assert b"root:" not in output and b"passwd" not in output
    assert len(canary.requests) == before


def test_cache_second_render_does_no_network(fetch_settings, server):
    fetcher = ImageFetcher(fetch_settings)
    url = server.url("/photo.jpg")
    first = asyncio.run(fetcher.load(url, "image"))
    requests = fetcher.network_requests
    second = asyncio.run(fetcher.load(url, "image"))
    assert second is first and fetcher.network_requests == requests
    # A new process (new fetcher) reuses the disk copy: no network either.
    again = ImageFetcher(fetch_settings)
    assert asyncio.run(again.load(url, "image")).key == first.key
    assert again.network_requests == 0


def test_etag_revalidation(fetch_settings, server):
    fetcher = ImageFetcher(replace(fetch_settings, image_disk_cache_bytes=0))
    url = server.url("/etag.jpg")
    first = asyncio.run(fetcher.load(url, "image"))
    hits = server.conditional_hits
    second = asyncio.run(fetcher.load(url, "image"))  # no-cache: revalidate, 304, reuse
    assert server.conditional_hits == hits + 1 and second is first


def test_too_many_image_layers(fetch_settings, server):
    from svgrender.params import LayerParam
    fetcher = ImageFetcher(replace(fetch_settings, max_image_layers=2))
    params = [LayerParam(name=f"l{i}", image_url=server.url("/photo.jpg")) for i in range(3)]
    with pytest.raises(ImageFetchError) as info:
        asyncio.run(fetcher.load_request(params, fetcher.settings))
    assert info.value.code == "too_many_images"


@pytest.mark.parametrize("scale", [1, 2])
def test_figma_pattern_fill_by_url(fetch_settings, server, scale):
    with TestClient(create_app(fetch_settings)) as client:
        response = client.post("/designs/figma-export", json={"format": "png", "scale": scale,
            "params": [{"name": "photo", "imageUrl": server.url("/photo.jpg")}]})
        assert response.status_code == 201, response.text
        image = Image.open(io.BytesIO(client.get(response.json()["imageUrl"]).content)).convert("RGB")
    # cover: a 3:2 photo in the 320×322 box, centred: red on the left, blue on the right.
    assert close(image.getpixel((100 * scale, 225 * scale)), (255, 0, 0), 24)
    assert close(image.getpixel((350 * scale, 225 * scale)), (0, 0, 255), 24)
    assert close(image.getpixel((65 * scale, 65 * scale)), (255, 255, 255), 24)  # corner radius kept


def test_url_index_is_bounded_and_holds_no_pixels(fetch_settings, server):
    """The freshness index forgets the oldest URL past its count; pixels live only in the
    byte-bounded decoded cache."""
    fetcher = ImageFetcher(replace(fetch_settings, image_disk_cache_bytes=0, image_cache_entries=2))
    for path in ("/photo.jpg", "/alpha.png", "/img.webp"):
        asyncio.run(fetcher.load(server.url(path), "image"))
    assert list(fetcher.entries) == [server.url("/alpha.png"), server.url("/img.webp")]
    assert all(not hasattr(entry, "image") for entry in fetcher.entries.values())


def test_evicted_pixels_are_fetched_again(fetch_settings, server):
    fetcher = ImageFetcher(replace(fetch_settings, image_disk_cache_bytes=0, image_cache_bytes=1))
    url = server.url("/photo.jpg")
    asyncio.run(fetcher.load(url, "image"))
    requests = fetcher.network_requests
    again = asyncio.run(fetcher.load(url, "image"))  # too big to keep: downloaded again
    assert fetcher.network_requests == requests + 1 and again.width == 300


@pytest.mark.parametrize("url", [
    "http://[::127.0.0.1]/x.png",            # IPv4-compatible
    "http://[64:ff9b::127.0.0.1]/x.png",     # NAT64
    "http://[64:ff9b::a9fe:a9fe]/x.png",     # NAT64 to the metadata address
    "http://[64:ff9b:1::7f00:1]/x.png",      # local-use NAT64
    "http://[2002:7f00:1::1]/x.png",         # 6to4 around 127.0.0.1
    "http://[::ffff:0:7f00:1]/x.png",        # SIIT
    "http://[::ffff:169.254.169.254]/x.png",  # IPv4-mapped
])
def test_ipv6_forms_of_private_addresses_are_refused(settings, canary, url):
    fetcher = ImageFetcher(settings)
    with pytest.raises(ImageFetchError, match="non-public|refused"):
        asyncio.run(fetcher.load(url, "image"))
    assert fetcher.network_requests == 0


@pytest.mark.parametrize("spelling", ["2130706434", "127.2", "0x7f000002", "0177.0.0.2",
                                      "[::ffff:127.0.0.2]", "127.000.000.002"])
def test_blocked_hosts_match_every_spelling_of_an_address(fetch_settings, server, spelling):
    """127.0.0.2 is opted in as a private network here, then blocked by name: no spelling of
    it may get through."""
    settings = replace(fetch_settings, blocked_hosts=("127.0.0.2",))
    fetcher = ImageFetcher(settings)
    before = len(server.requests)
    with pytest.raises(ImageFetchError, match="blocked"):
        asyncio.run(fetcher.load(f"http://{spelling}:{server.port}/photo.jpg", "image"))
    assert len(server.requests) == before


@pytest.mark.parametrize("url", ["http://ｅｘａｍｐｌｅ．ｃｏｍ/x.png", "http://exa mple.com/x.png",
                                 "http:\\\\\\\\127.0.0.1\\\\x.png", "http://[::1/x.png"])
def test_odd_hosts_are_422_not_500(settings, url):
    with pytest.raises(ImageFetchError) as error:
        asyncio.run(ImageFetcher(settings).load(url, "image"))
    assert error.value.status == 422


def test_disk_cache_is_bounded_and_under_the_storage(fetch_settings, server, tmp_path):
    settings = replace(fetch_settings, cache_dir=None, storage_dir=tmp_path / "store",
                       image_disk_cache_bytes=120_000)
    fetcher = ImageFetcher(settings)
    assert fetcher.disk == tmp_path / "store" / "_cache"
    for path in ("/photo.jpg", "/alpha.png", "/img.webp", "/cmyk.jpg", "/rotated.jpg"):
        asyncio.run(fetcher.load(server.url(path), "image"))
    stored = sum(p.stat().st_size for p in fetcher.disk.iterdir())
    assert 0 < stored <= 120_000
    assert not [p for p in fetcher.disk.iterdir() if p.name.startswith(".tmp")]
