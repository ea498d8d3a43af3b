"""Integrity check of an archive folder: entries, history revisions, gone records, strays."""

from __future__ import annotations

import json
import shutil

import pytest

from newsspider.archive.check import check_archive
from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.writer import ArchiveWriter
from tests.conftest import make_archive

SEED = "seed_000_fa28d98bcef6ab2a.txt"
STEM = SEED.removesuffix(".txt")


@pytest.fixture
def archive(tmp_path):
    """The seed, revised twice and gone, as the writer leaves it."""
    folder = make_archive(tmp_path / "a", [SEED])
    first = read_entry(folder / SEED)
    with ArchiveIndex.open(folder) as index:
        writer = ArchiveWriter(index)
        for step in (1, 2):
            html = first.html.replace("上个月", f"第{step}次", 1)
            writer.revise(SEED, Entry(first.timestamp + step, first.title, first.url, html))
        writer.mark_gone(SEED, first.url, 410, first.timestamp + 3)
    (folder / "reports").mkdir()
    (folder / "reports" / "20261202T000000Z.md").write_text("# report\n")
    return folder


def test_what_the_writer_writes_passes(archive):
    result = check_archive(archive)
    assert (result.entries, result.revisions, result.gone_records) == (1, 2, 1)
    assert (result.errors, result.duplicates, result.unknown) == ([], {}, [])
    assert result.ok


def test_a_broken_history_revision_is_an_error(archive):
    [revision, _] = sorted((archive / "history" / STEM).iterdir())
    revision.write_bytes(revision.read_bytes().replace(b"\n", b"\r\n", 1))
    result = check_archive(archive)
    assert result.errors == [f"{revision}:1: CR line end (the format uses LF only)"]
    assert not result.ok


def test_a_truncated_or_misnamed_revision_is_an_error(archive):
    [first, second] = sorted((archive / "history" / STEM).iterdir())
    first.write_bytes(first.read_bytes()[:-1])
    second.rename(second.with_name("1000.txt"))
    timestamp = read_entry(second.with_name("1000.txt")).timestamp
    assert sorted(check_archive(archive).errors) == [
        f"{second.with_name('1000.txt')}: named 1000.txt but its timestamp is {timestamp}",
        f"{first}:5: missing final newline",
    ]


def test_history_without_its_entry_is_an_error(archive):
    (archive / SEED).rename(archive / "elsewhere.md")
    result = check_archive(archive)
    assert f"{archive / 'history' / STEM}: history of an entry that is not in the archive" in (
        result.errors
    )
    assert (
        f"{archive / (STEM + '.gone.json')}: gone record of an entry that is not in the archive"
        in (result.errors)
    )


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (b'{"url": "https://www.rfi.fr/cn/x", "status": 4', "not a gone record: "),
        (b"[404]", "not a gone record: a JSON list, not an object"),
        (b'{"status": 404, "first_gone_ms": 1, "last_checked_ms": 2}', "url missing"),
        (b'{"url": "u", "status": 500, "first_gone_ms": 1, "last_checked_ms": 2}', "status 500"),
        (b'{"url": "u", "status": true, "first_gone_ms": 1, "last_checked_ms": 2}', "status True"),
        (b'{"url": "u", "status": 404, "first_gone_ms": "1", "last_checked_ms": 2}', "first_gone"),
        (b'{"url": "u", "status": 410, "first_gone_ms": 1}', "last_checked_ms None is not"),
        (b"\xff\xfe{}", "not a gone record: "),
    ],
)
def test_a_bad_gone_record_is_an_error(archive, record, reason):
    path = archive / f"{STEM}.gone.json"
    path.write_bytes(record)
    [error] = check_archive(archive).errors
    assert error.startswith(f"{path}: {reason}")
    assert "\n" not in error


def test_files_that_are_neither_entry_revision_nor_gone_record_are_listed_not_errors(archive):
    strays = [
        archive / "MANIFEST.tsv",
        archive / ".tmp-x1.part",
        archive / "notes.gone.json.bak",
        archive / "history" / STEM / "notes.txt",
        archive / "history" / "README",
    ]
    for path in strays:
        path.write_bytes(b"x")
    (archive / "scratch").mkdir()
    (archive / "history" / STEM / "deeper").mkdir()
    for known in (".newsspider", "captures", "site"):
        (archive / known).mkdir(exist_ok=True)
        (archive / known / "anything").write_bytes(b"x")
    (archive / "changes.atom").write_bytes(b"<feed/>")
    result = check_archive(archive)
    assert result.unknown == sorted(
        [str(p) for p in strays]
        + [f"{archive / 'scratch'}/", f"{archive / 'history' / STEM / 'deeper'}/"]
    )
    assert result.ok and result.revisions == 2


def test_the_reports_folder_follows_the_setting(archive):
    shutil.move(archive / "reports", archive / "out")
    assert check_archive(archive).unknown == [f"{archive / 'out'}/"]
    assert check_archive(archive, "out/runs").unknown == []


def test_gone_records_written_by_the_writer_carry_every_checked_field(archive):
    record = json.loads((archive / f"{STEM}.gone.json").read_text(encoding="utf-8"))
    assert sorted(record) == ["first_gone_ms", "last_checked_ms", "status", "url"]
