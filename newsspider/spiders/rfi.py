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

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from newsspider.archive.index import ArchiveIndex
from newsspider.archive.state import CheckState, CrawlState
from newsspider.archive.urls import is_rfi_article_url
from newsspider.discovery import Listed, rss_articles, section_articles, sitemap_listing
from newsspider.items import ArticleGone, ArticleNotModified
from newsspider.loaders import load_article
from newsspider.page import article as page
from newsspider.schedule import RecheckPolicy
from newsspider.signals import article_failed

GONE_STATUSES = (404, 410)
NOT_MODIFIED = 304


def now_ms() -> int:
    return int(time.time() * 1000)


class RfiSpider(scrapy.Spider):
    name = "rfi"
    allowed_domains = ["www.rfi.fr"]

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
            for url in settings.getlist("RFI_FEEDS"):
                yield self.listing_request(url, self.parse_feed)
            for url in settings.getlist("RFI_SITEMAPS"):
                yield self.listing_request(url, self.parse_sitemap)
            for url in settings.getlist("RFI_SECTIONS"):
                yield self.listing_request(url, self.parse_section)

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
            meta={"handle_httpstatus_list": [NOT_MODIFIED, *GONE_STATUSES]},
            cb_kwargs={"archived_url": url},
        )

    def parse(self, response):
        """An article page, for Scrapy's tools: ``scrapy parse --spider=rfi URL``, shell."""
        return self.parse_article(response)

    def parse_article(self, response, archived_url: str | None = None):
        """The page of an archived or listed article -> one item for the pipelines.

        Contracts (``scrapy check rfi -s VCR_CASSETTE=cassettes/demo.yaml``), on the
        demo cassette's article:

        @url https://www.rfi.fr/cn/国际/20231013-白宫-朝鲜已向俄罗斯提供逾1千个集装箱的装备和弹药
        @returns items 1 1
        @returns requests 0 0
        @scrapes url title html timestamp fingerprint published etag last_modified
        """
        archived_url = archived_url or response.url
        if response.status == NOT_MODIFIED:
            yield ArticleNotModified(url=archived_url, timestamp=now_ms())
            return
        if response.status in GONE_STATUSES:
            yield ArticleGone(url=archived_url, status=response.status, timestamp=now_ms())
            return
        if not is_rfi_article_url(response.url):
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
        yield load_article(response, tree, article)

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

    def parse_feed(self, response):
        self.crawler.stats.inc_value("discovery/feeds")
        yield from self.consider(rss_articles(response.body))

    def parse_sitemap(self, response):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        kind, listed = sitemap_listing(body)
        self.crawler.stats.inc_value(f"discovery/{kind}")
        if kind == "sitemapindex":
            # Monthly sitemaps: only those that can hold articles recent enough.
            recent = [s for s in listed if s.lastmod is None or s.lastmod >= self.oldest]
            recent.sort(key=lambda s: s.lastmod or self.oldest)
            for child in recent[-self.settings.getint("RFI_MAX_SITEMAPS") :]:
                yield self.listing_request(child.url, self.parse_sitemap)
            return
        yield from self.consider(listed)

    def parse_section(self, response):
        self.crawler.stats.inc_value("discovery/sections")
        yield from self.consider(section_articles(response.body, response.url))

    def consider(self, listed: list[Listed]):
        """Requests for what a listing shows that this run has not asked for yet."""
        stats = self.crawler.stats
        for item in listed:
            if item.url in self.requested:
                continue
            if item.url in self.known:
                state = self.known[item.url]
                lastmod_ms = int(item.lastmod.timestamp() * 1000) if item.lastmod else None
                checked = state.last_checked_ms if state else None
                if lastmod_ms and checked and lastmod_ms > checked:
                    self.state.record_listed(item.url, lastmod_ms)  # due now, and next run
                    stats.inc_value("discovery/lastmod_due")
                    yield self.article_request(item.url)
                continue
            if item.published and item.published < self.oldest:
                stats.inc_value("discovery/too_old")
                continue
            if self.new_budget <= 0:
                stats.inc_value("discovery/over_limit")
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
