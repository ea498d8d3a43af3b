"""Store the raw capture of every page whose entry changed (``ARCHIVE_CAPTURES``).

After the archive pipeline has decided the outcome: ``changed`` (default)
keeps the exchanges behind new and updated entries, ``all`` every page
fetched whole, ``none`` nothing. The capture leaves the item here, so feed
exports never carry raw bytes. See newsspider.archive.captures for the files.

Captures are built in a worker thread and appended in the crawl's: gzip of a
~310 KB page was a third of an edited page's cost, and zlib lets go of the GIL
while it compresses, so the crawl goes on meanwhile on the other core. The item
waits for its capture, so a run closes with every capture stored.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy.utils.asyncio import run_in_thread

from newsspider.archive.captures import CaptureWriter, capture_records, recover_partial_captures
from newsspider.refresh import refresh_only

logger = logging.getLogger(__name__)

CHANGED = ("new", "updated")


class CapturePipeline:
    def __init__(self, archive_dir: str, mode: str, stats):
        self.archive_dir = archive_dir
        self.mode = mode
        self.stats = stats
        self.writer: CaptureWriter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        refresh_only(crawler)
        settings = crawler.settings
        return cls(settings["ARCHIVE_DIR"], settings.get("ARCHIVE_CAPTURES"), crawler.stats)

    def open_spider(self):
        if self.mode == "none" or self.stats.get_value("refresh/refused"):
            return
        recover_partial_captures(self.archive_dir)  # a killed run's file, under the run lock
        run = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.writer = CaptureWriter(self.archive_dir, run)

    async def process_item(self, item):
        exchange = item.pop("capture", None)
        if self.writer is None or exchange is None:
            return item
        if self.mode == "all" or item.get("outcome") in CHANGED:
            try:
                data = await run_in_thread(capture_records, exchange, item["timestamp"])
                self.writer.append(data, item["timestamp"])
                self.stats.inc_value("archive/captures")
            except OSError as exc:
                # The entry is written; only its raw capture is missing: loud, not fatal to it.
                logger.error(
                    "capture of %s not stored in %s: %s", item["url"], self.archive_dir, exc
                )
                self.stats.inc_value("archive/write_errors")
                self.stats.set_value("archive/write_error", exc.strerror or str(exc))
        return item

    def close_spider(self):
        if self.writer is not None:
            try:
                self.writer.close()
            except OSError as exc:
                logger.error("captures of this run not finished in %s: %s", self.archive_dir, exc)
