"""The Scrapy add-on that turns a crawl into one process of a distributed run.

Listed in ``ADDONS``; without ``REDIS_URL`` it stays off and nothing changes. With it:

- every process: scrapy-redis's scheduler on the run's frontier
  (newsspider.distributed.scheduler), ``start()`` wrapped by FrontierStart, and the
  shared politeness budget (PacedDownloadHandler, SharedHolds);
- a worker (``-a role=worker``) also has no archive: no run lock, no pipelines (its
  results go to the archive's process), no report.
"""

from __future__ import annotations

from scrapy.exceptions import NotConfigured

from newsspider.distributed import WORKER, role_of

SCHEDULER = "newsspider.distributed.scheduler.FrontierScheduler"
START = "newsspider.distributed.start.FrontierStart"
PACED = "newsspider.distributed.politeness.PacedDownloadHandler"
HOLDS = "newsspider.distributed.politeness.SharedHolds"
ARCHIVE_ONLY_EXTENSIONS = (
    "newsspider.extensions.runlock.RunLock",
    "newsspider.extensions.report.RefreshReport",
    # they account for the run's articles and publish the archive: the archive's process
    # does that for the whole run (switched off only where a project enables them)
    "newsspider.extensions.ledger.ArticleLedger",
    "newsspider.extensions.publish.PublishChanges",
)
OVER_ALL = "cmdline"
HOLDS_ORDER = 560
"""Sees responses decoded (590) and before RetryAfterMiddleware (550) turns them into retries."""


class Distributed:
    def __init__(self, crawler):
        self.role = role_of(crawler.spider)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured  # one process, as always
        return cls(crawler)

    def update_settings(self, settings) -> None:
        # The frontier's parts win over any -s value: half a frontier would lose requests.
        settings.set("SCHEDULER", SCHEDULER, priority=OVER_ALL)
        settings.set("SCHEDULER_PERSIST", True, priority=OVER_ALL)
        settings["SPIDER_MIDDLEWARES"].set(START, 0, priority=OVER_ALL)
        for scheme in ("http", "https"):  # the scheme's own handler, paced (see politeness)
            settings["DOWNLOAD_HANDLERS"].set(scheme, PACED, priority=OVER_ALL)
        settings["DOWNLOADER_MIDDLEWARES"].set(HOLDS, HOLDS_ORDER, priority=OVER_ALL)
        if self.role == WORKER:
            enabled = settings["EXTENSIONS"]
            for extension in ARCHIVE_ONLY_EXTENSIONS:
                if extension in enabled:  # Scrapy imports every path named, even as None
                    enabled.set(extension, None, priority=OVER_ALL)
            settings.set("ITEM_PIPELINES", {}, priority=OVER_ALL)
