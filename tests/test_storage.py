"""Local storage backends: names, atomic writes, a full disk, copies and records."""

import os

import pytest

from svgrender.errors import StorageFull
from svgrender.io.storage import FileMissing, LocalFileStore, LocalRecordStore


def test_put_open_delete(tmp_path):
    files = LocalFileStore(tmp_path)
    files.put("0123456789.png", b"png")
    stored = files.open("0123456789.png")
    with stored.stream:
        assert stored.stream.read() == b"png"
    assert stored.size == 3 and stored.etag.startswith('"')
    files.delete("0123456789.png")
    assert files.open("0123456789.png") is None


@pytest.mark.parametrize("name", ["../x.png", "0123456789.png/../../etc", "x.png",
                                  "_records", "0123456789.json/x", "0123456789"])
def test_refuses_names_it_could_not_have_written(tmp_path, name):
    files = LocalFileStore(tmp_path)
    assert files.open(name) is None
    with pytest.raises(ValueError):
        files.put(name, b"x")


def test_copy_is_a_second_name_for_the_same_bytes(tmp_path):
    files = LocalFileStore(tmp_path)
    files.put("0123456789.jpeg", b"jpeg bytes")
    files.copy("0123456789.jpeg", "abcdefabcd.jpeg")
    files.delete("0123456789.jpeg")
    with files.open("abcdefabcd.jpeg").stream as stream:
        assert stream.read() == b"jpeg bytes"
    with pytest.raises(FileMissing):
        files.copy("0123456789.jpeg", "bbbbbbbbbb.jpeg")


@pytest.mark.parametrize("existing", [False, True])
def test_full_disk_answers_storage_full_and_leaves_no_partial_file(tmp_path, monkeypatch,
                                                                   existing):
    """/dev/full answers every write with ENOSPC, as a full filesystem does. A new name is
    written in place (and removed when the write fails); an existing one (a job row drawn
    again) through a temporary name, so the old file stays whole."""
    files = LocalFileStore(tmp_path)
    if existing:
        files.put("0123456789.png", b"old")
    real_open = os.open

    def open_on_full_disk(path, flags, mode=0o777, **kwargs):
        os.close(real_open(path, flags, mode, **kwargs))  # the entry is made, as on a disk
        return real_open("/dev/full", os.O_WRONLY)

    monkeypatch.setattr(os, "open", open_on_full_disk)
    with pytest.raises(StorageFull) as error:
        files.put("0123456789.png", b"x" * 100_000)
    monkeypatch.undo()
    assert error.value.status == 507 and error.value.code == "storage_full"
    # No .tmp- leftover, no partial file; an old file unchanged.
    assert sorted(os.listdir(tmp_path)) == (["0123456789.png"] if existing else [])
    if existing:
        assert (tmp_path / "0123456789.png").read_bytes() == b"old"


def test_a_new_name_is_written_in_place_an_existing_one_replaced(tmp_path):
    files = LocalFileStore(tmp_path)
    files.put("0123456789.png", b"first")
    files.put("0123456789.png", b"second")  # a job row drawn again
    with files.open("0123456789.png").stream as stream:
        assert stream.read() == b"second"
    assert sorted(os.listdir(tmp_path)) == ["0123456789.png"]


def test_records_and_result_index(tmp_path):
    records = LocalRecordStore(tmp_path)
    records.put_record("0123456789", {"id": "0123456789", "files": []})
    assert records.get_record("0123456789")["id"] == "0123456789"
    assert records.get_record("../../etc/passwd") is None
    records.put_alias("a" * 64, "0123456789")
    assert records.get_alias("a" * 64) == "0123456789"
    assert records.get_alias("../" + "a" * 61) is None
    records.delete_record("0123456789")
    assert records.get_record("0123456789") is None
