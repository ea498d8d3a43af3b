"""What the spider hands to the pipelines, and what feed exports write.

One item per article the run started, whatever became of it, with the same
fields every time (``None`` where a field does not apply), so that
``-O out.csv`` and ``-O out.jsonl`` have one shape. README.md shows an example.
"""

import scrapy

OUTCOMES = ("unchanged", "updated", "new", "gone", "failed")
"""What a check did to the archive; every article ends with exactly one."""
NOT_MODIFIED = 304
GONE_STATUSES = (404, 410)
"""Answers that say the article was removed (its entry is kept, marked gone)."""


class ArticleItem(scrapy.Item):
    """One checked article: its outcome, and what the page said."""

    url = scrapy.Field()
    """Canonical URL of the article the run asked for (the archive's identity)."""
    outcome = scrapy.Field()
    """One of OUTCOMES. The spider sets only "failed"; the archive pipeline decides the rest."""
    reason = scrapy.Field()
    """One line: why the article failed, or a note on an outcome (None when all went well)."""
    title = scrapy.Field()
    entry = scrapy.Field()
    """The entry's file name inside the archive (None when the article has none)."""
    status = scrapy.Field()
    """HTTP status of the answer (200, 304, 404…; None when there was no answer)."""
    published = scrapy.Field()
    """The page's publication time, ISO 8601."""
    modified = scrapy.Field()
    """The update time the page shows, ISO 8601."""
    timestamp = scrapy.Field()
    """When the article was checked, epoch ms (a new revision is stored with it)."""
    html = scrapy.Field()
    """The entry's one-line HTML, as the page gives it."""
    fingerprint = scrapy.Field()
    """Hash of the page's visible text (newsspider.archive.fingerprint)."""
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    capture = scrapy.Field()
    """The raw HTTP exchange (archive.captures.Exchange) behind a fetched page; the capture
    pipeline takes it out, so feed exports (FIELDS) never carry it."""
    parts = scrapy.Field()
    """Which entry parts the page had: part -> found (newsspider.page.article.PARTS),
    set while the page is normalized; the suspect pipeline takes it out (not in FIELDS)."""


FIELDS = (
    "url",
    "outcome",
    "reason",
    "title",
    "entry",
    "status",
    "published",
    "modified",
    "timestamp",
    "html",
    "fingerprint",
    "etag",
    "last_modified",
)
"""Every field, in the column order of feed exports (settings.FEED_EXPORT_FIELDS)."""


def article_item(url: str, **values) -> ArticleItem:
    """An ArticleItem with every field present, in FIELDS order."""
    item = ArticleItem()
    for field in FIELDS:
        item[field] = values.pop(field, None)
    item["url"] = url
    if values:
        raise KeyError(f"not ArticleItem fields: {', '.join(sorted(values))}")
    return item


def failed_item(url: str, reason: str, **values) -> ArticleItem:
    """The item of an article that could not be checked; the archive is left as it is."""
    return article_item(url, outcome="failed", reason=reason, **values)


def is_page(item) -> bool:
    """A fetched page still to be judged: not a failure, not a 304, not a 404/410."""
    return item.get("outcome") is None and item.get("status") not in (
        NOT_MODIFIED,
        *GONE_STATUSES,
    )


def fail(item: ArticleItem, reason: str) -> ArticleItem:
    """Turn an item into a failure, keeping what the page said (for the report and exports)."""
    item["outcome"] = "failed"
    item["reason"] = reason
    return item
