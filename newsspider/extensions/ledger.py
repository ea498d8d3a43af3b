"""Every article a run starts ends as exactly one item.

An article request carries its article's URL in ``request.meta[ARTICLE]``
(redirects and retries copy it). The ledger counts an article as started
when its first request is scheduled, and as finished when its item leaves
the pipelines. Some requests can end without reaching the spider: the
dupefilter drops a redirect to a URL already fetched, the off-site filter
swallows a redirect off www.rfi.fr (newsspider.middlewares.redirects fails
most of those first, with their reason; this is the net behind it). Such an
article gets a failed item with the best reason known (``redirected to …``,
``redirected off the site, to …``) as soon as it is known lost, or at the
latest when the spider goes idle, so ``checked`` always equals started.

It is also the one place that logs each failed article (one ERROR line) and
sends ``newsspider.signals.article_failed`` for it.

Stats: ``refresh/started`` (articles started), ``refresh/lost`` (articles
whose failure the ledger wrote), ``refresh/unfinished`` (started but not
finished when the run was stopped early, e.g. by Ctrl-C).
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.url import url_is_from_any_domain
from twisted.python.failure import Failure

from newsspider.answers import one_line, redirect_loop, same_url
from newsspider.items import failed_item
from newsspider.signals import article_failed

logger = logging.getLogger(__name__)

ARTICLE = "newsspider_article"
"""Request meta key: the article (canonical URL) a request is for."""


class ArticleLedger:
    def __init__(self, crawler):
        self.crawler = crawler
        self.started: set[str] = set()
        self.pending: dict[str, str] = {}
        """Started, not finished: article URL -> URL of its latest request."""
        self.dropped: dict[str, str] = {}
        """Article URL -> why its request was dropped by the scheduler."""
        self.finished: set[str] = set()
        self.written: set[str] = set()
        """Lost articles whose failed item the ledger sent through the pipelines."""
        self.in_flight: set = set()

    @classmethod
    def from_crawler(cls, crawler):
        ledger = cls(crawler)
        connect = crawler.signals.connect
        connect(ledger.request_scheduled, signal=signals.request_scheduled)
        connect(ledger.request_dropped, signal=signals.request_dropped)
        connect(ledger.item_scraped, signal=signals.item_scraped)
        connect(ledger.item_finished, signal=signals.item_dropped)
        connect(ledger.item_finished, signal=signals.item_error)
        connect(ledger.spider_idle, signal=signals.spider_idle)
        connect(ledger.spider_closed, signal=signals.spider_closed)
        return ledger

    def request_scheduled(self, request):
        url = request.meta.get(ARTICLE)
        if url is None:
            return
        if url not in self.started:
            self.started.add(url)
            self.crawler.stats.set_value("refresh/started", len(self.started))
        if url not in self.finished and url not in self.written:
            self.pending[url] = request.url  # its latest request: a redirect, a retry

    def request_dropped(self, request):
        url = request.meta.get(ARTICLE)
        if url is None or url not in self.pending:
            return
        self.dropped[url] = _dropped_reason(request)
        self._write_lost(url)  # known lost now: no need to wait for idle

    def item_scraped(self, item):
        self.item_finished(item)
        if item.get("outcome") == "failed":
            url, reason = item.get("url"), item.get("reason")
            logger.error("failed %s: %s", url, reason)
            self.crawler.signals.send_catch_log(signal=article_failed, url=url, reason=reason)

    def item_finished(self, item):
        url = item.get("url") if hasattr(item, "get") else None
        if url in self.started:
            self.finished.add(url)
            self.pending.pop(url, None)

    def spider_idle(self):
        for url in list(self.pending):
            if url not in self.written:
                self._write_lost(url)
        if self.pending:
            raise DontCloseSpider  # their failed items are still in the pipelines

    def _write_lost(self, url: str) -> None:
        """Send the failed item of a lost article through the pipelines."""
        self.written.add(url)
        self.crawler.stats.inc_value("refresh/lost")
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        reason = self.dropped.get(url) or _lost_reason(url, self.pending.get(url, url), domains)
        item = failed_item(url, reason, timestamp=int(time.time() * 1000))
        scraper = self.crawler.engine.scraper
        done = deferred_from_coro(scraper.start_itemproc_async(item, response=None))
        self.in_flight.add(done)
        done.addBoth(self._item_done, url, done)

    def _item_done(self, result, url, done):
        self.in_flight.discard(done)
        if isinstance(result, Failure):
            logger.error("failed item of %s not processed: %s", url, result.getErrorMessage())
        self.finished.add(url)  # whatever the pipelines did, it is accounted for
        self.pending.pop(url, None)

    def spider_closed(self, reason):
        unfinished = sorted(set(self.pending) - self.written)
        if unfinished:
            self.crawler.stats.set_value("refresh/unfinished", len(unfinished))
            logger.warning(
                "%d started articles not finished: the run stopped (%s) before their answer",
                len(unfinished),
                reason,
            )


def _dropped_reason(request) -> str:
    """A request of the article that the dupefilter dropped: its URL was asked for before."""
    chain = request.meta.get("redirect_urls", [])
    loop = redirect_loop(request.url, chain) if chain else None
    return loop or one_line(f"redirected to {request.url}, a page this run fetched already")


def _lost_reason(article: str, last_url: str, domains: list[str]) -> str:
    """An article whose request vanished without an answer or a drop."""
    if domains and not url_is_from_any_domain(last_url, domains):
        return one_line(f"redirected off the site, to {last_url}")
    if not same_url(last_url, article):
        return one_line(f"redirected to {last_url}, which was never fetched")
    return "request ignored before download"
