"""Keep expected network trouble to one log line.

Scrapy's robots.txt middleware logs a download error with its traceback; a
cron job offline for a minute should say one line, not fifty.

A body over DOWNLOAD_MAXSIZE (on the wire, or once decompressed: a gzip
bomb) makes Scrapy log a warning and then fail the request with the same
words, which the spider logs as its one line (``failed <url>: …``,
``listing <url> not read: …``, ``robots.txt of <host> not read: …``); the
first warning is dropped.
"""

from __future__ import annotations

import logging

from scrapy.utils.httpobj import urlparse_cached

NOISY_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)
REPEATED_LATER = {
    "scrapy.downloadermiddlewares.httpcompression": "exceeded DOWNLOAD_MAXSIZE",
    "scrapy.core.downloader.handlers.http11": "larger than download max size",
    "scrapy.core.downloader.handlers._base_streaming": "larger than download max size",
}
"""Logger -> words of a warning whose reason the failed request's own line repeats."""


class _OneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        args = record.args if isinstance(record.args, dict) else {}
        if "request" in args and "f_exception" in args:
            # Scrapy names the request that triggered the robots.txt fetch.
            host = urlparse_cached(args["request"]).netloc
            record.msg = "robots.txt of %s not read: %s (Scrapy then allows every URL)"
            record.args = (host, args["f_exception"])
        return True


class _Without(logging.Filter):
    def __init__(self, words: str):
        super().__init__()
        self.words = words

    def filter(self, record: logging.LogRecord) -> bool:
        return self.words not in record.getMessage()


# One instance each: adding a filter a logger already has is a no-op, so
# several crawls in one process do not pile them up.
_ONE_LINE = _OneLine()
_WITHOUT = {name: _Without(words) for name, words in REPEATED_LATER.items()}


class OneLineNetworkErrors:
    """Strips tracebacks from the loggers in NOISY_LOGGERS, and the warnings in
    REPEATED_LATER, while a crawl runs."""

    def __init__(self):
        self.filter = _ONE_LINE
        for name in NOISY_LOGGERS:
            logging.getLogger(name).addFilter(_ONE_LINE)
        for name, without in _WITHOUT.items():
            logging.getLogger(name).addFilter(without)

    @classmethod
    def from_crawler(cls, crawler):
        return cls()
