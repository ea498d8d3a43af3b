"""Fail pages that are not worth archiving, saying why."""

from __future__ import annotations

import logging

from newsspider.archive.fingerprint import entry_text
from newsspider.items import ArticleItem, fail, is_page

logger = logging.getLogger(__name__)


class ValidateArticlePipeline:
    """An article needs a title and a body with some text.

    A page that fails this is a parse failure (template change, error page
    served as 200), never a reason to touch the archive: its item goes on as
    ``failed`` with the reason, and the archive pipeline leaves it alone.
    """

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if not is_page(item):
            return item
        reason = problem(item)
        if reason:
            self.stats.inc_value(f"validate/failed/{reason}")
            fail(item, reason)
        return item


def problem(item: ArticleItem) -> str | None:
    if not item.get("title"):
        return "no title"
    if not item.get("html") or not _has_body_text(item["html"]):
        return "empty body"
    return None


def _has_body_text(html: str) -> bool:
    # The body is the first top-level <div> after the date line. The loader has
    # just read the same HTML for the fingerprint: entry_text does not parse it again.
    divs = entry_text(html).top_divs
    return len(divs) >= 2 and bool(divs[1].strip())
