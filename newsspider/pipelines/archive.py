"""Dedupe each article against the archive and write what changed.

By canonical URL and content fingerprint: unchanged (or 304) -> nothing
written; edited -> new revision (the previous one goes to history); new URL
-> new entry; 404/410 -> recorded as gone, the entry kept. Every other
failure never reaches this pipeline, so it never changes the archive.
Each finished check is remembered in the crawl state (validators, times).
"""

from __future__ import annotations

import logging
from datetime import datetime

from newsspider.archive.entry import Entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.state import CrawlState
from newsspider.archive.writer import ArchiveWriter
from newsspider.items import ArticleGone, ArticleItem, ArticleNotModified

logger = logging.getLogger(__name__)


class ArchiveDedupePipeline:
    def __init__(self, archive_dir: str, stats, commit_every: int = 1, commit_seconds: float = 0):
        self.archive_dir = archive_dir
        self.stats = stats
        self.commit_every, self.commit_seconds = commit_every, commit_seconds
        self.index: ArchiveIndex | None = None
        self.writer: ArchiveWriter | None = None
        self.state: CrawlState | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(
            settings["ARCHIVE_DIR"],
            crawler.stats,
            settings.getint("RFI_STATE_COMMIT_EVERY"),
            settings.getfloat("RFI_STATE_COMMIT_SECONDS"),
        )

    def open_spider(self):
        if self.stats.get_value("refresh/refused"):
            return  # RunLock refused the run: touch nothing
        self.index = ArchiveIndex.open(self.archive_dir)
        # Renames are made durable once per batch of checks, before the batch is committed.
        self.writer = ArchiveWriter(self.index, defer_folder_sync=True)
        self.state = CrawlState.open(
            self.archive_dir,
            commit_every=self.commit_every,
            commit_seconds=self.commit_seconds,
            before_commit=self.writer.sync,
        )

    def close_spider(self):
        for resource in (self.index, self.state):
            if resource is not None:
                resource.close()

    def process_item(self, item):
        if isinstance(item, ArticleNotModified):
            item["outcome"] = "unchanged"
            self.stats.inc_value("refresh/not_modified")
            self.state.record_check(item["url"], item["timestamp"], changed=False)
        elif isinstance(item, ArticleGone):
            item["outcome"] = self._gone(item)
        elif isinstance(item, ArticleItem):
            item["outcome"] = self._article(item)
        self.stats.inc_value(f"archive/{item.get('outcome')}")
        return item

    def _article(self, item: ArticleItem) -> str:
        known = self.index.lookup(item["url"])
        if known is not None and self.writer.clear_gone(known.name):
            logger.info("back again: %s", item["url"])
        outcome = self._write(item, known)
        published, modified = item.get("published"), item.get("modified")
        self.state.record_check(
            item["url"],
            item["timestamp"],
            changed=outcome != "unchanged",
            etag=item.get("etag"),
            last_modified=item.get("last_modified"),
            published_ms=iso_to_ms(published),
            modified_ms=iso_to_ms(modified),
        )
        return outcome

    def _write(self, item: ArticleItem, known) -> str:
        if known is not None and known.fingerprint == item["fingerprint"]:
            return "unchanged"
        entry = Entry(
            timestamp=item["timestamp"], title=item["title"], url=item["url"], html=item["html"]
        )
        if known is None:
            name = self.writer.add(entry, item["fingerprint"])
            logger.info("new: %s -> %s", item["url"], name)
            return "new"
        history = self.writer.revise(known.name, entry, item["fingerprint"])
        logger.info("updated: %s (previous version kept in %s)", item["url"], history)
        return "updated"

    def _gone(self, item: ArticleGone) -> str:
        known = self.index.lookup(item["url"])
        if known is None:
            return "failed"  # a listed URL that was never archived: nothing to record
        self.writer.mark_gone(known.name, item["url"], item["status"], item["timestamp"])
        self.state.record_check(item["url"], item["timestamp"], changed=True)
        logger.warning("gone: %s answered %s (entry kept)", item["url"], item["status"])
        return "gone"


def iso_to_ms(value: str | None) -> int | None:
    return int(datetime.fromisoformat(value).timestamp() * 1000) if value else None
