"""Test-only download handler: RFI's URLs are fetched from a loopback server.

The crawl keeps asking for ``https://www.rfi.fr/…`` (the product's URLs,
robots.txt, off-site checks and redirects all see those); only the download
itself goes to ``LOOPBACK_BASE`` + the same path, through Scrapy's own HTTP
handler (aiohttp without a Twisted reactor, Twisted's HTTP/1.1 client with
one), and the answer comes back under the RFI URL. Anything else is refused
before a socket is opened: tests never reach past 127.0.0.1.

Enable it with the settings of :func:`reroute_settings`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import DownloadConnectionRefusedError, NotConfigured
from scrapy.utils.misc import build_from_crawler, load_object

RFI_HOSTS = ("www.rfi.fr", "rfi.fr")
HANDLERS = {
    False: "scrapy.core.downloader.handlers._aiohttp.AiohttpDownloadHandler",
    True: "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
}


class LoopbackRerouteHandler:
    lazy = False

    def __init__(self, crawler):
        self.base = crawler.settings.get("LOOPBACK_BASE")
        if not self.base or urlsplit(self.base).hostname != "127.0.0.1":
            raise NotConfigured("LOOPBACK_BASE must be http://127.0.0.1:<port>")
        reactor = crawler.settings.getbool("TWISTED_REACTOR_ENABLED")
        self.inner = build_from_crawler(load_object(HANDLERS[reactor]), crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def download_request(self, request):
        parts = urlsplit(request.url)
        if parts.hostname not in RFI_HOSTS:
            raise DownloadConnectionRefusedError(f"tests only reach RFI's URLs: {request.url}")
        local = self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        response = await self.inner.download_request(request.replace(url=local))
        return response.replace(url=request.url)

    async def close(self):
        await self.inner.close()


def reroute_settings(base: str) -> dict:
    """Settings that send the crawl's www.rfi.fr downloads to ``base`` (the project's
    other download handlers, and its refusals of file: and data:, stay)."""
    from newsspider import settings as project_settings

    handler = "tests.reroute.LoopbackRerouteHandler"
    handlers = {**project_settings.DOWNLOAD_HANDLERS, "https": handler, "http": handler}
    return {"LOOPBACK_BASE": base, "DOWNLOAD_HANDLERS": handlers}


SITE = "https://www.rfi.fr/"


def run_rerouted_crawl(archive_dir, base: str, **overrides):
    """Run the rfi spider to the end against the loopback server at ``base``; return its
    crawler. A DOWNLOADER_MIDDLEWARES override is merged into the project's."""
    import asyncio

    from scrapy.crawler import AsyncCrawlerRunner

    from newsspider import settings as project_settings
    from newsspider.spiders.rfi import RfiSpider
    from tests.conftest import crawl_settings

    middlewares = {
        **project_settings.DOWNLOADER_MIDDLEWARES,
        **overrides.pop("DOWNLOADER_MIDDLEWARES", {}),
    }
    settings = crawl_settings(
        archive_dir, DOWNLOADER_MIDDLEWARES=middlewares, **reroute_settings(base), **overrides
    )

    async def crawl():
        runner = AsyncCrawlerRunner(settings)
        crawler = runner.create_crawler(RfiSpider)
        await runner.crawl(crawler)
        return crawler

    return asyncio.run(crawl())


def reroute_args(base: str) -> list[str]:
    """The same, as ``scrapy crawl`` options."""
    import json

    settings = reroute_settings(base)
    return [
        "-s",
        f"LOOPBACK_BASE={settings['LOOPBACK_BASE']}",
        "-s",
        f"DOWNLOAD_HANDLERS={json.dumps(settings['DOWNLOAD_HANDLERS'])}",
    ]
