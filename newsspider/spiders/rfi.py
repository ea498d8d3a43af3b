"""The ``rfi`` spider: keep the archive of RFI Chinese current.

Follow one URL: ``start()`` picks the archived articles that are due
(newsspider.schedule) and asks for each conditionally (ETag/Last-Modified);
``parse_article`` turns the answer into one ArticleItem (newsspider.items):
the page (newsspider.loaders), or a failure with a one-line reason
(newsspider.answers); the pipelines validate it, hold back suspect pages and
dedupe it against the archive (newsspider.pipelines); ArticleLedger makes
sure every started article ends as one item; RefreshReport counts outcomes.
With RFI_DISCOVERY, the same start also reads RFI's feeds, sitemaps and
section pages (newsspider.discovery) and sends new article URLs down the
same path.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cached_property

import scrapy
from twisted.python.failure import Failure

from newsspider import rfi_sources
from newsspider.answers import declared_urls, describe, incomplete, one_line, same_url
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.state import CheckState, CrawlState
from newsspider.archive.urls import canonical_url, is_rfi_article_url
from newsspider.discovery import (
    Listed,
    ListingError,
    recent_monthly_sitemaps,
    rss_articles,
    section_articles,
    sitemap_listing,
)
from newsspider.extensions.ledger import ARTICLE
from newsspider.frontier import can_feed, collector_restored, collector_tuned, feed
from newsspider.items import GONE_STATUSES, NOT_MODIFIED, ArticleItem, article_item, failed_item
from newsspider.loaders import load_article
from newsspider.middlewares.capture import CAPTURE_META, EXCHANGE_META
from newsspider.page import article as page
from newsspider.schedule import ArchivedArticles, RecheckPolicy
from newsspider.signals import listed_article_skipped, listing_failed


def now_ms() -> int:
    return int(time.time() * 1000)


class RfiSpider(scrapy.Spider):
    name = "rfi"
    allowed_domains = ["www.rfi.fr"]
    archive_callbacks = ("parse_feed", "parse_sitemap", "parse_section")
    """Callbacks that read the archive (discovery decides what is new): with REDIS_URL,
    a worker sends their responses to the archive's process, where they run."""

    @cached_property
    def edition(self) -> rfi_sources.Edition:
        """The edition this archive keeps (RFI_EDITION): its path, listings and labels."""
        return rfi_sources.EDITIONS[self.settings.get("RFI_EDITION", rfi_sources.DEFAULT_EDITION)]

    async def start(self):
        if self.crawler.stats.get_value("refresh/refused"):
            return  # another run holds the archive, or it cannot be written (RunLock)
        settings = self.settings
        self.state = CrawlState.open(settings["ARCHIVE_DIR"])
        self.known: Mapping[str, CheckState | None] = ArchivedArticles(self.state)
        self.requested: set[str] = set()
        self.new_budget = settings.getint("RFI_MAX_NEW_ARTICLES")
        self.oldest = datetime.now(UTC) - timedelta(days=settings.getfloat("RFI_OLDEST_DAYS"))

        due = self.due_articles()
        self.crawler.stats.set_value("refresh/due", len(due))
        self.logger.info("refresh: %d of %d archived articles due", len(due), len(self.known))
        self.requested.update(due)  # a listing that shows one of them does not ask again
        self.gc_thresholds = collector_tuned()  # the frontier's note says why
        if settings.getbool("RFI_DISCOVERY"):
            for url in self.listings("RFI_FEEDS", self.edition.feeds):
                yield self.listing_request(url, self.parse_feed)
            for url in self.listings("RFI_SITEMAPS", self.edition.sitemaps):
                yield self.listing_request(url, self.parse_sitemap)
            for url in self.listings("RFI_SECTIONS", self.edition.listing_pages):
                yield self.listing_request(url, self.parse_section)
        if not can_feed(self.crawler.engine.scheduler):
            for url in due:  # a scheduler that cannot say how much waits: it gets them all
                yield self.article_request(url)
            return
        await feed(self.crawler, (self.article_request(url) for url in due))

    def listings(self, setting: str, edition_default: list[str]) -> list[str]:
        """A listing setting's URLs; unset (None) means the edition's own."""
        if self.settings.get(setting) is None:
            return edition_default
        return self.settings.getlist(setting)

    def due_articles(self) -> list[str]:
        """Archived URLs due now, most overdue first, at most RFI_MAX_CHECKS_PER_RUN."""
        policy = RecheckPolicy.from_settings(self.settings)
        everything = self.settings.getbool("RFI_RECHECK_EVERYTHING")
        now = now_ms()
        candidates = []
        with ArchiveIndex.open(self.settings["ARCHIVE_DIR"]) as index:
            for entry in index:
                if entry.canonical_url in self.known:
                    continue  # a duplicate file of one article: checked once
                state = self.state.get(entry.canonical_url)  # one at a time: none kept
                self.known.add(entry.canonical_url)
                due_at = policy.due_at(state, entry.timestamp)
                if everything or due_at <= now:
                    candidates.append((due_at, -entry.timestamp, entry.canonical_url))
        candidates.sort()
        limit = self.settings.getint("RFI_MAX_CHECKS_PER_RUN")
        return [url for _, _, url in candidates[:limit] if limit > 0]

    def article_request(self, url: str) -> scrapy.Request:
        self.requested.add(url)
        headers = {}
        state = self.known.get(url)
        if state is not None:  # only archived articles can be "not modified"
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
        return scrapy.Request(
            url,
            headers=headers,
            callback=self.parse_article,
            errback=self.article_error,
            meta={
                ARTICLE: url,
                "handle_httpstatus_list": [NOT_MODIFIED, *GONE_STATUSES],
                CAPTURE_META: True,
            },
            cb_kwargs={"archived_url": url},
        )

    def parse_article(self, response, archived_url: str | None = None):
        """One ArticleItem per answer: a page, a 304, a 404/410, or a failure.

        ``archived_url`` is the article asked for (default: the request's URL,
        as with ``scrapy parse --spider=rfi URL``). Contracts (``scrapy check rfi
        -s VCR_CASSETTE=cassettes/demo.yaml``), on the demo cassette's article:

        @url https://www.rfi.fr/cn/国际/20231013-白宫-朝鲜已向俄罗斯提供逾1千个集装箱的装备和弹药
        @returns items 1 1
        @returns requests 0 0
        @scrapes url title html timestamp fingerprint published etag last_modified
        @whole_page
        """
        url = archived_url or article_of(response.request or response)
        try:
            item = self.article_item(response, url)
        except Exception as exc:  # a bug must not lose the article, nor print a traceback
            self.logger.debug("parse_article(%s) raised", url, exc_info=True)
            item = self.failed(url, f"page not read: {one_line(f'{type(exc).__name__}: {exc}')}")
            item["status"] = response.status
        yield item

    def parse(self, response):
        """``scrapy parse --spider=rfi URL`` (no ``-c``) reads the URL as an article."""
        return self.parse_article(response)

    def article_item(self, response, url: str) -> ArticleItem:
        if response.status == NOT_MODIFIED or response.status in GONE_STATUSES:
            return article_item(url, status=response.status, timestamp=now_ms())
        problem = self.not_this_page(response, url)
        if problem:
            return self.failed(url, problem, status=response.status)
        try:
            tree = page.parse_response(response.body, response.headers.get(b"Content-Type"))
        except ValueError as exc:  # an empty, undecodable or broken page (PageError)
            return self.failed(url, f"page does not parse: {exc}", status=response.status)
        article = page.article_root(tree)
        if article is None:
            reason = "no article on the page (template changed?)"
            return self.failed(url, reason, status=response.status)
        for declared in declared_urls(tree):
            if not same_url(declared, url):
                reason = f"suspect: page is {one_line(declared)}"
                return self.failed(url, reason, status=response.status)
        item = load_article(response, tree, article, url, self.edition)
        if item["parts"].get("author") is False:
            # A column's entries end with its byline; without it the entry would be degraded.
            reason = "suspect: no author block (a column needs its .m-from-author byline)"
            failed = self.failed(url, reason, status=response.status)
            failed["parts"] = item["parts"]  # still counted for template drift
            return failed
        exchange = response.meta.get(EXCHANGE_META) if response.request else None
        if exchange is not None:
            item["capture"] = exchange  # the capture pipeline takes it out again
        return item

    def not_this_page(self, response, url: str) -> str | None:
        """Why the answer is not the whole page of this article, or None."""
        if not same_url(response.url, url):
            if not is_rfi_article_url(response.url, self.edition.path):
                return f"redirected away from the article, to {one_line(response.url)}"
            return f"redirected to {one_line(response.url)}"
        return incomplete(response)

    def article_error(self, failure: Failure):
        """A request that got no page: its article fails with a one-line reason."""
        yield self.failed(article_of(failure.request), describe(failure))

    def failed(self, url: str, reason: str, **values) -> ArticleItem:
        """The item of an article that could not be checked; the archive is untouched."""
        return failed_item(url, reason, timestamp=now_ms(), **values)

    # --- discovery --------------------------------------------------------------

    def listing_request(self, url: str, callback) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.listing_error, priority=10)

    def listing_error(self, failure: Failure):
        self.listing_not_read(failure.request.url, describe(failure))

    def listing_not_read(self, url: str, reason: str) -> None:
        """One line per listing that could not be read; nothing in it is used."""
        self.crawler.stats.inc_value("discovery/failed_listings")
        self.logger.warning("listing %s not read: %s", url, reason)
        self.crawler.signals.send_catch_log(listing_failed, url=url, reason=reason)

    def parse_feed(self, response):
        try:
            listed = rss_articles(
                response.body, self.settings.getint("DOWNLOAD_MAXSIZE"), self.edition.path
            )
        except ListingError as exc:
            self.listing_not_read(response.url, str(exc))
            return
        self.crawler.stats.inc_value("discovery/feeds")
        yield from self.consider(listed)

    def parse_sitemap(self, response):
        try:
            kind, listed = sitemap_listing(
                response.body, self.settings.getint("DOWNLOAD_MAXSIZE"), self.edition.path
            )
        except ListingError as exc:
            self.listing_not_read(response.url, str(exc))
            return
        self.crawler.stats.inc_value(f"discovery/{kind}")
        if kind == "sitemapindex":
            limit = self.settings.getint("RFI_MAX_SITEMAPS")
            for url in recent_monthly_sitemaps(listed, self.oldest)[-limit:] if limit > 0 else []:
                yield self.listing_request(url, self.parse_sitemap)
            return
        yield from self.consider(listed)

    def parse_section(self, response):
        try:
            listed = section_articles(response.body, response.url, self.edition.path)
        except ListingError as exc:
            self.listing_not_read(response.url, str(exc))
            return
        self.crawler.stats.inc_value("discovery/sections")
        yield from self.consider(listed)

    def consider(self, listed: list[Listed]):
        """Requests for what a listing shows that this run has not asked for yet."""
        stats = self.crawler.stats
        for item in listed:
            if item.url in self.requested:
                continue
            if item.url in self.known:
                state = self.known[item.url]
                # A listing's lastmod (sitemaps) or pubDate (feeds) after the last check.
                changed_at = max(filter(None, (item.lastmod, item.published)), default=None)
                lastmod_ms = int(changed_at.timestamp() * 1000) if changed_at else None
                checked = state.last_checked_ms if state else None
                if lastmod_ms and checked and lastmod_ms > checked:
                    self.state.record_listed(item.url, lastmod_ms)  # due now, and next run
                    stats.inc_value("discovery/lastmod_due")
                    yield self.article_request(item.url)
                continue
            if item.published and item.published < self.oldest:
                stats.inc_value("discovery/too_old")
                self.crawler.signals.send_catch_log(
                    listed_article_skipped, url=item.url, why="too_old"
                )
                continue
            if self.new_budget <= 0:
                stats.inc_value("discovery/over_limit")
                self.crawler.signals.send_catch_log(
                    listed_article_skipped, url=item.url, why="over_cap"
                )
                continue
            self.new_budget -= 1
            stats.inc_value("discovery/new")
            yield self.article_request(item.url)

    def closed(self, reason):
        collector_restored(getattr(self, "gc_thresholds", None))
        state = getattr(self, "state", None)
        if state is not None:
            state.close()


def article_of(request) -> str:
    """The article a request (or, for ``scrapy parse``, a response) is for."""
    url = request.meta.get(ARTICLE) if hasattr(request, "meta") else None
    if url:
        return url
    try:
        return canonical_url(request.url)
    except ValueError:
        return request.url
