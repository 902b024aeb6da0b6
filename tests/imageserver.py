"""A real HTTP server on loopback serving good, broken and hostile images for the fetch tests."""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


def _jpeg(image: Image.Image, **kw) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, **kw)
    return out.getvalue()


def _save(image: Image.Image, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kw)
    return out.getvalue()


def halves(size=(300, 200)) -> Image.Image:
    """Left half red, right half blue."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return image


def png_bomb(width=20000, height=20000) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (width + 1) * 64, 9)  # a few rows; the header claims 400 MP
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def fixtures() -> dict[str, tuple[int, str, bytes, dict]]:
    photo = _jpeg(halves())
    alpha = Image.new("RGBA", (100, 100), (0, 255, 0, 0))
    alpha.paste((0, 255, 0, 255), (0, 0, 50, 100))
    cmyk = _jpeg(Image.new("CMYK", (100, 100), (0, 255, 255, 0)))  # = red
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    rotated = _jpeg(halves((300, 200)), exif=exif.tobytes())
    frames = [Image.new("RGB", (50, 50), (255, 0, 0)), Image.new("RGB", (50, 50), (0, 255, 0))]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
           b'<rect width="100" height="100" fill="#00ff00"/>'
           b'<image href="file:///etc/passwd" width="10" height="10"/></svg>')
    return {
        "/photo.jpg": (200, "image/jpeg", photo, {}),
        "/photo-wrong-type.png": (200, "text/plain", photo, {}),
        "/alpha.png": (200, "image/png", _save(alpha, "PNG"), {}),
        "/cmyk.jpg": (200, "image/jpeg", cmyk, {}),
        "/rotated.jpg": (200, "image/jpeg", rotated, {}),
        "/anim.gif": (200, "image/gif", gif.getvalue(), {}),
        "/img.webp": (200, "image/webp", _save(halves(), "WEBP", lossless=True), {}),
        "/logo.svg": (200, "image/svg+xml", svg, {}),
        "/missing": (404, "text/plain", b"nope", {}),
        "/broken": (500, "text/plain", b"boom", {}),
        "/page.html": (200, "text/html", b"<html><body>hello</body></html>", {}),
        "/truncated.jpg": (200, "image/jpeg", photo[: len(photo) // 3], {}),
        "/bomb.png": (200, "image/png", png_bomb(), {}),
        "/etag.jpg": (200, "image/jpeg", photo, {"ETag": '"v1"', "Cache-Control": "no-cache"}),
    }


class ImageServer:
    def __init__(self, host: str = "127.0.0.1", extra_routes: dict | None = None):
        self.requests: list[str] = []
        self.conditional_hits = 0
        routes = {**fixtures(), **(extra_routes or {})}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send(self, status, ctype, body, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                server.requests.append(self.path)
                path = self.path
                if path.startswith("/redirect/"):
                    hops = int(path.rsplit("/", 1)[1])
                    target = "/photo.jpg" if hops <= 1 else f"/redirect/{hops - 1}"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path.startswith("/to/"):  # redirect to an absolute URL
                    self.send_response(302)
                    self.send_header("Location", "http://" + path[4:])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path == "/trickle.jpg":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    try:
                        for _ in range(30):
                            self.wfile.write(b"\xff")
                            self.wfile.flush()
                            time.sleep(1)
                    except OSError:
                        pass
                    return
                if path == "/huge.jpg":  # 30 MiB, declared
                    return self.send(200, "image/jpeg", b"\0" * (30 * 1024 * 1024))
                if path == "/huge-chunked.jpg":  # 30 MiB, no length: must be cut off while reading
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.end_headers()
                    try:
                        for _ in range(30):
                            self.wfile.write(b"\0" * (1024 * 1024))
                    except OSError:
                        pass
                    self.close_connection = True
                    return
                if path == "/etag.jpg" and self.headers.get("If-None-Match") == '"v1"':
                    server.conditional_hits += 1
                    self.send_response(304)
                    self.send_header("ETag", '"v1"')
                    self.send_header("Cache-Control", "no-cache")
                    self.end_headers()
                    return
                status, ctype, body, headers = routes.get(path, (404, "text/plain", b"?", {}))
                self.send(status, ctype, body, headers)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.host, self.port = host, self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
