"""Refuse to start a refresh that could not finish cleanly.

- Another run holds the archive's lock (cron started us while it runs):
  one line, nothing touched, exit status 0.
- The archive folder is missing or not writable: one error line, exit 1.

Either way ``refresh/refused`` is set in the stats; the spider then yields no
request and the pipelines open nothing.
"""

from __future__ import annotations

import logging
import os

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsspider.archive.lock import ArchiveLock

logger = logging.getLogger(__name__)


class RunLock:
    def __init__(self, crawler):
        self.crawler = crawler
        self.archive_dir = crawler.settings["ARCHIVE_DIR"]
        self.lock = ArchiveLock(self.archive_dir)
        self.refusal = self._refusal()
        if self.refusal:
            crawler.stats.set_value("refresh/refused", self.refusal)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("REFRESH_ENABLED"):
            raise NotConfigured  # not `scrapy crawl`: parse, check, fetch, shell touch no archive
        return cls(crawler)

    def _refusal(self) -> str | None:
        folder = self.archive_dir
        if not os.path.isdir(folder):
            logger.error("archive %s does not exist: nothing refreshed", folder)
            self.crawler.stats.set_value("refresh/run_failed", "archive missing")
            return "archive missing"
        if not os.access(folder, os.W_OK | os.X_OK):
            logger.error("archive %s is not writable: nothing refreshed", folder)
            self.crawler.stats.set_value("refresh/run_failed", "archive not writable")
            return "archive not writable"
        try:
            acquired = self.lock.acquire()
        except OSError as exc:
            logger.error("archive %s: cannot take the run lock: %s", folder, exc)
            self.crawler.stats.set_value("refresh/run_failed", "archive not writable")
            return "archive not writable"
        if not acquired:
            logger.warning(
                "another refresh of %s is running (pid %s); this one exits",
                folder,
                self.lock.holder(),
            )
            return "locked"
        return None

    def spider_closed(self):
        self.lock.release()
