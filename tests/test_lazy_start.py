"""Due articles are handed to Scrapy a reserve at a time as the crawl goes, not all at once.

Queued all at once, 100,000 due articles were 100,000 live requests (peak RSS
500 MiB, most of a run spent in the garbage collector's full scans):
bench/frontier.py measures the 304 path at 5,000 and 100,000 due.
"""

from __future__ import annotations

import gc

import pytest
from scrapy import signals

from newsspider import settings as project
from newsspider.archive import Entry, canonical_url, read_entry
from newsspider.frontier import FEED_RESERVE
from tests import cassette_factory
from tests.cassette_factory import DISCOVERED, SMALL_ARCHIVE
from tests.conftest import SHARED_ARCHIVE, make_archive, run_crawl
from tests.live_site import crawl, path, report
from tests.loopback import LoopbackServer

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

DUE = 250


class SchedulerWatch:
    """Extension: the most requests that waited in the scheduler at once (a loopback
    download), and the URLs answered, in order."""

    most_waiting = 0
    answered: list[str] = []

    def __init__(self, crawler):
        self.waiting = 0
        type(self).most_waiting = 0
        type(self).answered = []
        crawler.signals.connect(self.scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.left, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.left, signal=signals.request_dropped)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def scheduled(self, request):
        self.waiting += 1
        type(self).most_waiting = max(type(self).most_waiting, self.waiting)

    def left(self, request):
        self.waiting -= 1

    def response_received(self, response, request):
        self.answered.append(request.url)


def archive_of(folder, count: int) -> list[Entry]:
    """``count`` entries made from a real sample, each its own article."""
    seed = read_entry(SHARED_ARCHIVE / "seed_000_fa28d98bcef6ab2a.txt")
    folder.mkdir()
    entries = []
    for i in range(count):
        entry = Entry(seed.timestamp + i, f"{seed.title}（{i}）", f"{seed.url}-{i}", seed.html)
        (folder / f"{i:03d}.txt").write_bytes(entry.serialize())
        entries.append(entry)
    return entries


def test_due_articles_wait_outside_the_scheduler_beyond_a_reserve(tmp_path):
    entries = archive_of(tmp_path / "archive", DUE)
    thresholds = gc.get_threshold()
    site = LoopbackServer({path(e): (lambda n: (304, {}, b"")) for e in entries})
    with site:
        crawl(
            tmp_path / "archive",
            site,
            CONCURRENT_REQUESTS=2,
            EXTENSIONS={**project.EXTENSIONS, f"{__name__}.SchedulerWatch": 0},
        )
    counts = report(tmp_path / "archive")["counts"]
    assert (counts["checked"], counts["unchanged"]) == (DUE, DUE)
    # At most the reserve, and the few the downloader's middlewares hold (robots.txt);
    # all 250 at once before.
    assert SchedulerWatch.most_waiting <= FEED_RESERVE + 2
    # What start-up froze is collectable again, as often as before the crawl.
    assert (gc.get_freeze_count(), gc.get_threshold()) == (0, thresholds)


def test_listings_are_read_first_and_never_ask_again_for_a_due_article(tmp_path):
    from vcr.cassette import Cassette
    from vcr.record_mode import RecordMode

    archive = make_archive(tmp_path / "archive", SMALL_ARCHIVE)  # never checked: all due
    cassette = Cassette.load(
        path=str(cassette_factory.CASSETTES / "test_discovery" / "discovery.yaml"),
        record_mode=RecordMode.NONE,
    )
    watch = {**project.EXTENSIONS, f"{__name__}.SchedulerWatch": 0}
    crawler = run_crawl(
        archive, cassette, RFI_OLDEST_DAYS=36500, RFI_MAX_SITEMAPS=1, EXTENSIONS=watch
    )
    new = len({name for names in DISCOVERED.values() for name in names})
    counts = report(archive)["counts"]
    assert (counts["checked"], counts["unchanged"], counts["new"]) == (4 + new, 4, new)
    assert crawler.stats.get_value("discovery/lastmod_due") is None
    due = {canonical_url(read_entry(archive / name).url) for name in SMALL_ARCHIVE}
    articles = [url for url in SchedulerWatch.answered if not url.endswith("robots.txt")]
    assert sorted(u for u in articles if u in due) == sorted(due)  # each asked once
    assert (
        articles[0] not in due
    )  # listings first: new articles are found early, however many are due


def test_requests_carry_the_validators_read_from_the_crawl_state_when_asked(tmp_path):
    from scrapy.utils.test import get_crawler

    from newsspider.archive.state import CrawlState
    from newsspider.schedule import ArchivedArticles
    from newsspider.spiders.rfi import RfiSpider

    entries = archive_of(tmp_path / "archive", 3)
    checked, never = canonical_url(entries[0].url), canonical_url(entries[1].url)
    settings = {"ARCHIVE_DIR": str(tmp_path / "archive"), "RFI_MAX_CHECKS_PER_RUN": 10}
    spider = RfiSpider.from_crawler(get_crawler(RfiSpider, settings))
    with CrawlState.open(tmp_path / "archive") as state:
        state.record_check(checked, 1_000, changed=True, etag='"v1"', last_modified="Fri")
        spider.state, spider.known, spider.requested = state, ArchivedArticles(state), set()
        assert len(spider.due_articles()) == 3 and len(spider.known) == 3
        state.record_check(checked, 2_000, changed=False, etag='"v2"')  # after start-up
        assert spider.article_request(checked).headers[b"If-None-Match"] == b'"v2"'
        assert b"If-None-Match" not in spider.article_request(never).headers
        assert "https://www.rfi.fr/cn/not-archived" not in spider.known
