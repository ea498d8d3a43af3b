"""Test-only: send the crawl's requests for https://www.rfi.fr/ to a loopback server.

Enable with ``DOWNLOADER_MIDDLEWARES={"tests.reroute.RerouteToLoopback": 40}`` and
``TEST_REROUTE_BASE=<LoopbackServer.base>``. A request for ``https://www.rfi.fr/<path>``
is replaced by one for ``<base>/<path>``: everything below this middleware (robots.txt,
the downloader slot, the server) sees the loopback URL. Responses go back to the spider
under the www.rfi.fr URL, so the product code reads them as RFI's. Errbacks get the
loopback request (its ``cb_kwargs`` are the original's).
"""

from __future__ import annotations

import asyncio

from scrapy.crawler import AsyncCrawlerRunner
from scrapy.exceptions import NotConfigured

from newsspider import settings as project_settings
from newsspider.spiders.rfi import RfiSpider
from tests.conftest import crawl_settings

SITE = "https://www.rfi.fr/"


class RerouteToLoopback:
    def __init__(self, base: str):
        if not base.startswith("http://127.0.0.1:"):
            raise ValueError(f"TEST_REROUTE_BASE must be a loopback URL, not {base!r}")
        self.base = base.rstrip("/") + "/"

    @classmethod
    def from_crawler(cls, crawler):
        base = crawler.settings.get("TEST_REROUTE_BASE")
        if not base:
            raise NotConfigured("TEST_REROUTE_BASE is not set")
        return cls(base)

    def process_request(self, request):
        if request.url.startswith(self.base):  # e.g. robots.txt, asked for the rerouted site
            request.meta["allow_offsite"] = True
        if not request.url.startswith(SITE):
            return None
        return request.replace(
            url=self.base + request.url[len(SITE) :],
            meta={**request.meta, "allow_offsite": True},
        )

    def process_response(self, request, response):
        if response.url.startswith(self.base):
            return response.replace(url=SITE + response.url[len(self.base) :])
        return response


def run_rerouted_crawl(archive_dir, base: str, **overrides):
    """Run the rfi spider to the end against the loopback server at ``base``; return its crawler."""
    middlewares = {  # a DOWNLOADER_MIDDLEWARES given here replaces the project's: merge
        **project_settings.DOWNLOADER_MIDDLEWARES,
        "tests.reroute.RerouteToLoopback": 40,
        **overrides.pop("DOWNLOADER_MIDDLEWARES", {}),
    }
    settings = crawl_settings(
        archive_dir, TEST_REROUTE_BASE=base, DOWNLOADER_MIDDLEWARES=middlewares, **overrides
    )

    async def crawl():
        runner = AsyncCrawlerRunner(settings)
        crawler = runner.create_crawler(RfiSpider)
        await runner.crawl(crawler)
        return crawler

    return asyncio.run(crawl())
