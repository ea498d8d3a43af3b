"""The archive: one text file per article (see docs/archive.md).

This package knows the file format, canonical URLs, content fingerprints, the
index of a folder and how to write to it. It imports nothing from Scrapy, so
the spider, the pipelines and the ``archive`` command can all build on it.
"""

from newsspider.archive.entry import Entry, EntryFormatError, parse_entry, read_entry
from newsspider.archive.fingerprint import fingerprint
from newsspider.archive.urls import canonical_url

__all__ = [
    "Entry",
    "EntryFormatError",
    "canonical_url",
    "fingerprint",
    "parse_entry",
    "read_entry",
]
