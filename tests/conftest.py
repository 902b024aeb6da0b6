import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from svgrender.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(templates_dir=TEMPLATES, storage_dir=tmp_path / "images",
                    cache_dir=tmp_path / "cache")


@pytest.fixture
def client(settings):
    from starlette.testclient import TestClient

    from svgrender.app import create_app

    with TestClient(create_app(settings)) as test_client:
        yield test_client


def png_data_uri(image: Image.Image, fmt: str = "PNG") -> str:
    out = io.BytesIO()
    image.save(out, fmt)
    mime = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}[fmt]
    return f"data:{mime};base64," + base64.b64encode(out.getvalue()).decode()
