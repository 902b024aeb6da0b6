import pytest

from helpers import TEMPLATES
from svgrender.draw import seams
from svgrender.settings import Settings


@pytest.fixture(scope="session", autouse=True)
def cairosvg_seams():
    """What the app, the CLI and the workers do at start-up (no import does it)."""
    seams.install()
    yield


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(templates_dir=TEMPLATES, storage_dir=tmp_path / "images",
                    cache_dir=tmp_path / "cache", workers=0)


@pytest.fixture
def client(settings):
    from starlette.testclient import TestClient

    from svgrender.api.app import create_app

    with TestClient(create_app(settings)) as test_client:
        yield test_client
