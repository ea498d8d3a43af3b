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
from datetime import UTC, datetime, timedelta

import scrapy
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from newsspider.answers import declared_urls, describe, incomplete, one_line, same_url
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.state import CheckState, CrawlState
from newsspider.archive.urls import canonical_url, is_rfi_article_url
from newsspider.discovery import Listed, rss_articles, section_articles, sitemap_listing
from newsspider.extensions.ledger import ARTICLE
from newsspider.items import GONE_STATUSES, NOT_MODIFIED, ArticleItem, article_item, failed_item
from newsspider.loaders import load_article
from newsspider.page import article as page
from newsspider.schedule import RecheckPolicy


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
            meta={ARTICLE: url, "handle_httpstatus_list": [NOT_MODIFIED, *GONE_STATUSES]},
            cb_kwargs={"archived_url": url},
        )

    def parse_article(self, response, archived_url: str | None = None):
        """One ArticleItem per answer: a page, a 304, a 404/410, or a failure.

        ``archived_url`` is the article asked for (default: the request's URL,
        as with ``scrapy parse --spider=rfi URL``).
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
            tree = page.parse_page(response.body)
        except ValueError as exc:  # lxml refuses an empty or broken document
            return self.failed(url, f"page does not parse: {exc}", status=response.status)
        article = page.article_root(tree)
        if article is None:
            reason = "no article on the page (template changed?)"
            return self.failed(url, reason, status=response.status)
        for declared in declared_urls(tree):
            if not same_url(declared, url):
                reason = f"suspect: page is {one_line(declared)}"
                return self.failed(url, reason, status=response.status)
        return load_article(response, tree, article, url)

    def not_this_page(self, response, url: str) -> str | None:
        """Why the answer is not the whole page of this article, or None."""
        if not same_url(response.url, url):
            if not is_rfi_article_url(response.url):
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


def article_of(request) -> str:
    """The article a request (or, for ``scrapy parse``, a response) is for."""
    url = request.meta.get(ARTICLE) if hasattr(request, "meta") else None
    if url:
        return url
    try:
        return canonical_url(request.url)
    except ValueError:
        return request.url
