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
    assert shown.stdout.startswith("<!--16972")
    assert "1. 2023-10-13 19:15:01 UTC  history/" in shown.stdout
    assert "2. 2023-10-13 20:15:01 UTC  current" in shown.stdout
    diff = scrapy("archive", "diff", str(archive / name))
    assert diff.returncode == 0, diff.stderr
    removed = [x for x in diff.stdout.splitlines() if x.startswith("-") and not x.startswith("---")]
    added = [x for x in diff.stdout.splitlines() if x.startswith("+") and not x.startswith("+++")]
    assert len(removed) == len(added) == 1
    assert "上个月" in removed[0] and "九月" in added[0]


def test_show_of_an_unknown_url_is_one_clear_line(tmp_path):
    seeds = tmp_path / "seeds"  # looking a URL up indexes the archive: never the project's
    shutil.copytree(ROOT / "seeds", seeds)
    done = scrapy("archive", "show", "https://www.rfi.fr/cn/nothing", "-s", f"ARCHIVE_DIR={seeds}")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"archive show: https://www.rfi.fr/cn/nothing: not in the archive {seeds}"
    ]
