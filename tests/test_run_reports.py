"""Run reports written by real crawls (the engine, the cassettes), read as a person would."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

from newsspider.archive import read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.discovery import url_date
from newsspider.runreport.text import readable_url
from tests import cassette_factory as factory
from tests.cassette_factory import DISCOVERED, SMALL_ARCHIVE
from tests.conftest import CASSETTES, SHARED_ARCHIVE, make_archive, run_crawl

NEW_URLS = {read_entry(SHARED_ARCHIVE / n).url for names in DISCOVERED.values() for n in names}
WIDE_OPEN = {"RFI_OLDEST_DAYS": 36500, "RFI_MAX_SITEMAPS": 1}
ARCHIVED = {name: read_entry(SHARED_ARCHIVE / name) for name in SMALL_ARCHIVE}


def cassette(name: str) -> Cassette:
    return Cassette.load(path=str(CASSETTES / name), record_mode=RecordMode.NONE)


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", SMALL_ARCHIVE)


def last_report(archive) -> tuple[str, dict]:
    """The newest report: its Markdown text and its JSON."""
    stem = sorted((archive / "reports").glob("*.json"))[-1].with_suffix("")
    markdown = stem.with_suffix(".md").read_text(encoding="utf-8")
    return markdown, json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))


def entry_names(archive) -> dict[str, str]:
    with ArchiveIndex.open(archive) as index:
        return {entry.canonical_url: entry.name for entry in index}


def test_a_capped_discovery_reports_the_new_articles_and_the_ones_left_for_later(archive):
    run_crawl(
        archive, cassette("test_discovery/discovery.yaml"), RFI_MAX_NEW_ARTICLES=2, **WIDE_OPEN
    )
    markdown, data = last_report(archive)
    assert markdown.startswith("# ok\n") and data["verdict"] == "ok"
    names = entry_names(archive)
    new = data["articles"]["new"]
    assert len(new) == 2
    for article in new:  # each new article: its title, its file in the archive, its URL
        entry = read_entry(archive / article["entry"])
        assert names[article["url"]] == article["entry"]
        assert article["title"] == entry.title and article["url"] == entry.url
        assert f"- {entry.title} · `{article['entry']}`\n  {readable_url(entry.url)}\n" in markdown
    left = NEW_URLS - {a["url"] for a in new}
    over_cap = data["not_added"]["over_cap"]
    assert over_cap["count"] == 4 and set(over_cap["first"]) == left
    assert "- 4 over the cap of 2 new articles a run (RFI_MAX_NEW_ARTICLES)" in markdown
    for url in left:
        assert f"  - {readable_url(url)}\n" in markdown


def test_articles_too_old_to_add_are_counted_with_their_urls(archive):
    cutoff = datetime(2024, 1, 1, tzinfo=UTC)
    days = (datetime.now(UTC) - cutoff).total_seconds() / 86400
    run_crawl(archive, cassette("test_discovery/discovery.yaml"), RFI_OLDEST_DAYS=days)
    markdown, data = last_report(archive)
    too_old = data["not_added"]["too_old"]
    assert too_old["count"] == len(too_old["first"]) >= 1
    assert set(too_old["first"]) <= NEW_URLS - set(entry_names(archive))  # listed, not added
    assert all(url_date(url) < cutoff for url in too_old["first"])
    assert f"- {too_old['count']} published more than {days:g} days ago" in markdown


def test_gone_articles_are_reported_with_title_entry_file_and_status(archive):
    run_crawl(
        archive,
        cassette("test_refresh/test_removed_articles_are_recorded_gone.yaml"),
        RFI_DISCOVERY=False,
    )
    markdown, data = last_report(archive)
    gone = data["articles"]["gone"]
    assert sorted(a["reason"] for a in gone) == ["HTTP 404", "HTTP 410"]
    for article in gone:
        entry = ARCHIVED[article["entry"]]
        assert (article["url"], article["title"]) == (entry.url, entry.title)
        assert (archive / f"{Path(article['entry']).stem}.gone.json").exists()
        assert (
            f"- {entry.title} · `{article['entry']}`\n  {readable_url(entry.url)}\n"
            f"  {article['reason']}\n"
        ) in markdown
    assert "## Gone (2)" in markdown


def test_an_updated_article_is_reported_with_its_new_title_and_its_file(archive):
    run_crawl(
        archive,
        cassette("test_refresh/test_edited_page_adds_exactly_one_revision.yaml"),
        RFI_DISCOVERY=False,
    )
    markdown, data = last_report(archive)
    seed = SMALL_ARCHIVE[0]
    current = read_entry(archive / seed)
    assert data["articles"]["updated"] == [
        {"url": current.url, "title": current.title, "entry": seed, "reason": None}
    ]
    assert "## Updated (1)" in markdown
    assert f"- {current.title} · `{seed}`\n  {readable_url(current.url)}\n" in markdown


def test_a_failed_run_says_so_first_and_lists_each_failure_with_its_reason(archive):
    run_crawl(
        archive,
        cassette("test_refresh/test_forbidden_and_server_errors_never_change_the_archive.yaml"),
        RFI_DISCOVERY=False,
        RETRY_TIMES=0,
    )
    markdown, data = last_report(archive)
    assert markdown.startswith("# failed: 3 of 4 articles failed\n")
    assert data["verdict"] == "failed: 3 of 4 articles failed"
    failed = data["articles"]["failed"]
    assert sorted(a["reason"] for a in failed) == ["HTTP 403", "HTTP 500", "HTTP 503"]
    for article in failed:  # archived articles: the person sees which file did not refresh
        entry = ARCHIVED[article["entry"]]
        assert (article["url"], article["title"]) == (entry.url, entry.title)
        assert f"  {readable_url(entry.url)}\n  {article['reason']}\n" in markdown
    assert "## Failed (3)" in markdown


def test_a_listing_that_could_not_be_read_is_in_the_report(tmp_path):
    archive = make_archive(tmp_path / "archive", [SMALL_ARCHIVE[0]])
    replay = cassette("demo.yaml")
    missing = "https://www.rfi.fr/cn/%E5%A4%B1%E8%B8%AA/rss"  # 失踪: no such feed
    replay.append(
        VcrRequest("GET", missing, None, {}),
        {"status": {"code": 404, "message": "Not Found"}, "headers": {}, "body": {"string": b""}},
    )
    run_crawl(archive, replay, RFI_FEEDS=[*factory.CN.feeds, missing])
    markdown, data = last_report(archive)
    assert data["listings_not_read"] == [{"url": missing, "reason": "HTTP 404"}]
    assert "## Listings not read (1)\n\n- https://www.rfi.fr/cn/失踪/rss: HTTP 404\n" in markdown
    assert markdown.startswith("# ok\n")  # a listing not read is worth a look, not a failure


def test_an_archive_file_that_does_not_parse_is_named_in_the_report(archive):
    (archive / "broken.md").write_text("not an entry\n", encoding="utf-8")
    run_crawl(
        archive,
        cassette("test_refresh/test_nothing_changed_writes_nothing.yaml"),
        RFI_DISCOVERY=False,
    )
    markdown, data = last_report(archive)
    [unreadable] = data["unreadable_files"]
    assert unreadable == {
        "name": "broken.md",
        "reason": "broken.md:1: expected <!--epoch-milliseconds-->",
    }
    assert "\n- broken.md:1: expected <!--epoch-milliseconds-->\n" in markdown
    assert data["counts"]["unchanged"] == 4


# --- pruning ------------------------------------------------------------------


def old_and_new_reports(archive) -> dict[str, str]:
    folder = archive / "reports"
    folder.mkdir()
    files = {
        "20200101T000000000000Z.md": "old",
        "20200101T000000000000Z.json": "{}",
        f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.md": "recent",  # an earlier run today
        "README.txt": "not a report",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return files


def test_a_crawl_prunes_reports_older_than_the_kept_days_and_nothing_else(archive, caplog):
    caplog.set_level(logging.INFO)
    files = old_and_new_reports(archive)
    run_crawl(
        archive,
        cassette("test_refresh/test_nothing_changed_writes_nothing.yaml"),
        RFI_DISCOVERY=False,
    )
    left = {p.name for p in (archive / "reports").iterdir()}
    assert not left & {"20200101T000000000000Z.md", "20200101T000000000000Z.json"}
    assert left >= set(list(files)[2:])
    assert len(left) == 4  # and this run's two files
    pruned = [r.getMessage() for r in caplog.records if r.getMessage().startswith("reports: ")]
    assert pruned == [f"reports: 2 older than 90 days pruned from {archive / 'reports'}"]


def test_keep_days_zero_keeps_every_report(archive):
    files = old_and_new_reports(archive)
    run_crawl(
        archive,
        cassette("test_refresh/test_nothing_changed_writes_nothing.yaml"),
        RFI_DISCOVERY=False,
        ARCHIVE_REPORTS_KEEP_DAYS=0,
    )
    assert {p.name for p in (archive / "reports").iterdir()} >= set(files)
