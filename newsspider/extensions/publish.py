"""After a crawl that changed the archive, publish its changes.

Rewrites ``<ARCHIVE_DIR>/changes.atom`` and ``<ARCHIVE_DIR>/site/`` (see
newsspider/publish/site.py) from the archive itself, when the run added,
updated or marked gone at least one article. Nothing else (another command,
a refused or unchanged run) publishes. ``ARCHIVE_PUBLISH = False`` turns it
off; ``ARCHIVE_FEED_ENTRIES`` is how many changes are shown;
``scrapy archive publish`` does the same by hand.

A failure to publish is logged as an error and counted (``publish/failed``);
it never touches the archive's entries, which are already written.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsspider.publish.site import publish
from newsspider.refresh import refresh_only

logger = logging.getLogger(__name__)

CHANGED = ("new", "updated", "gone")


class PublishChanges:
    def __init__(self, crawler, entries: int):
        self.crawler = crawler
        self.archive_dir = crawler.settings["ARCHIVE_DIR"]
        self.entries = entries

    @classmethod
    def from_crawler(cls, crawler):
        refresh_only(crawler)
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_PUBLISH"):
            raise NotConfigured("ARCHIVE_PUBLISH is off")
        try:
            entries = settings.getint("ARCHIVE_FEED_ENTRIES")
        except ValueError:
            entries = 0
        if entries < 1:
            logger.error(
                "ARCHIVE_FEED_ENTRIES must be a whole number of at least 1, not %r: "
                "changes are not published",
                settings.get("ARCHIVE_FEED_ENTRIES"),
            )
            raise NotConfigured("ARCHIVE_FEED_ENTRIES < 1")
        extension = cls(crawler, entries)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def changed(self) -> int:
        stats = self.crawler.stats
        return sum(stats.get_value(f"archive/{outcome}", 0) for outcome in CHANGED)

    def spider_closed(self):
        if not self.changed():
            return
        try:
            result = publish(self.archive_dir, self.entries)
        except (OSError, ValueError) as exc:
            logger.error("changes not published in %s: %s", self.archive_dir, exc)
            self.crawler.stats.set_value("publish/failed", str(exc))
            return
        for problem in result.problems:
            logger.warning("publish: %s", problem)
        self.crawler.stats.set_value("publish/written", len(result.written))
        logger.info(
            "published the last %d changes: %s/changes.atom and site/ (%d files written)",
            result.changes,
            self.archive_dir,
            len(result.written),
        )
