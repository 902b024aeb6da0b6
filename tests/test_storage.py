"""Local storage backends: names, atomic writes, a full disk, copies and records."""

import os
import tempfile

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


def test_full_disk_answers_storage_full_and_leaves_no_partial_file(tmp_path, monkeypatch):
    """/dev/full answers every write with ENOSPC, as a full filesystem does."""
    real_mkstemp = tempfile.mkstemp

    def mkstemp_on_full_disk(*args, **kwargs):
        fd, path = real_mkstemp(*args, **kwargs)
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), path

    files = LocalFileStore(tmp_path)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_on_full_disk)
    with pytest.raises(StorageFull) as error:
        files.put("0123456789.png", b"x" * 100_000)
    assert error.value.status == 507 and error.value.code == "storage_full"
    assert sorted(os.listdir(tmp_path)) == []  # no .tmp- leftover, no partial file


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
