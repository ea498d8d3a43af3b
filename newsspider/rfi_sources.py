"""Everything newsspider assumes about RFI Chinese's listing files, in one place.

Only the article page template and the section listing markup were seen in
real captures (../shared/rfi/pages). The feed and sitemap URLs and their
contents are NOT captured anywhere here; they follow the public standards
(RSS 2.0, sitemaps.org, Google News sitemaps). When a real capture shows
otherwise, this module (and the settings built from it) is what changes.
"""

from __future__ import annotations

SITE = "https://www.rfi.fr"
LANGUAGE_PATH = "/cn/"

# RSS 2.0: <rss><channel><item><link>…</link><pubDate>RFC 822</pubDate></item>.
# RFI publishes a feed per language and per section at <section>/rss (unverified).
FEEDS = [
    f"{SITE}/cn/rss",
    f"{SITE}/cn/中国/rss",
    f"{SITE}/cn/国际/rss",
]

# A Google News sitemap (<url><loc/><news:news><news:publication_date/></news:news></url>)
# for the last two days, and a sitemap index of monthly sitemaps (<sitemapindex><sitemap>
# <loc/><lastmod/></sitemap>) whose <url> entries carry <lastmod>. Both URLs unverified.
SITEMAPS = [
    f"{SITE}/sitemaps/cn/news.xml",
    f"{SITE}/sitemaps/cn/sitemap.xml",
]

# Section pages: the real template's listing markup (TEMPLATE.md, RFI ES homepage).
SECTIONS = [
    f"{SITE}/cn/中国/",
    f"{SITE}/cn/国际/",
]
SECTION_LINKS = (
    "//main//*[@data-article-list]//*[contains(@class, 'article__title')]"
    "//a[@data-article-item-link]"
    " | //main//*[contains(@class, 'm-item-news-feed')]"
    "//*[contains(@class, 'news__content__title')]//a"
)
SECTION_LINK_TIME = "ancestor::*[contains(@class, 'm-item-news-feed')][1]//time/@datetime"

# Article URLs carry their publication day: /cn/<section>/<YYYYMMDD>-<slug>.
URL_DATE = r"/(20\d\d)(\d\d)(\d\d)-"
