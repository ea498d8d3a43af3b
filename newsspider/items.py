"""What the spider hands to the pipelines."""

import scrapy


class ArticleItem(scrapy.Item):
    """One fetched article page, normalized into the archive's entry parts."""

    url = scrapy.Field()
    """Canonical URL (the archive's identity of the article)."""
    title = scrapy.Field()
    html = scrapy.Field()
    """The entry's one-line HTML."""
    timestamp = scrapy.Field()
    """Capture time, epoch ms: the timestamp a new revision is stored with."""
    fingerprint = scrapy.Field()
    published = scrapy.Field()
    """The page's publication time, ISO 8601 (None when the page shows none)."""
    modified = scrapy.Field()
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    outcome = scrapy.Field()
    """Set by the archive pipeline: unchanged, updated or new."""
    capture = scrapy.Field()
    """The raw HTTP exchange (archive.captures.Exchange); the capture pipeline takes it out."""


class ArticleGone(scrapy.Item):
    """An archived article's URL answered 404 or 410."""

    url = scrapy.Field()
    status = scrapy.Field()
    timestamp = scrapy.Field()
    outcome = scrapy.Field()


class ArticleNotModified(scrapy.Item):
    """An archived article answered 304 to a conditional request: nothing to parse."""

    url = scrapy.Field()
    timestamp = scrapy.Field()
    outcome = scrapy.Field()
