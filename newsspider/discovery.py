"""Read RFI's listings (RSS, sitemaps, section pages) into candidate articles.

Pure functions over response bodies; the spider decides what to fetch. What
RFI's files look like is assumed in newsspider.rfi_sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import lxml.html
from parsel import Selector
from scrapy.utils.sitemap import Sitemap

from newsspider import rfi_sources
from newsspider.archive.urls import canonical_url, is_rfi_article_url

_URL_DATE = re.compile(rfi_sources.URL_DATE)


@dataclass(frozen=True, slots=True)
class Listed:
    """An article URL as a listing showed it."""

    url: str
    """Canonical URL."""
    published: datetime | None = None
    lastmod: datetime | None = None


def rss_articles(body: bytes, path: str = rfi_sources.EDITIONS["cn"].path) -> list[Listed]:
    selector = Selector(body=body, type="xml")
    selector.remove_namespaces()
    found = []
    for item in selector.xpath("//item"):
        link = (item.xpath("link/text()").get() or item.xpath("guid/text()").get() or "").strip()
        found.extend(_listed(link, path, published=_rfc822(item.xpath("pubDate/text()").get())))
    return found


def sitemap_listing(
    body: bytes, path: str = rfi_sources.EDITIONS["cn"].path
) -> tuple[str, list[Listed]]:
    """('sitemapindex', child sitemaps) or ('urlset', articles of the edition at ``path``)."""
    news_dates = _news_publication_dates(body)
    sitemap = Sitemap(body)
    found = []
    for entry in sitemap:
        loc = entry.get("loc", "")
        lastmod = _w3c(entry.get("lastmod"))
        if sitemap.type == "sitemapindex":
            found.append(Listed(loc.strip(), lastmod=lastmod))
        else:
            found.extend(_listed(loc, path, published=news_dates.get(loc.strip()), lastmod=lastmod))
    return sitemap.type, found


def _news_publication_dates(body: bytes) -> dict[str, datetime]:
    # scrapy's Sitemap flattens <news:news>; its publication date is read here.
    selector = Selector(body=body, type="xml")
    selector.remove_namespaces()
    dates = {}
    for url in selector.xpath("//url[news]"):
        when = _w3c(url.xpath("news/publication_date/text()").get())
        if when:
            dates[(url.xpath("loc/text()").get() or "").strip()] = when
    return dates


def recent_monthly_sitemaps(children: list[Listed], oldest: datetime) -> list[str]:
    """The index's monthly contents_YYYYMM sitemaps that can hold articles published
    since ``oldest``, oldest month first; other children (tags, shows) list no articles."""
    months = []
    for child in children:
        month = rfi_sources.sitemap_month(child.url)
        if month is not None and month >= (oldest.year, oldest.month):
            months.append((month, child.url))
    return [url for _, url in sorted(months)]


def section_articles(
    body: bytes, base_url: str, path: str = rfi_sources.EDITIONS["cn"].path
) -> list[Listed]:
    tree = lxml.html.document_fromstring(body, base_url=base_url)
    found, seen = [], set()
    for link in tree.xpath(rfi_sources.SECTION_LINKS):
        href = link.get("href") or ""
        times = link.xpath(rfi_sources.SECTION_LINK_TIME)
        for listed in _listed(
            lxml.html.urljoin(base_url, href), path, published=_w3c(times[0]) if times else None
        ):
            if listed.url not in seen:  # image and title links repeat one href
                seen.add(listed.url)
                found.append(listed)
    return found


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
