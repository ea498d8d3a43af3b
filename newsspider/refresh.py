"""Which Scrapy runs refresh the archive.

Only ``scrapy crawl`` does (its command turns REFRESH_ENABLED on). Scrapy's
other tools run the same spider and components for one page (``parse``,
``check``, ``fetch``, ``shell``) and must leave the archive untouched: every
component that opens, locks or writes ARCHIVE_DIR starts with
:func:`refresh_only`.
"""

from scrapy.exceptions import NotConfigured


def refresh_only(crawler) -> None:
    """Raise NotConfigured unless this run refreshes the archive."""
    if not crawler.settings.getbool("REFRESH_ENABLED"):
        raise NotConfigured("not a refresh (scrapy crawl): the archive is left untouched")
