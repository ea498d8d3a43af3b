"""Discovery: new articles from RSS, sitemaps and section pages, within bounds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newsspider.archive import read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.discovery import rss_articles, section_articles, sitemap_listing
from tests import cassette_factory as factory
from tests.cassette_factory import DISCOVERED, SMALL_ARCHIVE
from tests.compose import ARCHIVE, compose_section_page
from tests.conftest import make_archive, run_crawl

NEW_URLS = {read_entry(ARCHIVE / n).url for names in DISCOVERED.values() for n in names}
# The fixtures are real 2023-24 articles: accept any age, read the newest monthly sitemap only.
WIDE_OPEN = {"RFI_OLDEST_DAYS": 36500, "RFI_MAX_SITEMAPS": 1}


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", SMALL_ARCHIVE)


def archived_urls(archive) -> set[str]:
    with ArchiveIndex.open(archive) as index:
        return set(index.urls())


def last_report(archive) -> dict:
    return json.loads(sorted((archive / "reports").glob("*.json"))[-1].read_text())


@pytest.mark.vcr("discovery.yaml")
def test_discovery_adds_exactly_the_listed_new_articles_and_a_second_run_none(archive, vcr):
    before = archived_urls(archive)
    run_crawl(archive, vcr, **WIDE_OPEN)
    assert archived_urls(archive) == before | NEW_URLS
    assert len(NEW_URLS) == 6
    assert last_report(archive)["counts"]["new"] == 6
    for url in NEW_URLS:  # each through the same page -> entry path as a refresh
        name = ArchiveIndex.open(archive).lookup(url).name
        assert read_entry(archive / name).html.startswith("<div>")

    run_crawl(archive, vcr, **WIDE_OPEN)
    assert archived_urls(archive) == before | NEW_URLS
    counts = last_report(archive)["counts"]
    assert (counts["new"], counts["checked"]) == (0, 0)


@pytest.mark.vcr("discovery.yaml")
def test_max_new_articles_bounds_a_run_and_the_next_run_takes_the_rest(archive, vcr):
    before = archived_urls(archive)
    crawler = run_crawl(archive, vcr, RFI_MAX_NEW_ARTICLES=2, **WIDE_OPEN)
    added = archived_urls(archive) - before
    assert len(added) == 2 and added <= NEW_URLS
    assert crawler.stats.get_value("discovery/over_limit") >= 4
    run_crawl(archive, vcr, **WIDE_OPEN)
    assert archived_urls(archive) == before | NEW_URLS


@pytest.mark.vcr("discovery.yaml")
def test_articles_older_than_the_oldest_date_are_not_added(archive, vcr):
    cutoff = datetime(2024, 1, 1, tzinfo=UTC)
    days = (datetime.now(UTC) - cutoff).total_seconds() / 86400
    before = archived_urls(archive)
    run_crawl(archive, vcr, RFI_OLDEST_DAYS=days)  # the 2023-10 sitemap is then skipped too
    added = archived_urls(archive) - before
    assert added == {read_entry(ARCHIVE / "duty-machine-news_rfi_999990.md").url}  # 2024-02-03


@pytest.mark.vcr("discovery.yaml")
def test_discovery_off_refreshes_only(archive, vcr):
    before = archived_urls(archive)
    crawler = run_crawl(archive, vcr, RFI_DISCOVERY=False, **WIDE_OPEN)
    assert archived_urls(archive) == before
    assert crawler.stats.get_value("discovery/new") is None
    assert last_report(archive)["counts"]["checked"] == 4


# --- the listing parsers, on the fixtures' listings -----------------------------

ENTRIES = [read_entry(ARCHIVE / n) for n in DISCOVERED["feed"]]


def test_rss_items_give_canonical_urls_and_dates():
    listed = rss_articles(factory.rss(ENTRIES))
    assert [item.url for item in listed] == [e.url for e in ENTRIES]
    assert listed[0].published == datetime(2024, 2, 3, 0, 43, tzinfo=UTC)


def test_news_sitemap_gives_publication_dates():
    kind, listed = sitemap_listing(factory.news_sitemap(ENTRIES))
    assert kind == "urlset"
    assert listed[1].published == datetime(2023, 11, 3, 14, 55, tzinfo=UTC)  # 15:55 in Paris


def test_sitemap_index_lists_child_sitemaps_with_lastmod():
    body = factory.sitemap_index([("https://www.rfi.fr/sitemaps/cn/2023-10.xml", "2023-10-31")])
    kind, listed = sitemap_listing(body)
    assert kind == "sitemapindex"
    assert listed[0].url.endswith("2023-10.xml") and listed[0].lastmod.year == 2023


def test_section_page_links_are_deduplicated_and_restricted_to_cn_articles():
    page = compose_section_page(ENTRIES).encode()
    listed = section_articles(page, "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/")
    assert [item.url for item in listed] == [e.url for e in ENTRIES]


def test_non_cn_and_non_article_links_are_ignored():
    feed = (
        b"<rss><channel><item><link>https://www.rfi.fr/en/france/20240131-x</link></item>"
        b"<item><link>https://www.rfi.fr/cn/</link></item>"
        b"<item><link>https://example.com/cn/20240101-x</link></item></channel></rss>"
    )
    assert rss_articles(feed) == []


@pytest.mark.vcr("discovery.yaml")
def test_a_sitemap_lastmod_newer_than_the_last_check_makes_an_article_due(archive, vcr):
    from newsspider.archive.state import CrawlState

    run_crawl(archive, vcr, **WIDE_OPEN)  # everything checked now
    second = read_entry(ARCHIVE / SMALL_ARCHIVE[1])  # listed in the monthly sitemap
    listed_lastmod = datetime(2023, 9, 26, 8, 44, tzinfo=UTC)  # its lastmod there
    with CrawlState.open(archive) as state:
        state.record_check(
            second.url, int(listed_lastmod.timestamp() * 1000) - 60_000, changed=False
        )
    # A schedule under which nothing is due for centuries: only the lastmod can make it due.
    slow_schedule = {
        **WIDE_OPEN,
        "RFI_RECHECK_MIN_HOURS": 24 * 100_000,
        "RFI_RECHECK_MAX_DAYS": 100_000,
    }
    crawler = run_crawl(archive, vcr, **slow_schedule)
    assert crawler.stats.get_value("discovery/lastmod_due") == 1
    assert last_report(archive)["counts"] == {
        "checked": 1,
        "unchanged": 1,
        "updated": 0,
        "new": 0,
        "gone": 0,
        "failed": 0,
    }


def test_a_listing_that_answers_404_is_one_warning_not_a_crash(tmp_path, caplog):
    from vcr.cassette import Cassette
    from vcr.record_mode import RecordMode
    from vcr.request import Request as VcrRequest

    archive = make_archive(tmp_path / "archive", [SMALL_ARCHIVE[0]])
    cassette = Cassette.load(path=str(factory.CASSETTES / "demo.yaml"), record_mode=RecordMode.NONE)
    missing = "https://www.rfi.fr/cn/missing/rss"
    cassette.append(
        VcrRequest("GET", missing, None, {}),
        {"status": {"code": 404, "message": "Not Found"}, "headers": {}, "body": {"string": b""}},
    )
    feeds = [*factory.CN.feeds, missing]
    crawler = run_crawl(archive, cassette, RFI_FEEDS=feeds)
    assert crawler.stats.get_value("discovery/failed_listings") == 1
    assert crawler.stats.get_value("spider_exceptions/ValueError") is None
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(m.startswith(f"listing {missing} not read: HTTP 404") for m in warnings)
    assert last_report(archive)["counts"]["unchanged"] == 1


def test_only_monthly_contents_sitemaps_recent_enough_are_read_oldest_first():
    from datetime import UTC, datetime

    from newsspider.discovery import Listed, recent_monthly_sitemaps

    base = "https://www.rfi.fr/sitemaps/cn/"
    children = [
        Listed(base + name)
        for name in (
            "contents_202312.xml",
            "tags_1.xml",
            "contents_202310.xml",
            "shows.xml",
            "contents_202311.xml",
            "contents_202313.xml",  # no such month
            "pagebuilder.xml",
        )
    ]
    oldest = datetime(2023, 11, 20, tzinfo=UTC)
    assert recent_monthly_sitemaps(children, oldest) == [
        base + "contents_202311.xml",  # can hold articles from Nov 20 on
        base + "contents_202312.xml",
    ]
