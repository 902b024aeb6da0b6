import pytest

from svgrender.storage import LocalStorage


def test_put_get_delete(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("0123456789.png", b"png")
    assert storage.path("0123456789.png").read_bytes() == b"png"
    storage.delete("0123456789.png")
    assert storage.path("0123456789.png") is None


@pytest.mark.parametrize("name", ["../x.png", "0123456789.png/../../etc", "x.png",
                                  "_records", "0123456789.json"])
def test_refuses_names_it_could_not_have_written(tmp_path, name):
    storage = LocalStorage(tmp_path)
    assert storage.path(name) is None
    with pytest.raises(ValueError):
        storage.put(name, b"x")
