"""Keep expected network trouble to one log line.

Scrapy's robots.txt middleware logs a download error with its traceback; a
cron job offline for a minute should say one line, not fifty.
"""

from __future__ import annotations

import logging

from scrapy.utils.httpobj import urlparse_cached

NOISY_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)


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


class OneLineNetworkErrors:
    """Strips tracebacks from the loggers in NOISY_LOGGERS while a crawl runs."""

    def __init__(self):
        self.filter = _OneLine()
        for name in NOISY_LOGGERS:
            logging.getLogger(name).addFilter(self.filter)

    @classmethod
    def from_crawler(cls, crawler):
        return cls()
