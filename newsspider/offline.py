"""The spider's page -> entry path, run on a stored response instead of a live one.

``scrapy archive rebuild`` hands each raw capture to :func:`capture_normalizer`,
which runs exactly what a crawl runs on that page (decoding, the article
checks, the loader, validation), so a rebuilt entry is what a crawl would
write today.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.http import Headers, Request
from scrapy.responsetypes import responsetypes

from newsspider.archive.captures import Capture
from newsspider.items import ArticleItem
from newsspider.pipelines.validate import problem
from newsspider.spiders.rfi import RfiSpider


def capture_normalizer(settings):
    """A function Capture -> (title, html) that raises ValueError with the reason."""
    spider = RfiSpider.from_crawler(Crawler(RfiSpider, settings))

    def normalize(capture: Capture) -> tuple[str, str]:
        failures: list[str] = []
        spider.fail = lambda url, reason: failures.append(reason)
        headers = Headers()
        for name, value in capture.headers:
            # The capture's body is decoded already; its length is the body's.
            if name.lower() not in ("content-encoding", "content-length"):
                headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=headers, url=capture.url, body=capture.body)
        response = cls(
            url=capture.url,
            status=capture.status,
            headers=headers,
            body=capture.body,
            request=Request(capture.url),
        )
        items = [
            i for i in spider.parse_article(response, capture.url) if isinstance(i, ArticleItem)
        ]
        if not items:
            raise ValueError(failures[0] if failures else "no article on the page")
        reason = problem(items[0])
        if reason:
            raise ValueError(reason)
        return items[0]["title"], items[0]["html"]

    return normalize
