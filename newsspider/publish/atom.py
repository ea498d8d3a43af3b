"""``changes.atom``: the archive's recent changes as an Atom feed (RFC 4287).

One entry per new, updated and gone article: title, link to the article,
time, and for an edit a one-line summary of what changed. Ids are ``tag:``
URIs built from the article's canonical URL, the kind and the time, so a
feed reader never sees one change twice. Built with lxml, which escapes
everything it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from newsspider.archive.changes import Change
from newsspider.publish.html import iso_time

ATOM = "http://www.w3.org/2005/Atom"
FEED_TITLE = "RFI 中文 archive: changes"
# Tag URIs (RFC 4151) under the site the articles belong to, dated by the
# archive's first year; the specific part is the article's path.
TAG_AUTHORITY = "tag:www.rfi.fr,2020:"
# XML 1.0 forbids these characters even escaped; damaged entries may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class FeedItem:
    change: Change
    summary: str
    page: str
    """The article's page in the site, relative to the feed (``site/articles/<stem>.html``)."""


def atom_feed(items: list[FeedItem], site_index: str = "site/index.html") -> bytes:
    """The feed document for ``items`` (newest first)."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-Hans")
    _text(feed, "id", TAG_AUTHORITY + "/cn/#newsspider-changes")
    _text(feed, "title", FEED_TITLE)
    newest = max((item.change.time_ms for item in items), default=0)
    _text(feed, "updated", iso_time(newest))
    author = etree.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "newsspider")
    _link(feed, site_index, rel="alternate", type_="text/html")
    _text(feed, "generator", "newsspider")
    for item in items:
        feed.append(_entry(item))
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)


def change_id(change: Change) -> str:
    """A stable id for one change of one article."""
    path = urlsplit(change.url).path or "/"
    return f"{TAG_AUTHORITY}{path}#{change.kind}-{change.time_ms}"


def _entry(item: FeedItem):
    change = item.change
    entry = etree.Element(f"{{{ATOM}}}entry")
    _text(entry, "id", change_id(change))
    _text(entry, "title", f"{change.kind}: {change.title}")
    _text(entry, "updated", iso_time(change.time_ms))
    _link(entry, change.url, rel="alternate", type_="text/html")
    _link(entry, item.page, rel="related", type_="text/html")
    category = etree.SubElement(entry, f"{{{ATOM}}}category")
    category.set("term", change.kind)
    _text(entry, "summary", item.summary)
    return entry


def _text(parent, name: str, value: str):
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = _NOT_XML.sub("\ufffd", value)
    return element


def _link(parent, href: str, rel: str, type_: str) -> None:
    link = etree.SubElement(parent, f"{{{ATOM}}}link")
    link.set("rel", rel)
    link.set("type", type_)
    link.set("href", _NOT_XML.sub("", href))
