"""Dedupe each article against the archive and write what changed.

By canonical URL and content fingerprint: unchanged (or 304) -> nothing
written; edited -> new revision (the previous one goes to history); new URL
-> new entry; 404/410 -> recorded as gone, the entry kept. A failed item
(set by the spider or an earlier pipeline) passes through untouched, so a
failure never changes the archive. Each finished check is remembered in the
crawl state (validators, times).

A write that fails (disk full, read-only file system, an unreadable file
where a new entry would go) makes the article ``failed`` with the one-line
reason; the entry it would have replaced is intact. It is counted in the
stats (``archive/write_errors``, and ``archive/write_error``: the errno name
or the reason), which make the run exit 1. If the entry was written but the
crawl state could not record the check, the outcome stands with a note in
``reason``; the next run checks the article again.

On opening, each entry file that cannot be read is named in one WARNING
line, and listed in the stats as ``archive/unreadable_entries``
(``[[file, reason], …]``).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from datetime import datetime

from newsspider.answers import one_line
from newsspider.archive.entry import Entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.state import CrawlState
from newsspider.archive.writer import ArchiveWriteError, ArchiveWriter
from newsspider.items import GONE_STATUSES, NOT_MODIFIED, ArticleItem, fail
from newsspider.refresh import refresh_only

logger = logging.getLogger(__name__)

# What SQLite says when the disk under the crawl state fails, as errno names.
_SQLITE_ERRNO = {"SQLITE_FULL": "ENOSPC", "SQLITE_READONLY": "EROFS", "SQLITE_IOERR": "EIO"}


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
        refresh_only(crawler)
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
        unreadable = self.index.errors()
        for name, reason in unreadable:
            logger.warning("entry file %s cannot be read, left as it is: %s", name, reason)
        if unreadable:
            self.stats.set_value("archive/unreadable_entries", [list(e) for e in unreadable])

    def close_spider(self):
        for resource in (self.index, self.state):
            if resource is not None:
                resource.close()

    def process_item(self, item):
        known = self.index.lookup(item["url"])
        if known is not None:
            item["entry"] = known.name
        if item.get("outcome") == "failed":
            return item  # the archive is left as it is
        try:
            item["outcome"] = self._decide(item, known)
        except (ArchiveWriteError, OSError, sqlite3.Error) as exc:
            fail(item, self._write_error(exc))
        self.stats.inc_value(f"archive/{item['outcome']}")
        return item

    def _decide(self, item: ArticleItem, known) -> str:
        if item.get("status") == NOT_MODIFIED:
            self.stats.inc_value("refresh/not_modified")
            self._record(item, changed=False)
            return "unchanged"
        if item.get("status") in GONE_STATUSES:
            return self._gone(item, known)
        return self._article(item, known)

    def _article(self, item: ArticleItem, known) -> str:
        if known is not None and self.writer.clear_gone(known.name):
            logger.info("back again: %s", item["url"])
        outcome = self._write(item, known)
        published, modified = item.get("published"), item.get("modified")
        self._record(
            item,
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
            item["entry"] = self.writer.add(entry, item["fingerprint"])
            logger.info("new: %s -> %s", item["url"], item["entry"])
            return "new"
        history = self.writer.revise(known.name, entry, item["fingerprint"])
        logger.info("updated: %s (previous version kept in %s)", item["url"], history)
        return "updated"

    def _gone(self, item: ArticleItem, known) -> str:
        if known is None:
            item["reason"] = f"HTTP {item['status']} for a listed article never archived"
            return "failed"  # nothing to record
        self.writer.mark_gone(known.name, item["url"], item["status"], item["timestamp"])
        self._record(item, changed=True)
        logger.warning("gone: %s answered %s (entry kept)", item["url"], item["status"])
        return "gone"

    def _record(self, item: ArticleItem, **check) -> None:
        """Remember the check; the archive is already written, so a failure here is a note."""
        try:
            self.state.record_check(item["url"], item["timestamp"], **check)
        except (ArchiveWriteError, sqlite3.Error) as exc:
            item["reason"] = self._write_error(exc)
            logger.error("%s: check not recorded: %s", item["url"], item["reason"])

    def _write_error(self, exc: Exception) -> str:
        """Count a failed write; return its one-line reason."""
        if isinstance(exc, ArchiveWriteError):
            reason, name = str(exc), exc.errno
        elif isinstance(exc, OSError):
            name = errno.errorcode.get(exc.errno) if exc.errno else None
            where = f"{exc.filename}: " if exc.filename else ""
            reason = f"cannot write {where}{exc.strerror or exc}" + (f" ({name})" if name else "")
        else:
            name = _SQLITE_ERRNO.get(getattr(exc, "sqlite_errorname", ""))
            reason = f"crawl state not written: {exc}"
        reason = one_line(reason)
        self.stats.inc_value("archive/write_errors")
        self.stats.set_value("archive/write_error", name or reason)
        return reason


def iso_to_ms(value: str | None) -> int | None:
    return int(datetime.fromisoformat(value).timestamp() * 1000) if value else None
