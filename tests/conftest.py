import pytest

from helpers import TEMPLATES
from svgrender.settings import Settings


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
