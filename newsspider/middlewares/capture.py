"""Keep each article's HTTP exchange exactly as it crossed the wire.

At 945, between the cassette middleware (950) and everything that rewrites a
response (decompression at 590, redirects, retries), this middleware sees the
request as sent and the response as received, and hangs them on the request's
meta as an :class:`~newsspider.archive.captures.Exchange`. The spider passes it
on in the item; the capture pipeline stores it when the article's entry changed
(``ARCHIVE_CAPTURES``).
"""

from __future__ import annotations

from scrapy.exceptions import NotConfigured

from newsspider.archive.captures import Exchange

CAPTURE_META = "capture"
"""Set (True) by the spider on the requests whose answers may be captured."""
EXCHANGE_META = "capture_exchange"


class CaptureMiddleware:
    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.get("ARCHIVE_CAPTURES") == "none":
            raise NotConfigured
        return cls()

    def process_response(self, request, response):
        if request.meta.get(CAPTURE_META) and response.status == 200:
            request.meta[EXCHANGE_META] = Exchange(
                url=request.url,
                method=request.method,
                request_headers=_pairs(request.headers),
                status=response.status,
                response_headers=_pairs(response.headers),
                body=response.body,
            )
        return response


def _pairs(headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]
