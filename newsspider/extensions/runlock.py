"""Refuse to start a refresh that could not finish cleanly.

- Another run holds the archive's lock (cron started us while it runs):
  one line at INFO (an overlap is normal, so ``-L WARNING`` stays quiet),
  nothing touched, exit status 0.
- The archive folder is missing or not writable, or the lock cannot be
  taken: one error line, exit 1.

Either way ``refresh/refused`` is set in the stats; the spider then yields no
request and the pipelines open nothing.
"""

from __future__ import annotations

import logging
import os

from scrapy import signals

from newsspider.archive.files import ArchiveWriteError, remove_stale_temp_files
from newsspider.archive.lock import ArchiveLock
from newsspider.archive.state import CrawlState
from newsspider.refresh import refresh_only

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
        refresh_only(crawler)
        return cls(crawler)

    def _refusal(self) -> str | None:
        folder = self.archive_dir
        if not os.path.isdir(folder):
            why = "is not a folder" if os.path.exists(folder) else "does not exist"
            logger.error("archive %s %s: nothing refreshed", folder, why)
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
            logger.info(
                "another refresh of %s is running (pid %s); this one exits",
                folder,
                self.lock.holder(),
            )
            return "locked"
        removed = remove_stale_temp_files(folder, self.crawler.settings["ARCHIVE_REPORTS_DIR"])
        logger.info("archive %s: %d stale temp files removed", folder, len(removed))
        try:  # the crawl state is opened (or made, or moved aside) now, not mid-start
            CrawlState.open(folder).close()
        except ArchiveWriteError as exc:
            logger.error("archive %s: %s: nothing refreshed", folder, exc)
            self.crawler.stats.set_value("refresh/run_failed", f"state not writable: {exc}")
            self.lock.release()
            return "archive not writable"
        return None

    def spider_closed(self):
        self.lock.release()
