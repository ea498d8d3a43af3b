"""The archive index: lookups by any URL form, duplicates reported, warm opens cheap."""

from __future__ import annotations

import os
import shutil

import pytest

from newsspider.archive.entry import read_entry
from newsspider.archive.index import ArchiveIndex
from tests.conftest import make_archive, shared_copy

PAIR = ["duty-machine-news_rfi_1000019.md", "dutymachine-news_rfi_1000019.md"]
OLD_FORM = "duty-machine-news_rfi_1042000.md"  # http://www.rfi.fr//cn/…


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "a", [*PAIR, OLD_FORM, "duty-machine-news_rfi_1000000.md"])


def test_lookup_by_any_url_form(archive):
    url = read_entry(archive / OLD_FORM).url
    with ArchiveIndex.open(archive) as index:
        modern = "https://www.rfi.fr/cn/" + url.split("//cn/", 1)[1]
        assert index.lookup(modern).name == OLD_FORM
        assert index.lookup(url + "?utm=x").name == OLD_FORM
        assert index.lookup("https://www.rfi.fr/cn/nothing-here") is None


def test_two_files_with_one_url_are_reported_not_merged(archive):
    with ArchiveIndex.open(archive) as index:
        assert len(index) == 4
        assert list(index.duplicates().values()) == [PAIR]
        assert len(index.urls()) == 3


def test_warm_open_reads_no_file_and_a_changed_file_is_reread(archive):
    ArchiveIndex.open(archive).close()
    with ArchiveIndex.open(archive) as index:
        assert index.rows_read == 0
    target = archive / "duty-machine-news_rfi_1000000.md"
    entry = read_entry(target)
    target.write_bytes(entry.serialize().replace(b"<p>", "<p>改".encode(), 1))
    with ArchiveIndex.open(archive) as index:
        assert index.rows_read == 1
        assert index.lookup(entry.url).name == target.name


def test_deleted_files_leave_the_index(archive):
    ArchiveIndex.open(archive).close()
    (archive / OLD_FORM).unlink()
    with ArchiveIndex.open(archive) as index:
        assert len(index) == 3
        assert all(e.name != OLD_FORM for e in index)


def test_a_lost_or_stale_index_is_rebuilt(archive):
    ArchiveIndex.open(archive).close()
    shutil.rmtree(archive / ".newsspider")
    with ArchiveIndex.open(archive) as index:
        assert index.rows_read == 4 and index.persistent


def test_broken_files_are_listed_with_their_reason(archive):
    (archive / "broken.txt").write_bytes(b"<!--x-->\n")
    with ArchiveIndex.open(archive) as index:
        [(name, reason)] = index.errors()
        assert name == "broken.txt" and "broken.txt:1:" in reason
        assert len(index) == 4


def test_a_read_only_archive_is_indexed_in_memory(tmp_path):
    shared = shared_copy(tmp_path)  # root may write anywhere: never into ../shared itself
    shared.chmod(0o555)
    with ArchiveIndex.open(shared) as index:
        assert not index.persistent or os.access(shared, os.W_OK)
        assert len(index) >= 60
