"""Read RFI's listings (RSS, sitemaps, section pages) into candidate articles.

Pure functions over response bodies; the spider decides what to fetch. What
RFI's files look like is assumed in newsspider.rfi_sources.

Listings are untrusted input. A listing that cannot be read raises
ListingError with a one-line reason, and nothing in it is used: an empty
body, a gzip body over the size limit once decompressed, XML that is not
well-formed, XML with a DTD (how entity expansion bombs and external
entities come in: nothing is ever expanded, loaded or fetched), a document
of the wrong kind, a section page without article links. What a readable
listing shows is only used as a www.rfi.fr URL (is_rfi_article_url,
canonical_url): never a path, never another scheme or host.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import lxml.etree
import lxml.html
from parsel import Selector
from scrapy.utils.gz import gunzip

from newsspider import rfi_sources
from newsspider.archive.urls import CANONICAL_HOST, canonical_url, is_rfi_article_url

_URL_DATE = re.compile(rfi_sources.URL_DATE)
DEFAULT_PATH = rfi_sources.EDITIONS[rfi_sources.DEFAULT_EDITION].path
_GZIP_MAGIC = b"\x1f\x8b"
_DTD_IN_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.S)
_NO_DTD = "has a DTD (<!DOCTYPE>): refused, listings have none"


class ListingError(ValueError):
    """A listing that is not read; ``str()`` is the reason, one line."""


@dataclass(frozen=True, slots=True)
class Listed:
    """An article URL as a listing showed it."""

    url: str
    """Canonical URL."""
    published: datetime | None = None
    lastmod: datetime | None = None


def rss_articles(body: bytes, max_size: int = 0, path: str = DEFAULT_PATH) -> list[Listed]:
    """Articles of an RSS 2.0 (or 1.0) feed of the edition at ``path``; ``max_size``
    bounds a gzip body."""
    selector = _xml(body, ("rss", "RDF"), "an RSS feed", max_size)
    found = []
    for item in selector.xpath("//item"):
        link = (item.xpath("link/text()").get() or item.xpath("guid/text()").get() or "").strip()
        found.extend(_listed(link, path, published=_rfc822(item.xpath("pubDate/text()").get())))
    return found


def sitemap_listing(
    body: bytes, max_size: int = 0, path: str = DEFAULT_PATH
) -> tuple[str, list[Listed]]:
    """('sitemapindex', child sitemaps on www.rfi.fr) or ('urlset', articles of the
    edition at ``path``).

    ``max_size`` bounds a gzip body (``sitemap.xml.gz``) once decompressed.
    """
    selector = _xml(body, ("urlset", "sitemapindex"), "a sitemap", max_size)
    kind = selector.xpath("name(/*)").get()
    found = []
    if kind == "sitemapindex":
        for child in selector.xpath("/sitemapindex/sitemap"):
            url = _rfi_url(child.xpath("loc/text()").get())
            if url:
                found.append(Listed(url, lastmod=_w3c(child.xpath("lastmod/text()").get())))
        return kind, found
    for url in selector.xpath("/urlset/url"):
        found.extend(
            _listed(
                (url.xpath("loc/text()").get() or "").strip(),
                path,
                published=_w3c(url.xpath("news/publication_date/text()").get()),
                lastmod=_w3c(url.xpath("lastmod/text()").get()),
            )
        )
    return kind, found


def _xml(body: bytes, roots: tuple[str, ...], what: str, max_size: int) -> Selector:
    """A namespace-free selector over a listing's XML, or ListingError."""
    body = _gunzipped(body, max_size) if body[:2] == _GZIP_MAGIC else body
    if not body.strip():
        raise ListingError("empty body")
    # Feeds and sitemaps have no DTD; a DTD is how entity bombs and external
    # entities come in. Refused before parsing, and the parser below expands,
    # loads and fetches nothing anyway.
    if _DTD_IN_PROLOG.match(body):
        raise ListingError(_NO_DTD)
    parser = lxml.etree.XMLParser(
        resolve_entities=False,  # never expand an entity, internal or external
        load_dtd=False,
        no_network=True,
        huge_tree=False,  # libxml2's limits on depth and node size stay on
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = lxml.etree.fromstring(body, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise ListingError(f"not well-formed XML: {exc.msg.strip()}") from None
    if root.getroottree().docinfo.doctype:  # one the byte check missed (UTF-16…)
        raise ListingError(_NO_DTD)
    name = lxml.etree.QName(root).localname
    if name not in roots:
        raise ListingError(f"not {what}: its root element is <{name}>")
    selector = Selector(root=root, type="xml")
    selector.remove_namespaces()
    return selector


def _gunzipped(body: bytes, max_size: int) -> bytes:
    try:
        return gunzip(body, max_size=max_size)
    except ValueError:  # scrapy's "decompressed size exceeded max_size"
        raise ListingError(
            f"gzip body larger than DOWNLOAD_MAXSIZE ({max_size} B) once decompressed"
        ) from None
    except (OSError, EOFError, struct.error, zlib.error) as exc:
        raise ListingError(f"not a valid gzip body: {exc}") from None


def recent_monthly_sitemaps(children: list[Listed], oldest: datetime) -> list[str]:
    """The index's monthly contents_YYYYMM sitemaps that can hold articles published
    since ``oldest``, oldest month first; other children (tags, shows) list no articles."""
    months = []
    for child in children:
        month = rfi_sources.sitemap_month(child.url)
        if month is not None and month >= (oldest.year, oldest.month):
            months.append((month, child.url))
    return [url for _, url in sorted(months)]


def section_articles(body: bytes, base_url: str, path: str = DEFAULT_PATH) -> list[Listed]:
    """Article links of a listing page of the edition at ``path`` (``base_url`` resolves
    relative links)."""
    if not body.strip():
        raise ListingError("empty body")
    try:
        tree = lxml.html.document_fromstring(body, base_url=base_url)
    except lxml.etree.ParserError as exc:
        raise ListingError(f"not an HTML page: {exc}") from None
    found, seen = [], set()
    links = tree.xpath(rfi_sources.SECTION_LINKS)
    if not links:
        raise ListingError("no article links on the page (template changed?)")
    for link in links:
        href = link.get("href") or ""
        times = link.xpath(rfi_sources.SECTION_LINK_TIME)
        for listed in _listed(
            lxml.html.urljoin(base_url, href), path, published=_w3c(times[0]) if times else None
        ):
            if listed.url not in seen:  # image and title links repeat one href
                seen.add(listed.url)
                found.append(listed)
    return found


def _rfi_url(url: str | None) -> str | None:
    """The canonical form of an http(s) URL on www.rfi.fr, else None."""
    try:
        canonical = canonical_url(url or "")
    except ValueError:
        return None
    return canonical if canonical.startswith(f"https://{CANONICAL_HOST}/") else None


def _listed(url: str, path: str, published=None, lastmod=None) -> list[Listed]:
    if not url or not is_rfi_article_url(url, path):
        return []
    return [Listed(canonical_url(url), published or url_date(url), lastmod)]


def url_date(url: str) -> datetime | None:
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        return datetime(*map(int, match.groups()), tzinfo=UTC)
    except ValueError:
        return None


def _rfc822(text: str | None) -> datetime | None:
    try:
        when = parsedate_to_datetime(text.strip()) if text else None
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=when.tzinfo or UTC) if when else None


def _w3c(text: str | None) -> datetime | None:
    if not text:
        return None
    text = text.strip().replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
