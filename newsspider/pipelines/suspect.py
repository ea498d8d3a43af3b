"""Hold back a page that does not look like the whole article; count template drift.

A complete 200 answer can still be the wrong thing to archive: a page cut
after two paragraphs, a template that lost its parts. While the page was
normalized the loader noted which entry parts it had (item ``parts``,
newsspider.page.article.PARTS; taken out here). A page that differs from its
entry (its fingerprint changed), or is new, is held back when:

- it lacks a part its archived entry has (the image, the lead, the share or
  author block), or, for a new article, a part every page of the template has
  (a date line, the share or author block; not a lead: RFI's wire items have
  none): ``suspect: no lead (p.t-content__chapo)``;
- its text (lead + body) is under RFI_SUSPECT_SHRINK times the archived text
  (default 0.5: half).

A page that fails is counted ``failed`` with ``suspect: <why>`` and the entry
is left as it is. The same suspect page seen again on the next check of the
article is accepted (RFI really cut the article): same fingerprint -> it goes
on to the archive pipeline, with an INFO line. A different suspect page
replaces the one waiting; a whole page clears it. What waits is kept in the
crawl state (``suspects`` table), so "the next check" may be the next run.

Every page (unchanged ones too) is counted for template drift
(newsspider.drift): per part, the pages that have it or should have it, and
those that lack it. When the spider closes with a part missing from most of
them, one WARNING says ``template changed? …`` and the pages held back for
lacking that part are forgotten, so that no second check accepts them while
the template lacks it: they are failed, never written degraded.

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
from newsspider.drift import MISSING, PAGES, drift_line, drifted_parts
from newsspider.items import fail, is_page
from newsspider.page.article import no_part
from newsspider.refresh import refresh_only

logger = logging.getLogger(__name__)

_DATE_LINE = re.compile(r"<div>[^<>]*\d[^<>]*</div>")  # first part: "13/10/2023 - 21:02"
_IMAGE = re.compile(r"<img ?src=[^>]*>")  # damaged entries glue it: "<imgsrc=…>"
TEMPLATE = frozenset({"title", "date", "body", "ending"})
"""What every page of the template has, so a new article's page must have it."""
ENDINGS = ("share", "author")
"""The entry's last part: one slot, the share block or (columns) the author block."""


class SuspectPagePipeline:
    def __init__(self, settings, stats):
        self.settings = settings
        self.archive_dir = settings["ARCHIVE_DIR"]
        self.stats = stats
        self.shrink = settings.getfloat("RFI_SUSPECT_SHRINK")
        self.index: ArchiveIndex | None = None
        self.state: CrawlState | None = None
        self.waiting: dict[str, str] = {}
        """url -> fingerprint of the suspect page waiting for a second look."""
        self.held_lacking: dict[str, list[str]] = {}
        """url -> the parts its page lacked, for pages held back this run for lacking one."""

    @classmethod
    def from_crawler(cls, crawler):
        refresh_only(crawler)
        return cls(crawler.settings, crawler.stats)

    def open_spider(self):
        if self.stats.get_value("refresh/refused"):
            return  # RunLock refused the run: touch nothing
        self.index = ArchiveIndex.open(self.archive_dir)
        self.state = CrawlState.open(self.archive_dir)
        self.waiting = self.state.suspects()

    def close_spider(self):
        drifts = drifted_parts(self.stats, self.settings)
        if drifts:
            logger.warning(drift_line(drifts))
            self._forget_held_for({d.part for d in drifts})
        for resource in (self.index, self.state):
            if resource is not None:
                resource.close()

    def process_item(self, item):
        found = item.pop("parts", None)  # part -> on the page; None: no page was normalized
        if found is None:
            return item
        url = item["url"]
        known = self.index.lookup(url)
        unchanged = known is not None and known.fingerprint == item.get("fingerprint")
        archived = None
        if known is not None and not (unchanged and all(found.values())):
            archived = self._archived(known)  # read only to judge a change or a lack
        lacking = lacking_parts(found, archived)
        self._count(found, lacking)
        if not is_page(item):
            return item  # failed already (no title, no body, a column without its byline)
        if unchanged:
            self._clear(url)
            return item  # says what the entry says: nothing to suspect, nothing written
        reason = suspect(item, archived, self.shrink, lacking)
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
        if lacking:
            self.held_lacking[url] = lacking
        try:
            self.state.record_suspect(url, item["fingerprint"], int(time.time() * 1000))
            self.waiting[url] = item["fingerprint"]
        except sqlite3.Error as exc:  # held back all the same; the next check holds it again
            logger.warning("suspect page of %s not remembered: %s", url, exc)
        return fail(item, f"suspect: {reason}")

    def _count(self, found: dict[str, bool], lacking: list[str]) -> None:
        for part, present in found.items():
            if present or part in lacking:
                self.stats.inc_value(PAGES + part)
        for part in lacking:
            self.stats.inc_value(MISSING + part)

    def _forget_held_for(self, parts: set[str]) -> None:
        """The template lacks these parts: pages held for lacking one start their count again,
        so the next check does not take them for the article's own (RFI's edit)."""
        for url, lacking in self.held_lacking.items():
            if parts.intersection(lacking) and self.waiting.pop(url, None) is not None:
                try:
                    self.state.clear_suspect(url)
                except sqlite3.Error as exc:
                    logger.warning("suspect page of %s not forgotten: %s", url, exc)

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


def suspect(item, archived, shrink: float, lacking: list[str] = ()) -> str | None:
    """Why a page does not look like the whole article, or None.

    ``archived``: its entry (None for a new article); ``lacking``: the parts the
    page should have and does not (lacking_parts).
    """
    if "date" in lacking or not _DATE_LINE.match(item.get("html") or ""):
        return no_part("date")
    if lacking:
        return no_part(lacking[0])
    if archived is None:
        return None
    new = text_length(item.get("title") or "", item.get("html") or "")
    old = text_length(archived.title, archived.html)
    if old and new < shrink * old:
        return f"body {new:,} of {old:,} characters"
    return None


def lacking_parts(found: dict[str, bool], archived) -> list[str]:
    """The parts (PARTS order) a page does not have that its archived entry has, or, for a
    new article (``archived`` None), that every page of the template has."""
    should = TEMPLATE if archived is None else entry_has(archived.html)
    return [
        part
        for part, present in found.items()
        if not present and ("ending" if part in ENDINGS else part) in should
    ]


def entry_has(html: str) -> set[str]:
    """The parts an archived entry has: title, date, body, and image, lead and
    ending (share or author block) when it has them."""
    has = {"title", "date", "body"}  # every entry; a page lacking them is never whole
    rest = html
    date = _DATE_LINE.match(rest)
    if date:
        rest = rest[date.end() :]
    image = _IMAGE.match(rest)
    if image:
        has.add("image")
        rest = rest[image.end() :]
    elif rest.startswith("Array"):  # the old feed's broken image: nothing to miss
        rest = rest[len("Array") :]
    if rest.startswith("<p><strong>"):
        has.add("lead")
    if closing_block(html):
        has.add("ending")
    return has


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
