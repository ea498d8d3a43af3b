"""Hold back a page that does not look like the whole article.

A complete 200 answer can still be the wrong thing to archive: a page cut
after two paragraphs, a template that lost its parts. A page that differs
from its entry (its fingerprint changed) is compared with the archived entry:

- it has a date line (the template always shows one);
- it ends with a share or author block when the archived entry has one;
- its text (lead + body) is not under RFI_SUSPECT_SHRINK times the archived
  text (default 0.5: half).

A page that fails is counted ``failed`` with ``suspect: <why>`` and the entry
is left as it is. The same suspect page seen again on the next check of the
article is accepted (RFI really cut the article): same fingerprint -> it goes
on to the archive pipeline, with an INFO line. A different suspect page
replaces the one waiting; a whole page clears it. What waits is kept in the
crawl state (``suspects`` table), so "the next check" may be the next run.

A page whose canonical link or og:url names another article never gets here:
the spider fails it (``suspect: page is …``), and it is never accepted.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import time

import lxml.html

from newsspider.archive.entry import read_entry
from newsspider.archive.fingerprint import visible_text
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.state import CrawlState
from newsspider.items import fail, is_page
from newsspider.refresh import refresh_only

logger = logging.getLogger(__name__)

_DATE_LINE = re.compile(r"<div>[^<>]*\d[^<>]*</div>")  # first part: "13/10/2023 - 21:02"


class SuspectPagePipeline:
    def __init__(self, archive_dir: str, stats, shrink: float):
        self.archive_dir = archive_dir
        self.stats = stats
        self.shrink = shrink
        self.index: ArchiveIndex | None = None
        self.state: CrawlState | None = None
        self.waiting: dict[str, str] = {}
        """url -> fingerprint of the suspect page waiting for a second look."""

    @classmethod
    def from_crawler(cls, crawler):
        refresh_only(crawler)
        settings = crawler.settings
        return cls(settings["ARCHIVE_DIR"], crawler.stats, settings.getfloat("RFI_SUSPECT_SHRINK"))

    def open_spider(self):
        if self.stats.get_value("refresh/refused"):
            return  # RunLock refused the run: touch nothing
        self.index = ArchiveIndex.open(self.archive_dir)
        self.state = CrawlState.open(self.archive_dir)
        self.waiting = self.state.suspects()

    def close_spider(self):
        for resource in (self.index, self.state):
            if resource is not None:
                resource.close()

    def process_item(self, item):
        if not is_page(item):
            return item
        url = item["url"]
        known = self.index.lookup(url)
        if known is not None and known.fingerprint == item["fingerprint"]:
            self._clear(url)
            return item  # says what the entry says: nothing to suspect, nothing read
        reason = suspect(item, self._archived(known), self.shrink)
        if reason is None:
            self._clear(url)
            return item
        if self.waiting.get(url) == item["fingerprint"]:
            logger.info("accepted after two checks: %s (%s)", url, reason)
            self.stats.inc_value("suspect/accepted")
            self._clear(url)
            item["reason"] = f"accepted after two checks: {reason}"
            return item
        self.stats.inc_value("suspect/held")
        try:
            self.state.record_suspect(url, item["fingerprint"], int(time.time() * 1000))
            self.waiting[url] = item["fingerprint"]
        except sqlite3.Error as exc:  # held back all the same; the next check holds it again
            logger.warning("suspect page of %s not remembered: %s", url, exc)
        return fail(item, f"suspect: {reason}")

    def _archived(self, known):
        if known is None:
            return None
        try:
            return read_entry(os.path.join(self.archive_dir, known.name))
        except (OSError, ValueError):
            return None  # nothing to compare with; the archive pipeline reports the file

    def _clear(self, url: str) -> None:
        if url in self.waiting:
            del self.waiting[url]
            try:
                self.state.clear_suspect(url)
            except sqlite3.Error as exc:
                logger.warning("suspect page of %s not forgotten: %s", url, exc)


def suspect(item, archived, shrink: float) -> str | None:
    """Why a page does not look like the whole article, or None."""
    html = item.get("html") or ""
    if not _DATE_LINE.match(html):
        return "no date line"
    if archived is None:
        return None
    ending = closing_block(archived.html)
    if ending and not closing_block(html):
        return f"no {ending} block"
    new = text_length(item.get("title") or "", html)
    old = text_length(archived.title, archived.html)
    if old and new < shrink * old:
        return f"body {new:,} of {old:,} characters"
    return None


def text_length(title: str, html: str) -> int:
    """Characters of lead and body a reader sees (whitespace not counted)."""
    _, _, words = visible_text(title, html).partition("\n")
    return len(words) - words.count("\n")


def closing_block(html: str) -> str | None:
    """ "share" or "author" when the entry ends with that block, else None."""
    if not html.strip():
        return None
    nodes = lxml.html.fragments_fromstring(html, no_leading_text=False)
    for node in nodes[1:]:
        if isinstance(node, str) or node.tag != "div":
            continue
        text = node.text_content().strip()
        if text.startswith("作者："):
            return "author"
        if text.startswith("分享 :") or node.xpath(".//*[@data-root-share]"):
            return "share"
    return None
