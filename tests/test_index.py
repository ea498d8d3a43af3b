"""The archive index: lookups by any URL form, duplicates reported, warm opens cheap."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3

import pytest

from newsspider.archive import index as index_module
from newsspider.archive import parallel
from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.writer import ArchiveWriter
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


def index_rows(index) -> tuple:
    return list(index), index.errors(), index.duplicates()


def wrong_columns(path) -> None:
    path.unlink()
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE files (name TEXT, url TEXT); PRAGMA user_version = 1;")
    db.close()


DAMAGES = [
    pytest.param(lambda path: path.write_bytes(b"\x00garbage" * 900), id="garbage"),
    pytest.param(lambda path: path.write_bytes(path.read_bytes()[:5000]), id="truncated"),
    pytest.param(wrong_columns, id="wrong-columns"),
]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_index_is_rebuilt_with_one_warning(archive, caplog, damage):
    (archive / "broken.txt").write_bytes(b"<!--x-->\n")
    with ArchiveIndex.open(archive) as index:
        fresh = index_rows(index)
    damage(archive / ".newsspider" / "archive.sqlite3")
    with caplog.at_level(logging.WARNING), ArchiveIndex.open(archive) as index:
        assert index_rows(index) == fresh
        assert index.persistent and index.rows_read == 5
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING
    assert str(archive / ".newsspider" / "archive.sqlite3") in warning.message
    assert "rebuilt" in warning.message and "\n" not in warning.message
    with ArchiveIndex.open(archive) as index:
        assert index.rows_read == 0 and index_rows(index) == fresh  # the rebuilt file is used


def test_an_index_that_cannot_be_rebuilt_on_disk_is_kept_in_memory(archive, caplog, monkeypatch):
    with ArchiveIndex.open(archive) as index:
        fresh = index_rows(index)
    (archive / ".newsspider" / "archive.sqlite3").write_bytes(b"garbage" * 100)

    def cannot_remove(path):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(index_module, "_remove_database", cannot_remove)
    with caplog.at_level(logging.WARNING), ArchiveIndex.open(archive) as index:
        assert index_rows(index) == fresh and not index.persistent
    [warning] = caplog.records
    assert "in memory" in warning.message and "Permission denied" in warning.message


def test_an_index_write_that_fails_loses_no_entry(archive, caplog):
    """Disk full after the entry was written: the entry stands, the next open finds it."""
    url = "https://www.rfi.fr/cn/法国/20261126-测试"
    with ArchiveIndex.open(archive) as index:
        pages = index.db.execute("PRAGMA page_count").fetchone()[0]
        index.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full"
        entry = Entry(1764140000000, "标题" * 20000, url, "<div>字</div>")
        with caplog.at_level(logging.WARNING):
            name = ArchiveWriter(index).add(entry)
        assert read_entry(archive / name) == entry
    [warning] = caplog.records
    assert name in warning.message and "database or disk is full" in warning.message
    with ArchiveIndex.open(archive) as index:
        assert index.rows_read == 1 and index.lookup(url).name == name


def test_an_unreadable_entry_file_is_listed_and_read_again_later(archive, monkeypatch):
    target = archive / OLD_FORM
    real_read = index_module.read_entry

    def denied(path):
        if os.fspath(path) == str(target):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_read(path)

    monkeypatch.setattr(index_module, "read_entry", denied)
    with ArchiveIndex.open(archive) as index:
        assert index.errors() == [(OLD_FORM, f"{target}: cannot read: Permission denied")]
    monkeypatch.undo()
    with ArchiveIndex.open(archive) as index:  # same size and mtime, yet read again
        assert index.errors() == [] and index.lookup(read_entry(target).url).name == OLD_FORM


def test_a_cold_open_on_every_core_indexes_exactly_what_one_process_does(tmp_path, monkeypatch):
    """The real samples, with a damaged file among them, read by a process pool and by one."""
    from tests.conftest import SHARED_ARCHIVE

    samples = [path.name for path in SHARED_ARCHIVE.iterdir() if path.is_file()]
    archive = make_archive(tmp_path / "a", samples)
    (archive / "broken.txt").write_bytes(b"<!--x-->\n")
    rows = "SELECT * FROM files ORDER BY name"
    with ArchiveIndex.open(archive) as index:
        sequential = list(index.db.execute(rows))
    shutil.rmtree(archive / ".newsspider")
    pools = []
    real_pool = index_module.in_worker_processes

    def pool(*args, **kwargs):
        pools.append(real_pool(*args, chunk=7))
        return pools[-1]

    monkeypatch.setattr(index_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(index_module, "in_worker_processes", pool)
    monkeypatch.setattr(parallel, "cores", lambda: 2)  # even on a one-core machine
    with ArchiveIndex.open(archive) as index:
        assert list(index.db.execute(rows)) == sequential
    assert len(pools) == 1 and len(pools[0]) == len(sequential) > 60
