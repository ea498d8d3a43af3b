"""What an answer to an article request means, in one line.

- :func:`describe`: a download failure (Scrapy's, Twisted's or aiohttp's
  exception, as Scrapy hands it to an errback) as a short reason a person
  reads in the log and the report: ``connection closed before any answer``,
  ``answer is not HTTP``, ``redirected to file:///etc/passwd``; never a repr.
- :func:`incomplete`: a response that arrived but is not the whole page.
- :func:`declared_urls`: the URLs a page says it is (canonical link, og:url).
- :func:`redirect_loop`: whether a redirect leads back into its own chain.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error
from twisted.python.failure import Failure
from twisted.web import _newclient as tx_client
from w3lib.url import safe_url_string

from newsspider.archive.urls import canonical_url

MAX_REASON = 2500
"""Longest reason kept (a reason is one line in a log, a report and a CSV cell)."""


class ArticleRefused(IgnoreRequest):
    """An article request given up on purpose; ``str()`` is the one-line reason."""


NOT_HTTP = "answer is not HTTP"
CLOSED_BEFORE_ANSWER = "connection closed before any answer"
CUT_SHORT = "answer cut short: the connection closed before the whole page arrived"


def describe(failure: Failure) -> str:
    """One line saying why a request got no usable answer."""
    exc = failure.value
    request = getattr(failure, "request", None)
    if isinstance(exc, HttpError):
        return _http_error(exc.response)
    if isinstance(exc, ArticleRefused):
        return str(exc)
    if isinstance(exc, IgnoreRequest):
        return _ignored(exc, request)
    if isinstance(exc, ResponseDataLossError):
        return CUT_SHORT
    if isinstance(exc, DownloadTimeoutError | tx_error.TimeoutError):
        timeout = request.meta.get("download_timeout") if request is not None else None
        return f"no answer within {timeout:g} s" if timeout else "no answer in time"
    if isinstance(exc, DownloadCancelledError):
        return "page larger than DOWNLOAD_MAXSIZE" if "max size" in str(exc) else "cancelled"
    if isinstance(exc, CannotResolveHostError | tx_error.DNSLookupError):
        return "host name not found (DNS)"
    if isinstance(exc, DownloadConnectionRefusedError | tx_error.ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, tx_error.TCPTimedOutError):
        return "connection timed out"
    if isinstance(exc, UnsupportedURLSchemeError):
        return "URL scheme not supported"
    causes = _causes(exc)
    if any(_is_not_http(c) for c in causes):
        return NOT_HTTP
    if any(isinstance(c, tx_client.ResponseNeverReceived) for c in causes) or any(
        type(c).__name__ == "ServerDisconnectedError" for c in causes
    ):
        return CLOSED_BEFORE_ANSWER
    if isinstance(exc, tx_error.ConnectionDone):
        return CLOSED_BEFORE_ANSWER
    if isinstance(exc, tx_error.ConnectionClosed):
        return "connection lost"
    if isinstance(exc, DownloadFailedError | tx_client.ResponseFailed):
        return "connection broken during the answer"
    return one_line(f"{type(exc).__name__}: {exc}")


def _http_error(response) -> str:
    location = response.headers.get(b"Location")
    if 300 <= response.status < 400 and location:
        # RedirectMiddleware leaves alone what it will not follow (file:, ftp:, data:…).
        return f"redirected to {_url(location.decode('latin-1'))}"
    return f"HTTP {response.status}"


def _ignored(exc: IgnoreRequest, request) -> str:
    message = str(exc)
    if message == "max redirections reached":
        return "redirect loop (too many redirects)"
    if message.startswith("Filtered offsite request") and request is not None:
        return f"redirected off the site, to {_url(request.url)}"
    if "robots.txt" in message:
        return "forbidden by robots.txt"
    if message.startswith("Ignored response"):  # Scrapy's size limits say why themselves
        return one_line(message)
    return one_line(f"request ignored: {message}") if message else "request ignored"


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, what it was raised from, and what Twisted wrapped inside."""
    found: list[BaseException] = []
    pending = [exc]
    while pending and len(found) < 20:
        current = pending.pop()
        if current is None or any(current is f for f in found):
            continue
        found.append(current)
        pending += [current.__cause__, current.__context__]
        for reason in getattr(current, "reasons", None) or []:
            if isinstance(reason, Failure):
                pending.append(reason.value)
    return found


def _is_not_http(exc: BaseException) -> bool:
    if isinstance(exc, tx_client.ParseError):
        return True
    name = type(exc).__name__  # aiohttp's parser errors (aiohttp.http_exceptions)
    return name in ("BadStatusLine", "BadHttpMessage") or (
        name == "ClientResponseError" and "Bad status line" in str(exc)
    )


def _url(url: str) -> str:
    return one_line(safe_url_string(url))


def one_line(text: str) -> str:
    """Whitespace runs become one space, and the whole is at most MAX_REASON characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MAX_REASON else flat[: MAX_REASON - 1] + "…"


def incomplete(response) -> str | None:
    """Why a response that arrived is not the whole page, or None."""
    # A body shorter than its Content-Length fails the download itself
    # (DOWNLOAD_FAIL_ON_DATALOSS); with that setting off it arrives flagged.
    if "dataloss" in response.flags:
        return CUT_SHORT
    if "partial" in response.flags and b"</html>" not in response.body[-4096:].lower():
        # No length was announced and the connection closed: only the end tag says it is whole.
        return "answer cut short: the page stops before </html>"
    return None


def declared_urls(tree) -> list[str]:
    """The URLs a page declares as its own: ``<link rel=canonical>``, ``og:url``."""
    found = tree.xpath(
        "/html/head/link[@rel='canonical']/@href | /html/head/meta[@property='og:url']/@content"
    )
    return [url.strip() for url in found if url.strip()]


def same_url(a: str, b: str) -> bool:
    """Whether two URLs name the same page (compared in canonical form)."""
    try:
        return canonical_url(a) == canonical_url(b)
    except ValueError:
        return a == b


def redirect_loop(target: str, chain: list[str]) -> str | None:
    """Why a redirect to ``target`` after the URLs of ``chain`` goes round, or None."""
    if not any(same_url(target, earlier) for earlier in chain):
        return None
    if len(chain) == 1:
        return "redirects to itself"
    return one_line(f"redirect loop through {chain[1]}")
