"""The ``rfi`` spider: keep the archive of RFI Chinese current.

Follow one URL: ``start()`` picks the archived articles that are due
(newsspider.schedule) and asks for each conditionally (ETag/Last-Modified);
``parse_article`` turns the page into an ArticleItem (newsspider.loaders);
the pipelines validate it and dedupe it against the archive
(newsspider.pipelines); RefreshReport counts the outcome. With RFI_DISCOVERY,
the same start also reads RFI's feeds, sitemaps and section pages
(newsspider.discovery) and sends new article URLs down the same path.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from functools import cached_property

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from newsspider import rfi_sources
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.state import CheckState, CrawlState
from newsspider.archive.urls import is_rfi_article_url
from newsspider.discovery import (
    Listed,
    recent_monthly_sitemaps,
    rss_articles,
    section_articles,
    sitemap_listing,
)
from newsspider.items import ArticleGone, ArticleNotModified
from newsspider.loaders import load_article
from newsspider.middlewares.capture import CAPTURE_META, EXCHANGE_META
from newsspider.page import article as page
from newsspider.schedule import RecheckPolicy
from newsspider.signals import article_failed, listed_article_skipped, listing_failed

GONE_STATUSES = (404, 410)
NOT_MODIFIED = 304


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
        self.known: dict[str, CheckState | None] = {}
        self.requested: set[str] = set()
        self.new_budget = settings.getint("RFI_MAX_NEW_ARTICLES")
        self.oldest = datetime.now(UTC) - timedelta(days=settings.getfloat("RFI_OLDEST_DAYS"))

        due = self.due_articles()
        self.crawler.stats.set_value("refresh/due", len(due))
        self.logger.info("refresh: %d of %d archived articles due", len(due), len(self.known))
        for url in due:
            yield self.article_request(url)
        if settings.getbool("RFI_DISCOVERY"):
            for url in self.listings("RFI_FEEDS", self.edition.feeds):
                yield self.listing_request(url, self.parse_feed)
            for url in self.listings("RFI_SITEMAPS", self.edition.sitemaps):
                yield self.listing_request(url, self.parse_sitemap)
            for url in self.listings("RFI_SECTIONS", self.edition.listing_pages):
                yield self.listing_request(url, self.parse_section)

    def listings(self, setting: str, edition_default: list[str]) -> list[str]:
        """A listing setting's URLs; unset (None) means the edition's own."""
        if self.settings.get(setting) is None:
            return edition_default
        return self.settings.getlist(setting)

    def due_articles(self) -> list[str]:
        """Archived URLs due now, most overdue first, at most RFI_MAX_CHECKS_PER_RUN."""
        policy = RecheckPolicy.from_settings(self.settings)
        everything = self.settings.getbool("RFI_RECHECK_EVERYTHING")
        states = self.state.all()
        now = now_ms()
        candidates = []
        with ArchiveIndex.open(self.settings["ARCHIVE_DIR"]) as index:
            for entry in index:
                if entry.canonical_url in self.known:
                    continue  # a duplicate file of one article: checked once
                state = states.get(entry.canonical_url)
                self.known[entry.canonical_url] = state
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
            meta={"handle_httpstatus_list": [NOT_MODIFIED, *GONE_STATUSES], CAPTURE_META: True},
            cb_kwargs={"archived_url": url},
        )

    def parse_article(self, response, archived_url: str):
        if response.status == NOT_MODIFIED:
            yield ArticleNotModified(url=archived_url, timestamp=now_ms())
            return
        if response.status in GONE_STATUSES:
            yield ArticleGone(url=archived_url, status=response.status, timestamp=now_ms())
            return
        if not is_rfi_article_url(response.url, self.edition.path):
            self.fail(archived_url, f"redirected away from the article, to {response.url}")
            return
        try:
            tree = page.parse_page(response.body)
        except ValueError as exc:  # lxml refuses an empty or broken document
            self.fail(archived_url, f"page does not parse: {exc}")
            return
        article = page.article_root(tree)
        if article is None:
            self.fail(archived_url, "no article on the page (template changed?)")
            return
        if page.is_column(tree) and not page.author_block(article):
            # A column's entries end with its byline; without it the entry would be degraded.
            self.fail(archived_url, "column without its byline (no .m-from-author on the page)")
            return
        item = load_article(response, tree, article, self.edition)
        item["capture"] = response.meta.get(EXCHANGE_META)
        yield item

    def article_error(self, failure: Failure):
        request = failure.request
        self.fail(request.cb_kwargs.get("archived_url", request.url), describe(failure))

    def fail(self, url: str, reason: str) -> None:
        """One line per article that could not be checked; the archive is untouched."""
        self.logger.error("failed %s: %s", url, reason)
        self.crawler.signals.send_catch_log(signal=article_failed, url=url, reason=reason)

    # --- discovery --------------------------------------------------------------

    def listing_request(self, url: str, callback) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.listing_error, priority=10)

    def listing_error(self, failure: Failure):
        self.crawler.stats.inc_value("discovery/failed_listings")
        self.logger.warning("listing %s not read: %s", failure.request.url, describe(failure))
        self.crawler.signals.send_catch_log(
            listing_failed, url=failure.request.url, reason=describe(failure)
        )

    def parse_feed(self, response):
        self.crawler.stats.inc_value("discovery/feeds")
        yield from self.consider(rss_articles(response.body, self.edition.path))

    def parse_sitemap(self, response):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        kind, listed = sitemap_listing(body, self.edition.path)
        self.crawler.stats.inc_value(f"discovery/{kind}")
        if kind == "sitemapindex":
            limit = self.settings.getint("RFI_MAX_SITEMAPS")
            for url in recent_monthly_sitemaps(listed, self.oldest)[-limit:] if limit > 0 else []:
                yield self.listing_request(url, self.parse_sitemap)
            return
        yield from self.consider(listed)

    def parse_section(self, response):
        self.crawler.stats.inc_value("discovery/sections")
        yield from self.consider(section_articles(response.body, response.url, self.edition.path))

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
        state = getattr(self, "state", None)
        if state is not None:
            state.close()


def describe(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return failure.getErrorMessage() or failure.type.__name__
