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
    handler = "tests.reroute.LoopbackRerouteHandler"
    return {"LOOPBACK_BASE": base, "DOWNLOAD_HANDLERS": {"https": handler, "http": handler}}
