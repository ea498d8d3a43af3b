"""The report every crawl ends with, and its progress lines.

Counts each checked article once by outcome; every RFI_PROGRESS_INTERVAL
seconds logs ``progress: due=… checked=… new=… updated=… failed=…``; when the
engine stops, logs the promised closing line (scripts parse it)::

    refresh: checked=N unchanged=U updated=D new=W gone=G failed=F

and writes the same counts with the URLs of updated, new, gone and failed
articles to ``<ARCHIVE_DIR>/<ARCHIVE_REPORTS_DIR>/<run>.md`` (for people) and
``.json`` (for scripts). It also decides whether the run failed (nothing
fetched, too many failures): a ``run failed: …`` line comes first, the
closing line is then logged as an ERROR, and ``refresh/run_failed`` tells the
crawl command to exit 1.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from newsspider.archive.files import atomic_write
from newsspider.signals import article_failed

logger = logging.getLogger(__name__)

OUTCOMES = ("unchanged", "updated", "new", "gone", "failed")


class RefreshReport:
    def __init__(self, crawler):
        self.crawler = crawler
        self.folder = os.path.join(
            crawler.settings["ARCHIVE_DIR"], crawler.settings["ARCHIVE_REPORTS_DIR"]
        )
        self.urls: dict[str, list[str]] = {outcome: [] for outcome in OUTCOMES}
        self.reasons: dict[str, str] = {}
        self.started = datetime.now(UTC)
        self.path: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("REFRESH_ENABLED"):
            raise NotConfigured  # not `scrapy crawl`: parse, check, fetch, shell touch no archive
        report = cls(crawler)
        crawler.signals.connect(report.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(report.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(report.failed, signal=article_failed)
        crawler.signals.connect(report.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(report.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(report.spider_opened, signal=signals.spider_opened)
        return report

    @property
    def refused(self) -> str | None:
        return self.crawler.stats.get_value("refresh/refused")

    def spider_opened(self):
        interval = self.crawler.settings.getfloat("RFI_PROGRESS_INTERVAL")
        if interval > 0 and not self.refused:
            self.progress_task = create_looping_call(self.log_progress)
            self.progress_task.start(interval, now=False)

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

    def item_scraped(self, item):
        outcome = item.get("outcome")
        if outcome == "failed" and "status" in item:
            self.failed(item["url"], f"HTTP {item['status']} for a listed article never archived")
        elif outcome in self.urls:
            self.urls[outcome].append(item["url"])

    def item_dropped(self, item, exception):
        self.failed(item.get("url"), str(exception))

    def failed(self, url, reason):
        self.urls["failed"].append(url)
        self.reasons[url] = reason

    @property
    def counts(self) -> dict[str, int]:
        counts = {outcome: len(urls) for outcome, urls in self.urls.items()}
        return {"checked": sum(counts.values()), **counts}

    def summary_line(self) -> str:
        return "refresh: " + " ".join(f"{key}={value}" for key, value in self.counts.items())

    def spider_closed(self, reason):
        task = getattr(self, "progress_task", None)
        if task is not None and task.running:
            task.stop()
        if self.refused:
            return  # RunLock said why, on one line; nothing ran, nothing to report
        for key, value in self.counts.items():
            self.crawler.stats.set_value(f"refresh/{key}", value)
        verdict = self.verdict()
        if verdict:
            self.crawler.stats.set_value("refresh/run_failed", verdict)
        try:
            self.path = self.write(reason)
        except OSError as exc:
            logger.error("report not written to %s: %s", self.folder, exc)
            self.crawler.stats.set_value("refresh/run_failed", f"report not written: {exc}")

    def verdict(self) -> str | None:
        """Why this run counts as failed (exit status 1), or None."""
        counts = self.counts
        stats = self.crawler.stats
        asked = stats.get_value("downloader/request_count", 0)
        answered = stats.get_value("downloader/response_count", 0)
        if asked and not answered:
            return "nothing fetched"
        limit = self.crawler.settings.getfloat("RFI_MAX_ERROR_RATE")
        if counts["checked"] and counts["failed"] / counts["checked"] > limit:
            return f"{counts['failed']} of {counts['checked']} articles failed"
        return None

    def engine_stopped(self):
        if self.refused:
            return
        if self.path:
            logger.info("report: %s", self.path)
        verdict = self.crawler.stats.get_value("refresh/run_failed")
        if verdict:
            logger.error("run failed: %s", verdict)
        # The promised line stays exactly as scripts parse it, and last; it is
        # an ERROR when the run failed, so that `-L WARNING` still shows it.
        logger.log(logging.ERROR if verdict else logging.INFO, self.summary_line())

    def write(self, reason: str) -> str:
        os.makedirs(self.folder, exist_ok=True)
        stem = os.path.join(self.folder, self.started.strftime("%Y%m%dT%H%M%S%fZ"))
        data = {
            "started": self.started.isoformat(),
            "finished": datetime.now(UTC).isoformat(),
            "finish_reason": reason,
            "counts": self.counts,
            "urls": {k: v for k, v in self.urls.items() if k != "unchanged"},
            "failures": self.reasons,
        }
        atomic_write(
            stem + ".json", (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
        )
        atomic_write(stem + ".md", markdown(data).encode("utf-8"))
        return stem + ".md"


def markdown(data: dict) -> str:
    counts = data["counts"]
    lines = [
        f"# Refresh of {data['started']}",
        "",
        f"Finished {data['finished']} ({data['finish_reason']}).",
        "",
        "| checked | unchanged | updated | new | gone | failed |",
        "|---|---|---|---|---|---|",
        "| " + " | ".join(str(counts[k]) for k in ("checked", *OUTCOMES)) + " |",
    ]
    for outcome in ("updated", "new", "gone", "failed"):
        urls = data["urls"][outcome]
        if urls:
            lines += ["", f"## {outcome.capitalize()} ({len(urls)})", ""]
            for url in urls:
                reason = data["failures"].get(url)
                lines.append(f"- {url}" + (f" — {reason}" if reason else ""))
    return "\n".join(lines) + "\n"
