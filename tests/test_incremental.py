"""Incremental refresh: a schedule, conditional requests, 304s that cost nothing."""

from __future__ import annotations

import json

import pytest
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode

from newsspider.archive.state import CheckState, CrawlState
from newsspider.schedule import DAY_MS, HOUR_MS, RecheckPolicy
from tests.cassette_factory import SMALL_ARCHIVE
from tests.conftest import CASSETTES, make_archive, run_crawl, snapshot

NOW = 1_800_000_000_000
policy = RecheckPolicy()


def checked(ago_ms, stable_for_ms, **extra) -> CheckState:
    return CheckState(
        "u", last_checked_ms=NOW - ago_ms, last_changed_ms=NOW - ago_ms - stable_for_ms, **extra
    )


def test_never_checked_articles_are_due_now():
    assert policy.due_at(None, archived_ms=NOW - 400 * DAY_MS) == 0


def test_young_articles_are_checked_often_and_old_ones_rarely():
    young = policy.due_at(checked(0, 6 * HOUR_MS), archived_ms=0) - NOW
    week = policy.due_at(checked(0, 7 * DAY_MS), archived_ms=0) - NOW
    old = policy.due_at(checked(0, 400 * DAY_MS), archived_ms=0) - NOW
    assert young == 3 * HOUR_MS  # half of 6 hours
    assert young < week < old == 30 * DAY_MS  # capped


def test_an_edit_makes_an_article_young_again():
    stable = policy.due_at(checked(0, 200 * DAY_MS), archived_ms=0)
    edited = policy.due_at(checked(0, 2 * HOUR_MS), archived_ms=0)
    assert edited - NOW == HOUR_MS  # the floor
    assert edited < stable


def test_a_newer_sitemap_lastmod_makes_an_article_due_at_once():
    state = checked(HOUR_MS, 300 * DAY_MS, listed_lastmod_ms=NOW - 10)
    assert policy.due_at(state, archived_ms=0) == 0
    older = checked(HOUR_MS, 300 * DAY_MS, listed_lastmod_ms=NOW - 2 * HOUR_MS)
    assert policy.due_at(older, archived_ms=0) > NOW


def test_state_keeps_validators_and_times(tmp_path):
    with CrawlState.open(tmp_path) as state:
        state.record_check("u", 1000, changed=True, etag='"a"', last_modified="Fri", published_ms=5)
        state.record_check("u", 2000, changed=False)  # a 304: no new validators
        assert state.get("u") == CheckState("u", '"a"', "Fri", 5, 2000, 1000, None)
        state.record_listed("u", 3000)
        state.record_listed("u", 2500)
        assert state.get("u").listed_lastmod_ms == 3000


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", SMALL_ARCHIVE)


@pytest.mark.vcr
def test_every_page_not_modified_writes_only_the_report(archive, vcr):
    first = Cassette.load(
        path=str(CASSETTES / "test_refresh" / "test_nothing_changed_writes_nothing.yaml"),
        record_mode=RecordMode.NONE,
    )
    run_crawl(archive, first, RFI_DISCOVERY=False)  # learns ETag and Last-Modified
    with CrawlState.open(archive) as state:
        assert all(s.etag and s.last_modified for s in state.all().values())
    before = snapshot(archive)
    reports_before = set((archive / "reports").iterdir())

    crawler = run_crawl(archive, vcr, RFI_DISCOVERY=False, RFI_RECHECK_EVERYTHING=True)
    assert snapshot(archive) == before
    new_files = set((archive / "reports").iterdir()) - reports_before
    assert {p.suffix for p in new_files} == {".md", ".json"}
    report = json.loads(next(p for p in new_files if p.suffix == ".json").read_text())
    assert report["counts"]["unchanged"] == 4
    assert crawler.stats.get_value("refresh/not_modified") == 4
    assert crawler.stats.get_value("item_scraped_count") == 4


def test_requests_for_archived_articles_are_conditional(archive):
    from scrapy.utils.test import get_crawler

    from newsspider.spiders.rfi import RfiSpider

    crawler = get_crawler(RfiSpider, {"ARCHIVE_DIR": str(archive)})
    spider = RfiSpider.from_crawler(crawler)
    url = "https://www.rfi.fr/cn/x"
    spider.known = {
        url: CheckState(url, etag='"e1"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT")
    }
    spider.requested = set()
    request = spider.article_request(url)
    assert request.headers[b"If-None-Match"] == b'"e1"'
    assert request.headers[b"If-Modified-Since"] == b"Fri, 20 Nov 2026 08:00:00 GMT"
    assert b"If-None-Match" not in spider.article_request("https://www.rfi.fr/cn/new").headers
