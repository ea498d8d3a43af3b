"""The report every crawl ends with, and its progress lines.

Fills a run report (newsspider.runreport.model) from the crawl: each checked
article once, by outcome, with its title, entry file and reason; listings not
read; listed articles not added (over the cap, too old); archive files that
do not parse. Every RFI_PROGRESS_INTERVAL seconds it logs
``progress: due=… checked=… new=… updated=… failed=…``. When the spider
closes it asks for the run's verdict, writes the report to
``<ARCHIVE_DIR>/<ARCHIVE_REPORTS_DIR>/<run>.md`` (for people) and ``.json``
(for scripts), and prunes reports older than ARCHIVE_REPORTS_KEEP_DAYS. When
the engine stops it logs, last, the promised closing line (scripts parse it)::

    refresh: checked=N unchanged=U updated=D new=W gone=G failed=F

newsspider.verdict decides whether the run failed or was interrupted: a
``run failed: …`` (or ``run interrupted: …``) line then comes just before the
closing line, which is logged as an ERROR, and the stats tell the crawl
command its exit status.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import UTC, datetime

from scrapy import signals
from scrapy.utils.asyncio import create_looping_call

from newsspider.archive.index import ArchiveIndex
from newsspider.refresh import refresh_only
from newsspider.runreport.files import prune_reports, write_report
from newsspider.runreport.model import RunReport, UnreadableFile
from newsspider.runreport.text import closing_line
from newsspider.signals import listed_article_skipped, listing_failed
from newsspider.verdict import Verdict, record, recorded, run_verdict

logger = logging.getLogger(__name__)


class RefreshReport:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.folder = os.path.join(settings["ARCHIVE_DIR"], settings["ARCHIVE_REPORTS_DIR"])
        self.report = RunReport(
            started=datetime.now(UTC),
            archive=settings["ARCHIVE_DIR"],
            settings={  # the limits a reader needs to understand "not added"
                "RFI_MAX_NEW_ARTICLES": settings.getint("RFI_MAX_NEW_ARTICLES"),
                "RFI_OLDEST_DAYS": settings.getfloat("RFI_OLDEST_DAYS"),
            },
        )
        self.path: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        refresh_only(crawler)
        report = cls(crawler)
        crawler.signals.connect(report.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(report.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(report.listing_failed, signal=listing_failed)
        crawler.signals.connect(report.not_added, signal=listed_article_skipped)
        crawler.signals.connect(report.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(report.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(report.spider_opened, signal=signals.spider_opened)
        return report

    @property
    def refused(self) -> str | None:
        return self.crawler.stats.get_value("refresh/refused")

    def spider_opened(self):
        if self.refused:
            return
        self.prune()
        interval = self.crawler.settings.getfloat("RFI_PROGRESS_INTERVAL")
        if interval > 0:
            self.progress_task = create_looping_call(self.log_progress)
            self.progress_task.start(interval, now=False)

    def prune(self):
        keep_days = self.crawler.settings.getfloat("ARCHIVE_REPORTS_KEEP_DAYS")
        if keep_days <= 0:
            return
        try:
            pruned = prune_reports(self.folder, keep_days, datetime.now(UTC))
        except OSError as exc:
            logger.warning("reports in %s not pruned: %s", self.folder, exc)
            return
        logger.info("reports: %d older than %g days pruned from %s", pruned, keep_days, self.folder)

    def log_progress(self):
        counts = self.counts
        due = self.crawler.stats.get_value("refresh/due", 0)
        logger.info(
            "progress: due=%s checked=%s new=%s updated=%s failed=%s",
            due,
            counts["checked"],
            counts["new"],
            counts["updated"],
            counts["failed"],
        )

    # --- what happened, as it happens ------------------------------------------

    def item_scraped(self, item):
        # One item per started article (newsspider.extensions.ledger); a failed
        # one carries its one-line reason.
        outcome = item.get("outcome")
        if outcome in self.report.articles:
            reason = item.get("reason")
            if outcome == "gone" and not reason and item.get("status"):
                reason = f"HTTP {item['status']}"
            self.report.add(
                outcome,
                item["url"],
                title=item.get("title"),
                entry=item.get("entry"),
                reason=(reason or "failed") if outcome == "failed" else reason,
            )

    def item_dropped(self, item, exception):
        url = item.get("url")
        reason = str(exception).removeprefix(f"{url}: ")  # DropItem messages name the URL
        self.failed(url, reason, title=item.get("title"))

    def failed(self, url, reason, title=None):
        self.report.add("failed", url, title=title, reason=reason)

    def listing_failed(self, url, reason):
        self.report.listing_not_read(url, reason)

    def not_added(self, url, why):
        self.report.not_added_article(url, why)

    @property
    def counts(self) -> dict[str, int]:
        return self.report.counts

    def summary_line(self) -> str:
        return closing_line(self.counts)

    # --- the end of the run ---------------------------------------------------------

    def spider_closed(self, reason):
        task = getattr(self, "progress_task", None)
        if task is not None and task.running:
            task.stop()
        if self.refused:
            return  # RunLock said why, on one line; nothing ran, nothing to report
        counts = self.counts
        for key, value in counts.items():
            self.crawler.stats.set_value(f"refresh/{key}", value)
        stats = self.crawler.stats
        verdict = run_verdict(stats, self.crawler.settings, counts)
        if verdict:
            record(stats, verdict)
        report = self.report
        report.verdict = str(recorded(stats) or "ok")  # RunLock may have recorded one too
        report.finished = datetime.now(UTC)
        report.finish_reason = reason
        report.workers = stats.get_value("frontier/workers") or {}  # set by a run over Redis
        self.complete_from_archive()
        try:
            self.path = write_report(report, self.folder)
        except OSError as exc:
            logger.error("report not written to %s: %s", self.folder, exc)
            if not verdict:
                record(stats, Verdict("failed", f"report not written: {exc}"))

    def complete_from_archive(self):
        """Titles and entry files the items did not carry, and unreadable files, from the index."""
        try:
            with ArchiveIndex.open(self.crawler.settings["ARCHIVE_DIR"]) as index:
                for outcome, articles in self.report.articles.items():
                    if outcome == "unchanged":
                        continue  # counted, not listed
                    for article in articles:
                        if article.entry and article.title:
                            continue
                        known = index.lookup(article.url) if article.url else None
                        if known is not None:
                            article.entry = article.entry or known.name
                            article.title = article.title or known.title
                self.report.unreadable_files = [  # "file:line: why", the file named as listed
                    UnreadableFile(name, reason.replace(os.path.join(index.root, name), name, 1))
                    for name, reason in index.errors()
                ]
        except (OSError, ValueError, sqlite3.Error) as exc:  # the report keeps what the crawl saw
            logger.warning("report: archive index not read: %s", exc)

    def engine_stopped(self):
        if self.refused:
            return
        if self.path:
            logger.info("report: %s", self.path)
        verdict = recorded(self.crawler.stats)
        if verdict:
            logger.error(verdict.line)
        # The promised line stays exactly as scripts parse it, and last; it is
        # an ERROR when the run failed, so that `-L WARNING` still shows it.
        logger.log(logging.ERROR if verdict else logging.INFO, self.summary_line())
