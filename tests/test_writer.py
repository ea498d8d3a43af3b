"""The archive writer: atomic, never overwrites without a copy, never deletes."""

from __future__ import annotations

import json
import os
import re

import pytest

from newsspider.archive.entry import Entry, parse_entry, read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.writer import ArchiveWriteError, ArchiveWriter, entry_file_name, revisions
from tests.conftest import make_archive

SEED = "seed_000_fa28d98bcef6ab2a.txt"


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "a", [SEED])


@pytest.fixture
def writer(archive):
    index = ArchiveIndex.open(archive)
    yield ArchiveWriter(index)
    index.close()


def new_entry(url="https://www.rfi.fr/cn/法国/20261126-测试", html="<div>x</div>") -> Entry:
    return Entry(1764140000000, "标题", url, html)


def test_file_names_are_deterministic_and_safe():
    hostile = "https://www.rfi.fr/cn/../../etc/passwd%00/..%2F"
    name = entry_file_name(hostile)
    assert re.fullmatch(r"[0-9a-f]{16}\.txt", name)
    assert name == entry_file_name(hostile)
    assert entry_file_name("http://www.rfi.fr//cn/a") == entry_file_name("https://www.rfi.fr/cn/a")


def test_add_writes_a_new_entry_and_indexes_it(writer, archive):
    name = writer.add(new_entry())
    assert read_entry(archive / name) == new_entry()
    assert writer.index.lookup(new_entry().url).name == name
    assert oct(os.stat(archive / name).st_mode & 0o044) != "0o0"  # readable by others
    before = (archive / name).read_bytes()
    with pytest.raises(ArchiveWriteError, match="already holds an entry"):
        writer.add(new_entry(html="<div>other</div>"))
    assert (archive / name).read_bytes() == before


def test_revise_keeps_the_previous_version_in_history(writer, archive):
    before = (archive / SEED).read_bytes()
    old = read_entry(archive / SEED)
    edited = Entry(old.timestamp + 1000, old.title, old.url, old.html.replace("周五", "周六"))
    copy = writer.revise(SEED, edited)
    with open(copy, "rb") as handle:
        assert handle.read() == before
    assert read_entry(archive / SEED) == edited
    assert revisions(str(archive), SEED) == [copy, str(archive / SEED)]
    writer.revise(SEED, Entry(old.timestamp + 2000, old.title, old.url, old.html))
    assert len(revisions(str(archive), SEED)) == 3


def test_gone_is_recorded_beside_the_entry_and_nothing_is_deleted(writer, archive):
    url = read_entry(archive / SEED).url
    path = writer.mark_gone(SEED, url, 404, 1000)
    writer.mark_gone(SEED, url, 410, 2000)
    with open(path, encoding="utf-8") as handle:
        record = json.load(handle)
    assert os.path.dirname(path) == str(archive)
    assert record == {"url": url, "status": 410, "first_gone_ms": 1000, "last_checked_ms": 2000}
    assert (archive / SEED).exists()
    assert writer.clear_gone(SEED) and not os.path.exists(path)


def test_no_temp_files_are_left_behind(writer, archive):
    writer.add(new_entry())
    writer.revise(SEED, read_entry(archive / SEED))
    leftovers = [p for p in archive.rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_a_failed_write_leaves_the_old_file_intact(writer, archive, monkeypatch):
    before = (archive / SEED).read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    old = read_entry(archive / SEED)
    with pytest.raises(ArchiveWriteError, match="disk full"):
        writer.revise(SEED, Entry(old.timestamp + 1, old.title, old.url, "<div>new</div>"))
    assert (archive / SEED).read_bytes() == before
    assert not [p for p in archive.rglob(".tmp-*")]


def index_rows(archive) -> list[tuple]:
    with ArchiveIndex.open(archive) as index:
        return list(index.db.execute("SELECT * FROM files ORDER BY name"))


def test_the_writer_indexes_what_it_wrote_as_a_rebuild_would_without_reading_it_back(
    archive, monkeypatch
):
    from newsspider.archive import index as index_module
    from newsspider.archive import writer as writer_module
    from newsspider.archive.fingerprint import fingerprint

    old = read_entry(archive / SEED)
    edited = Entry(old.timestamp + 1000, old.title, old.url, old.html.replace("周五", "周六"))
    added = new_entry()

    def forbidden(*args):
        raise AssertionError("the writer knows this already")

    with ArchiveIndex.open(archive) as index:
        monkeypatch.setattr(index_module, "read_entry", forbidden)
        monkeypatch.setattr(writer_module, "fingerprint_of", forbidden)
        writer = ArchiveWriter(index)
        writer.add(added, fingerprint(added.title, added.html))
        writer.revise(SEED, edited, fingerprint(edited.title, edited.html))
        monkeypatch.undo()
    written = index_rows(archive)
    with ArchiveIndex.open(archive) as index:
        assert index.rows_read == 0  # size and mtime as the folder lists them
    (archive / ".newsspider" / "archive.sqlite3").unlink()
    assert index_rows(archive) == written  # rebuilt from the files


def fsyncs_and_renames(archive, monkeypatch) -> list[tuple[str, str]]:
    """Each fsync and rename, as (call, path in the archive; ".tmp" for a temp file)."""
    from newsspider.archive import files

    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def where(path: str) -> str:
        relative = os.path.relpath(path, archive)
        if os.path.basename(relative).startswith(".tmp-"):
            return os.path.join(os.path.dirname(relative), ".tmp")
        return relative

    def fsync(fd):
        events.append(("fsync", where(os.readlink(f"/proc/self/fd/{fd}"))))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", where(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "fsync", fsync)
    monkeypatch.setattr(files.os, "replace", replace)
    return events


def test_an_edit_makes_its_history_copy_durable_before_replacing_the_entry(archive, monkeypatch):
    stem = f"history/{SEED.removesuffix('.txt')}"
    old = read_entry(archive / SEED)
    with ArchiveIndex.open(archive) as index:
        writer = ArchiveWriter(index, defer_folder_sync=True)
        events = fsyncs_and_renames(archive, monkeypatch)
        first = writer.revise(SEED, Entry(old.timestamp + 1, old.title, old.url, old.html + "一"))
        assert events[:5] == [
            ("fsync", f"{stem}/.tmp"),
            ("replace", os.path.relpath(first, archive)),
            ("fsync", stem),
            ("fsync", "history"),  # the first edit made history/<stem>
            ("fsync", "."),  # and history/: both durable before the entry changes
        ]
        assert events[5:] == [("fsync", ".tmp"), ("replace", SEED)]
        events.clear()
        second = writer.revise(SEED, Entry(old.timestamp + 2, old.title, old.url, old.html))
        copy = os.path.relpath(second, archive)
        assert events == [
            ("fsync", f"{stem}/.tmp"),
            ("replace", copy),
            ("fsync", stem),  # the copy is durable: now the entry may change
            ("fsync", ".tmp"),
            ("replace", SEED),
        ]  # the archive folder's fsync is left to sync(), once per batch
        events.clear()
        writer.sync()
        assert events == [("fsync", ".")]
        writer.sync()
        assert events == [("fsync", ".")]
    assert read_entry(first).timestamp == old.timestamp
    with open(second, "rb") as handle:
        assert parse_entry(handle.read()).timestamp == old.timestamp + 1


def test_without_deferral_each_write_makes_its_rename_durable_at_once(archive, monkeypatch):
    with ArchiveIndex.open(archive) as index:
        events = fsyncs_and_renames(archive, monkeypatch)
        name = ArchiveWriter(index).add(new_entry())
    assert events == [("fsync", ".tmp"), ("replace", name), ("fsync", ".")]
