"""The ``rfi`` spider: re-fetch every archived RFI Chinese article.

Follow one URL: ``start()`` reads it from the archive index (once, canonical),
``parse_article`` turns the page into an ArticleItem (newsspider.loaders),
the pipelines validate it and dedupe it against the archive
(newsspider.pipelines), and the RefreshReport extension counts the outcome.
"""

from __future__ import annotations

import time

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newsspider.archive.index import ArchiveIndex
from newsspider.archive.urls import is_rfi_article_url
from newsspider.items import ArticleGone
from newsspider.loaders import load_article
from newsspider.page import article as page
from newsspider.signals import article_failed

GONE_STATUSES = (404, 410)


class RfiSpider(scrapy.Spider):
    name = "rfi"
    allowed_domains = ["www.rfi.fr"]

    async def start(self):
        with ArchiveIndex.open(self.settings["ARCHIVE_DIR"]) as index:
            urls = index.urls()
        self.logger.info("refresh: %d archived articles to check", len(urls))
        for url in urls:
            yield self.article_request(url)

    def article_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_error,
            meta={"handle_httpstatus_list": list(GONE_STATUSES)},
            cb_kwargs={"archived_url": url},
        )

    def parse_article(self, response, archived_url: str):
        if response.status in GONE_STATUSES:
            yield ArticleGone(
                url=archived_url, status=response.status, timestamp=int(time.time() * 1000)
            )
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
        url = request.cb_kwargs.get("archived_url", request.url)
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        else:
            reason = failure.getErrorMessage() or failure.type.__name__
            self.logger.debug("failure detail", exc_info=failure.value)
        self.fail(url, reason)

    def fail(self, url: str, reason: str) -> None:
        """One line per article that could not be checked; the archive is untouched."""
        self.logger.error("failed %s: %s", url, reason)
        self.crawler.signals.send_catch_log(signal=article_failed, url=url, reason=reason)
