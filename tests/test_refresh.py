"""End-to-end refreshes through the real Scrapy engine, on recorded cassettes."""

from __future__ import annotations

import json
import logging

import pytest

from newsspider.archive import read_entry
from newsspider.archive.index import ArchiveIndex
from tests.cassette_factory import SMALL_ARCHIVE
from tests.conftest import make_archive, run_crawl, snapshot


def refresh(archive, cassette, **settings):
    """A refresh-only run (discovery has its own tests)."""
    return run_crawl(archive, cassette, RFI_DISCOVERY=False, **settings)


SEED, SECOND, EMPTY_LEAD, COLUMN = SMALL_ARCHIVE


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", SMALL_ARCHIVE)


def report(archive):
    reports = sorted((archive / "reports").glob("*.json"))
    assert reports, "every run writes a report"
    return json.loads(reports[-1].read_text(encoding="utf-8"))


@pytest.mark.vcr
def test_nothing_changed_writes_nothing(archive, vcr, caplog):
    caplog.set_level(logging.INFO)
    before = snapshot(archive)
    crawler = refresh(archive, vcr)
    assert snapshot(archive) == before
    assert report(archive)["counts"] == {
        "checked": 4,
        "unchanged": 4,
        "updated": 0,
        "new": 0,
        "gone": 0,
        "failed": 0,
    }
    assert crawler.stats.get_value("vcr/replayed") == 5  # robots.txt + 4 pages, no network
    report_lines = [r.getMessage() for r in caplog.records if r.name.endswith(".report")]
    assert report_lines[-1] == ("refresh: checked=4 unchanged=4 updated=0 new=0 gone=0 failed=0")


@pytest.mark.vcr("test_nothing_changed_writes_nothing.yaml")
def test_second_identical_run_is_a_no_op(archive, vcr):
    refresh(archive, vcr)
    after_first = snapshot(archive)
    refresh(archive, vcr)  # on schedule: nothing is due an instant later
    assert report(archive)["counts"]["checked"] == 0
    refresh(archive, vcr, RFI_RECHECK_EVERYTHING=True)  # and checking all again changes nothing
    assert snapshot(archive) == after_first
    assert report(archive)["counts"]["unchanged"] == 4


@pytest.mark.vcr
def test_edited_page_adds_exactly_one_revision(archive, vcr):
    original = (archive / SEED).read_bytes()
    refresh(archive, vcr)
    history = list((archive / "history").rglob("*.txt"))
    assert len(history) == 1
    assert history[0].read_bytes() == original  # the old text, byte for byte
    current = read_entry(archive / SEED)
    assert "平壤周五再次否认向莫斯科提供任何武器装备。" in current.html
    assert current.timestamp > read_entry(history[0]).timestamp
    assert report(archive)["urls"]["updated"] == [current.url]
    # and the next run with the same edited page changes nothing more
    refresh(archive, vcr, RFI_RECHECK_EVERYTHING=True)
    assert len(list((archive / "history").rglob("*.txt"))) == 1


@pytest.mark.vcr
def test_removed_articles_are_recorded_gone(archive, vcr):
    entries_before = {n: (archive / n).read_bytes() for n in SMALL_ARCHIVE}
    refresh(archive, vcr)
    assert {n: (archive / n).read_bytes() for n in SMALL_ARCHIVE} == entries_before
    gone = {p.name: json.loads(p.read_text()) for p in archive.glob("*.gone.json")}
    assert sorted(r["status"] for r in gone.values()) == [404, 410]
    counts = report(archive)["counts"]
    assert (counts["gone"], counts["unchanged"]) == (2, 2)


@pytest.mark.vcr
def test_forbidden_and_server_errors_never_change_the_archive(archive, vcr):
    before = snapshot(archive)
    crawler = refresh(archive, vcr, RETRY_TIMES=1)
    assert snapshot(archive) == before
    assert not list(archive.glob("*.gone.json"))
    data = report(archive)
    assert data["counts"]["failed"] == 3
    assert data["counts"]["unchanged"] == 1
    assert sorted(data["failures"].values()) == ["HTTP 403", "HTTP 500", "HTTP 503"]
    assert crawler.stats.get_value("retry/count") == 2  # 500 and 503 retried once each
    with ArchiveIndex.open(archive) as index:
        assert len(index) == 4
