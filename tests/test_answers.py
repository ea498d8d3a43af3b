"""Download failures as the one line a person reads (the ones no loopback test provokes)."""

from __future__ import annotations

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from newsspider.answers import describe, incomplete

URL = "https://www.rfi.fr/cn/x"


def failure_of(exc: Exception, **meta) -> Failure:
    failure = Failure(exc)
    failure.request = Request(URL, meta=meta)
    return failure


def wrapped(outer: Exception, inner: Exception) -> Exception:
    outer.__cause__ = inner  # as scrapy.utils._download_handlers.wrap_twisted_exceptions does
    return outer


@pytest.mark.parametrize(
    ("exc", "meta", "reason"),
    [
        (
            DownloadTimeoutError("Getting x took longer than 30.0 seconds."),
            {"download_timeout": 30},
            "no answer within 30 s",
        ),
        (CannotResolveHostError("www.rfi.fr"), {}, "host name not found (DNS)"),
        (DownloadConnectionRefusedError("Connection refused"), {}, "connection refused"),
        (tx_error.TCPTimedOutError(), {}, "connection timed out"),
        (
            DownloadCancelledError(
                "Received 9000000 bytes which is larger than download max size (8388608)"
            ),
            {},
            "page larger than DOWNLOAD_MAXSIZE",
        ),
        (IgnoreRequest("Forbidden by robots.txt"), {}, "forbidden by robots.txt"),
        (IgnoreRequest("max redirections reached"), {}, "redirect loop (too many redirects)"),
        (
            wrapped(
                DownloadFailedError("[<twisted.python.failure.Failure ConnectionLost>]"),
                ResponseNeverReceived([Failure(tx_error.ConnectionLost())]),
            ),
            {},
            "connection closed before any answer",
        ),
        (ValueError("a\nb   c"), {}, "ValueError: a b c"),
    ],
)
def test_failures_read_as_one_short_line(exc, meta, reason):
    assert describe(failure_of(exc, **meta)) == reason


def test_http_errors_name_the_status_or_where_a_redirect_pointed():
    forbidden = Response(URL, status=403)
    assert describe(failure_of(HttpError(forbidden, "Ignoring non-200 response"))) == "HTTP 403"
    to_ftp = Response(URL, status=301, headers={"Location": "ftp://example.org/x"})
    assert describe(failure_of(HttpError(to_ftp, "x"))) == "redirected to ftp://example.org/x"


def test_an_answer_known_to_be_cut_is_not_the_whole_page():
    # DOWNLOAD_FAIL_ON_DATALOSS = False lets a cut body through, flagged
    flagged = Response(URL, status=200, body=b"<html><body>", flags=["dataloss"])
    assert incomplete(flagged) == (
        "answer cut short: the connection closed before the whole page arrived"
    )
    # no length announced, connection closed: only the end tag says the page is whole
    unknown_length = Response(URL, status=200, body=b"<html><body>", flags=["partial"])
    assert incomplete(unknown_length) == "answer cut short: the page stops before </html>"
    whole = Response(URL, status=200, body=b"<html><body></body></html>\n", flags=["partial"])
    assert incomplete(whole) is None
