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
from newsspider.pipelines.validate import problem
from newsspider.spiders.rfi import RfiSpider


def capture_normalizer(settings):
    """A function Capture -> (title, html) that raises ValueError with the reason."""
    spider = RfiSpider.from_crawler(Crawler(RfiSpider, settings))

    def normalize(capture: Capture) -> tuple[str, str]:
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
        [item] = spider.parse_article(response, capture.url)  # one item per answer
        reason = item["reason"] if item.get("outcome") == "failed" else problem(item)
        if reason:
            raise ValueError(reason)
        return item["title"], item["html"]

    return normalize
