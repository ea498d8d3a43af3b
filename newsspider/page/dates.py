"""An article page's publication and modification times, from every place RFI puts them.

In order of trust: the page's NewsArticle JSON-LD (``datePublished``,
``dateModified``), the ``article:*_time`` meta tags, the ``<time datetime>``
elements of the visible dates, and the visible line itself
(``发表时间： 27/09/2026 - 10:01更改时间： 28/09/2026 - 14:02``, Paris time).
Where each comes from is in newsspider.rfi_sources. A broken JSON-LD block
is skipped, never an error: the page still has its other dates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from newsspider import rfi_sources

PARIS = ZoneInfo("Europe/Paris")
_JSON_LD = etree.XPath(rfi_sources.JSON_LD)
_PUBLISHED_META = etree.XPath(rfi_sources.PUBLISHED_META)
_MODIFIED_META = etree.XPath(rfi_sources.MODIFIED_META)
_TIMES = etree.XPath(".//time[@datetime][ancestor::*[contains(@class, 't-content__dates')]]")
_DATES_BLOCK = etree.XPath(".//*[contains(@class, 'm-pub-dates')]")
_VISIBLE = re.compile(rfi_sources.VISIBLE_DATE)


@dataclass(frozen=True, slots=True)
class PageDates:
    published: datetime | None = None
    modified: datetime | None = None
    """None when the page shows no modification (or the same time as published)."""


def page_dates(page, article, edition: rfi_sources.Edition) -> PageDates:
    """The publication and modification times of an article page (aware datetimes)."""
    linked = news_article(page)
    times = [_iso(t.get("datetime")) for t in _TIMES(article)]
    visible = _visible_dates(article, edition)
    published = (
        _iso(linked.get("datePublished"))
        or _iso(_first(_PUBLISHED_META(page)))
        or (times[0] if times else None)
        or visible[0]
    )
    modified = (
        _iso(linked.get("dateModified"))
        or _iso(_first(_MODIFIED_META(page)))
        or (times[1] if len(times) > 1 else None)
        or visible[1]
    )
    if modified is not None and published is not None and modified <= published:
        modified = None
    return PageDates(published, modified)


def news_article(page) -> dict:
    """The first NewsArticle object of the page's JSON-LD blocks ({} when none parses)."""
    for script in _JSON_LD(page):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue  # RFI's JSON-LD is data we read, not a contract: skip what is broken
        for candidate in _objects(data):
            kinds = candidate.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if rfi_sources.NEWS_ARTICLE_TYPES.intersection(k for k in kinds if isinstance(k, str)):
                return candidate
    return {}


def _objects(data):
    """Every object of a JSON-LD block: the block, array items and @graph members."""
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            yield item
            if isinstance(item.get("@graph"), list):
                stack.extend(item["@graph"])


def _visible_dates(article, edition) -> tuple[datetime | None, datetime | None]:
    """(published, modified) read off the visible dates line, in Paris time."""
    blocks = _DATES_BLOCK(article)
    if not blocks:
        return None, None
    text = " ".join(blocks[0].text_content().split())
    published = modified = None
    at = text.find(edition.modified_label)
    head, tail = (text[:at], text[at:]) if at >= 0 else (text, "")
    if found := _VISIBLE.search(head):
        published = _paris(found)
    if found := _VISIBLE.search(tail):
        modified = _paris(found)
    return published, modified


def _paris(match: re.Match) -> datetime | None:
    day, month, year, hour, minute = map(int, match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=PARIS)
    except ValueError:
        return None


def _first(values: list) -> str | None:
    return values[0] if values else None


def _iso(value) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=PARIS)
