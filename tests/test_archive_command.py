"""``scrapy archive check|show|diff`` as a user runs it."""

from __future__ import annotations

import shutil

from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.writer import ArchiveWriter
from tests.conftest import ROOT, SHARED_ARCHIVE, make_archive, run_scrapy, shared_copy

scrapy = run_scrapy


def test_check_of_the_shared_archive_reports_exactly_the_one_duplicate_pair(tmp_path):
    shared = shared_copy(tmp_path)
    done = scrapy("archive", "check", str(shared))
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0, done.stderr
    assert [line for line in lines if line.startswith("duplicate:")] == [
        line for line in lines if "1000019.md" in line
    ]
    count = sum(1 for p in SHARED_ARCHIVE.iterdir() if p.suffix in (".md", ".txt"))
    assert lines[-1] == f"{count} entries, 0 errors, 1 duplicate URLs"


def test_check_of_the_seeds():
    done = scrapy("archive", "check", "seeds")
    assert (done.returncode, done.stdout.strip()) == (0, "1 entries, 0 errors, 0 duplicate URLs")


def test_check_lists_format_errors_and_exits_1(tmp_path):
    archive = make_archive(tmp_path / "a", ["seed_000_fa28d98bcef6ab2a.txt"])
    (archive / "bad.txt").write_bytes(b"<!--1-->\r\n")
    done = scrapy("archive", "check", str(archive))
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith(f"error: {archive / 'bad.txt'}:1: CR")
    assert done.stdout.splitlines()[-1] == "2 entries, 1 errors, 0 duplicate URLs"


def test_show_and_diff_follow_revisions(tmp_path):
    name = "seed_000_fa28d98bcef6ab2a.txt"
    archive = make_archive(tmp_path / "a", [name])
    old = read_entry(archive / name)
    with ArchiveIndex.open(archive) as index:
        ArchiveWriter(index).revise(
            name,
            Entry(
                old.timestamp + 3600_000, old.title, old.url, old.html.replace("上个月", "九月", 1)
            ),
        )
    shown = scrapy("archive", "show", old.url, "-s", f"ARCHIVE_DIR={archive}")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"{old.title}\n{old.url}\n")
    assert "1. 2023-10-13 19:15:01 UTC (Paris 2023-10-13 21:15:01 CEST)  history/" in shown.stdout
    assert (
        f"2. 2023-10-13 20:15:01 UTC (Paris 2023-10-13 22:15:01 CEST)  {name}  (current entry)"
        in shown.stdout
    )
    raw = scrapy("archive", "show", old.url, "--raw", "--archive", str(archive))
    assert raw.stdout.startswith("<!--16972")
    diff = scrapy("archive", "diff", str(archive / name))
    assert diff.returncode == 1, diff.stderr  # like diff(1): the texts differ
    changed = diff.stdout.splitlines()[2:]
    assert len(changed) == 1
    assert changed[0].startswith("lead: ") and "[-上个-]{+九+}月" in changed[0]


def test_show_of_an_unknown_url_is_one_clear_line(tmp_path):
    seeds = tmp_path / "seeds"  # looking a URL up indexes the archive: never the project's
    shutil.copytree(ROOT / "seeds", seeds)
    done = scrapy("archive", "show", "https://www.rfi.fr/cn/nothing", "-s", f"ARCHIVE_DIR={seeds}")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"archive show: https://www.rfi.fr/cn/nothing: not in the archive {seeds}"
    ]


def test_check_of_a_copy_of_the_shared_archive_lists_its_manifest_as_unknown(tmp_path):
    copy = tmp_path / "archive"
    shutil.copytree(SHARED_ARCHIVE, copy, ignore=shutil.ignore_patterns(".newsspider"))
    done = scrapy("archive", "check", str(copy))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-2:] == [
        "0 history revisions, 0 gone records, 0 capture files, 1 unknown files",
        "61 entries, 0 errors, 1 duplicate URLs",
    ]
    assert f"unknown: {copy / 'MANIFEST.tsv'}" in lines


def test_check_reports_broken_revisions_bad_gone_records_and_stray_files(tmp_path):
    name = "seed_000_fa28d98bcef6ab2a.txt"
    archive = make_archive(tmp_path / "a", [name])
    old = read_entry(archive / name)
    with ArchiveIndex.open(archive) as index:
        copy = ArchiveWriter(index).revise(
            name, Entry(old.timestamp + 1, old.title, old.url, old.html + "<p>改</p>")
        )
    with open(copy, "r+b") as handle:
        handle.truncate(100)  # a broken history revision
    gone = archive / name.replace(".txt", ".gone.json")
    gone.write_text('{"url": "https://www.rfi.fr/cn/x", "status": 4', encoding="utf-8")
    (archive / "notes.pdf").write_bytes(b"%PDF")
    done = scrapy("archive", "check", str(archive))
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"error: {gone}: not a gone record: Expecting ")
    assert lines[1:] == [
        f"error: {copy}:2: missing final newline",
        f"unknown: {archive / 'notes.pdf'}",
        "1 history revisions, 1 gone records, 0 capture files, 1 unknown files",
        "1 entries, 2 errors, 0 duplicate URLs",
    ]
    assert done.stderr == ""
