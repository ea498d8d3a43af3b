"""Writes that fail (disk full, read-only, I/O error, kill -9) lose nothing and crash nothing.

Each failed write raises ArchiveWriteError (one line: file, reason, errno),
leaves the entry, its history and its gone record as they were, and leaves no
temp file; what a killed run leaves is cleaned up by the next one.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import subprocess
import sys

import pytest
from scrapy.utils.test import get_crawler

from newsspider.archive import files
from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.files import remove_stale_temp_files
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.writer import ArchiveWriteError, ArchiveWriter, entry_file_name, revisions
from newsspider.extensions.runlock import RunLock
from tests.conftest import ROOT, SHARED_ARCHIVE
from tests.small_disk import fill, remount_read_only, small_disk_fixture  # noqa: F401

SEED = "seed_000_fa28d98bcef6ab2a.txt"


def seed_archive(folder):
    folder.mkdir()
    shutil.copyfile(SHARED_ARCHIVE / SEED, folder / SEED)
    return folder


def edited(entry: Entry, ms: int, words: str = "") -> Entry:
    return Entry(entry.timestamp + ms, entry.title, entry.url, entry.html + words)


def temp_files(folder) -> list[str]:
    return sorted(str(p) for p in folder.rglob(".tmp-*"))


def everything(folder) -> dict[str, bytes]:
    """Every file of the archive with its bytes (the index and the filler aside)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".newsspider" not in p.parts
    }


@pytest.fixture
def full_archive(small_disk):
    """An archive on a disk with 0 bytes free: one entry, one history revision, gone."""
    archive = seed_archive(small_disk / "a")
    index = ArchiveIndex.open(archive)
    writer = ArchiveWriter(index)
    current = read_entry(archive / SEED)
    writer.revise(SEED, edited(current, 1000, "<p>一</p>"))
    writer.mark_gone(SEED, current.url, 404, 5000)
    fill(small_disk)
    yield archive, writer
    index.close()


def test_disk_full_fails_each_write_and_keeps_every_byte(full_archive, caplog):
    archive, writer = full_archive
    before = everything(archive)
    current = read_entry(archive / SEED)
    big = "<p>" + "长" * 300_000 + "</p>"
    attempts = [
        lambda: writer.revise(SEED, edited(current, 1000, big)),
        lambda: writer.add(Entry(1, "新", "https://www.rfi.fr/cn/新的", big)),
        lambda: writer.mark_gone(SEED, current.url, 410, 9000),
    ]
    for attempt in attempts:
        with pytest.raises(ArchiveWriteError) as failure:
            attempt()
        assert failure.value.errno == "ENOSPC"
        assert str(failure.value).startswith(f"cannot write {archive}")
        assert "\n" not in str(failure.value)
    assert everything(archive) == before
    assert temp_files(archive) == []
    assert not (archive / entry_file_name("https://www.rfi.fr/cn/新的")).exists()
    assert len(revisions(str(archive), SEED)) == 2


def test_a_write_that_fits_still_succeeds_after_a_failed_one(full_archive):
    archive, writer = full_archive
    current = read_entry(archive / SEED)
    with pytest.raises(ArchiveWriteError):
        writer.revise(SEED, edited(current, 1000, "<p>" + "长" * 300_000 + "</p>"))
    (archive.parent / "filler.bin").unlink()
    copy = writer.revise(SEED, edited(current, 1000, "<p>二</p>"))
    assert read_entry(copy) == current
    assert read_entry(archive / SEED).html.endswith("<p>二</p>")


def test_a_read_only_disk_gives_erofs(small_disk):
    archive = seed_archive(small_disk / "a")
    ArchiveIndex.open(archive).close()
    remount_read_only(small_disk)
    index = ArchiveIndex.open(archive)
    before = everything(archive)
    current = read_entry(archive / SEED)
    writer = ArchiveWriter(index)
    for attempt in (
        lambda: writer.revise(SEED, edited(current, 1000, "<p>一</p>")),
        lambda: writer.add(Entry(1, "新", "https://www.rfi.fr/cn/新的", "<p>x</p>")),
        lambda: writer.mark_gone(SEED, current.url, 404, 5000),
    ):
        with pytest.raises(ArchiveWriteError) as failure:
            attempt()
        assert failure.value.errno == "EROFS"
    assert everything(archive) == before
    index.close()


@pytest.mark.parametrize("call", ["fsync", "write"])
def test_an_io_error_gives_eio_and_removes_the_temp_file(tmp_path, monkeypatch, call):
    archive = seed_archive(tmp_path / "a")
    before = everything(archive)
    with ArchiveIndex.open(archive) as index:
        current = read_entry(archive / SEED)

        def failing(*args):
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(files.os, call, failing)
        with pytest.raises(ArchiveWriteError) as failure:
            ArchiveWriter(index).revise(SEED, edited(current, 1000, "<p>一</p>"))
    assert (failure.value.errno, failure.value.reason) == ("EIO", "Input/output error")
    assert everything(archive) == before
    assert temp_files(archive) == []


def test_add_never_overwrites_a_damaged_file_at_its_name(tmp_path):
    archive = seed_archive(tmp_path / "a")
    entry = Entry(1, "新", "https://www.rfi.fr/cn/新的", "<p>x</p>")
    half = entry.serialize()[:30]
    (archive / entry_file_name(entry.url)).write_bytes(half)
    with (
        ArchiveIndex.open(archive) as index,
        pytest.raises(ArchiveWriteError, match="exists and is not a readable entry"),
    ):
        ArchiveWriter(index).add(entry)
    assert (archive / entry_file_name(entry.url)).read_bytes() == half


def test_a_history_copy_already_made_is_not_made_twice(tmp_path):
    """What a run killed between the history copy and the replace leaves behind."""
    archive = seed_archive(tmp_path / "a")
    current = read_entry(archive / SEED)
    folder = archive / "history" / SEED.removesuffix(".txt")
    folder.mkdir(parents=True)
    left = folder / f"{current.timestamp}.txt"
    shutil.copyfile(archive / SEED, left)
    with ArchiveIndex.open(archive) as index:
        copy = ArchiveWriter(index).revise(SEED, edited(current, 1000, "<p>一</p>"))
    assert copy == str(left)
    assert sorted(os.listdir(folder)) == [left.name]
    assert revisions(str(archive), SEED) == [str(left), str(archive / SEED)]


KILLED_WRITE = """
import os, signal, sys
from newsspider.archive import files
from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.writer import ArchiveWriter

archive, kill_in = sys.argv[1], sys.argv[2]
entry_path = os.path.join(archive, "{seed}")
real_replace, real_fsync = os.replace, os.fsync

def replace(src, dst):
    if kill_in == "replace" and dst == entry_path:
        os.kill(os.getpid(), signal.SIGKILL)  # the history copy is made, the entry not yet
    real_replace(src, dst)

def fsync(fd):
    if kill_in == "fsync":
        os.kill(os.getpid(), signal.SIGKILL)  # half-way through writing the temp file
    real_fsync(fd)

files.os.replace, files.os.fsync = replace, fsync
old = read_entry(entry_path)
edited = Entry(old.timestamp + 1000, old.title, old.url, old.html + "<p>一</p>")
ArchiveWriter(ArchiveIndex.open(archive)).revise("{seed}", edited)
"""


def run_killed(archive, kill_in: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WRITE.replace("{seed}", SEED), str(archive), kill_in],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == -9, done.stderr


def test_kill_between_copy_and_replace_then_rerun_writes_one_history_copy(tmp_path):
    archive = seed_archive(tmp_path / "a")
    before = (archive / SEED).read_bytes()
    run_killed(archive, "replace")
    assert (archive / SEED).read_bytes() == before
    [left] = revisions(str(archive), SEED)[:-1]
    current = read_entry(archive / SEED)
    with ArchiveIndex.open(archive) as index:
        copy = ArchiveWriter(index).revise(SEED, edited(current, 1000, "<p>一</p>"))
    assert copy == left
    assert len(revisions(str(archive), SEED)) == 2
    with open(copy, "rb") as handle:
        assert handle.read() == before


def test_kill_inside_a_write_leaves_a_temp_file_the_next_start_removes(tmp_path, caplog):
    archive = seed_archive(tmp_path / "a")
    before = (archive / SEED).read_bytes()
    run_killed(archive, "fsync")
    assert (archive / SEED).read_bytes() == before
    [debris] = temp_files(archive)
    assert debris.endswith(".part")
    crawler = get_crawler(
        settings_dict={
            "ARCHIVE_DIR": str(archive),
            "ARCHIVE_REPORTS_DIR": "reports",
            "REFRESH_ENABLED": True,  # as `scrapy crawl` sets it
        }
    )
    with caplog.at_level(logging.INFO, logger="newsspider.extensions.runlock"):
        lock = RunLock.from_crawler(crawler)
    lock.spider_closed()
    assert temp_files(archive) == []
    assert f"archive {archive}: 1 stale temp files removed" in caplog.messages
    assert (archive / SEED).read_bytes() == before


def test_stale_temp_files_are_removed_from_archive_history_and_reports_only(tmp_path):
    archive = seed_archive(tmp_path / "a")
    (archive / "history" / "x").mkdir(parents=True)
    (archive / "reports").mkdir()
    stale = [archive / ".tmp-a1.part", archive / "history/x/.tmp-b2.part"]
    stale.append(archive / "reports/.tmp-c3.part")
    kept = [archive / ".tmp-notes", archive / "draft.part", archive / ".newsspider/.tmp-d4.part"]
    (archive / ".newsspider").mkdir()
    for path in stale + kept:
        path.write_bytes(b"half")
    removed = remove_stale_temp_files(archive, "reports")
    assert sorted(removed) == sorted(str(p) for p in stale)
    assert [p.exists() for p in stale + kept] == [False] * 3 + [True] * 3
    assert remove_stale_temp_files(archive, "reports") == []


def test_a_damaged_gone_record_is_rewritten_keeping_what_it_still_says(tmp_path, caplog):
    archive = seed_archive(tmp_path / "a")
    url = read_entry(archive / SEED).url
    record = archive / SEED.replace(".txt", ".gone.json")
    whole = json.dumps({"url": url, "status": 404, "first_gone_ms": 1000, "last_checked_ms": 2000})
    with ArchiveIndex.open(archive) as index:
        writer = ArchiveWriter(index)
        record.write_text(whole[: whole.index("last_checked")], encoding="utf-8")
        with caplog.at_level(logging.WARNING):
            writer.mark_gone(SEED, url, 410, 9000)
        assert json.loads(record.read_text(encoding="utf-8")) == {
            "url": url,
            "status": 410,
            "first_gone_ms": 1000,
            "last_checked_ms": 9000,
        }
        [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert str(record) in warning.getMessage() and "first_gone_ms 1000" in warning.getMessage()

        record.write_bytes(b'{"url": "x", "first_gone_ms": 10')  # cut inside the number
        writer.mark_gone(SEED, url, 404, 9500)
        assert json.loads(record.read_text(encoding="utf-8"))["first_gone_ms"] == 9500
        record.write_bytes(b"\xff\xfe[1, 2]")
        writer.mark_gone(SEED, url, 404, 9600)
        assert json.loads(record.read_text(encoding="utf-8"))["first_gone_ms"] == 9600
    assert (archive / SEED).exists()
