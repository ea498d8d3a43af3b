"""An article's redirect that cannot lead to its page fails at once, in one line.

Scrapy's RedirectMiddleware follows a Location wherever it points. For an
article request, a redirect off the spider's allowed domains would then be
swallowed without a word by the off-site filter, and one back to a URL of the
same chain (a redirect to itself, a loop) by the dupefilter. This middleware
sits below RedirectMiddleware and refuses such a redirect before it is
followed: the request's errback gets ``redirected off the site, to …``,
``redirects to itself`` or ``redirect loop through …``, and nothing outside
the site is ever asked for. (Whatever else loses a request is caught by
newsspider.extensions.ledger.)
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy.utils.url import url_is_from_any_domain
from w3lib.url import safe_url_string

from newsspider.answers import ArticleRefused, one_line, redirect_loop
from newsspider.extensions.ledger import ARTICLE

REDIRECTS = (301, 302, 303, 307, 308)


class ArticleRedirectGuard:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        location = response.headers.get(b"Location")
        if ARTICLE not in request.meta or response.status not in REDIRECTS or not location:
            return response
        target = urljoin(request.url, safe_url_string(location))
        if urlsplit(target).scheme not in ("http", "https"):
            return response  # not followed by Scrapy: the errback says "redirected to file:…"
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        if domains and not url_is_from_any_domain(target, domains):
            raise ArticleRefused(one_line(f"redirected off the site, to {target}"))
        loop = redirect_loop(target, [*request.meta.get("redirect_urls", []), request.url])
        if loop:
            raise ArticleRefused(loop)
        return response
