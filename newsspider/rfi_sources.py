"""Everything newsspider assumes about RFI's Chinese editions, in one place.

Each fact says where it comes from: SEEN (read in a real capture in
``../shared/rfi/pages`` or in a public source quoted by
``../shared/rfi/FACTS.md``) or INFERRED (a conclusion from what was seen).
No capture of RFI's robots.txt, /cn/ feeds, /cn/ sitemaps or a raw /cn/
article page exists here: when one turns up and differs, this module is the
one place to correct, and the tests (which build their listings from it)
follow.

An edition is data, not a copy of the spider: ``cn`` (simplified, the
default) and ``tw`` (traditional) share the template and differ in their
path, listings and labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

SITE = "https://www.rfi.fr"


@dataclass(frozen=True)
class Edition:
    code: str
    """The path segment: /cn/, /tw/."""
    locale: str
    """og:locale of its pages."""
    twitter: str
    """twitter:site of its pages."""
    sections: tuple[str, ...]
    rolling_news: str
    """The rolling-news listing's path segment."""
    column_section: str
    """Columns live under /<code>/<column_section>/…; their entries end with a byline."""
    published_label: str
    modified_label: str

    @property
    def path(self) -> str:
        return f"/{self.code}/"

    def url(self, *segments: str) -> str:
        """An absolute URL under the edition, segments percent-encoded as stored."""
        encoded = "/".join(quote(s, safe="") for s in segments)
        return f"{SITE}{self.path}{encoded}"

    @property
    def feeds(self) -> list[str]:
        # SEEN: /cn/rss and per-section /cn/<section>/rss in public feed-reader configs
        # (FACTS.md, Listings); /tw/rss SEEN. INFERRED: every section has one.
        return [self.url("rss"), *(self.url(section, "rss") for section in self.sections)]

    @property
    def news_sitemap(self) -> str:
        # SEEN: /sitemaps/cn/news.xml, a Google News sitemap (a public Scrapy spider).
        return f"{SITE}/sitemaps/{self.code}/news.xml"

    @property
    def sitemap_index(self) -> str:
        # SEEN for /es/ (RFI Spanish, a public media-sync script): /sitemaps/<lang>/index.xml.
        # INFERRED for /cn/ and /tw/.
        return f"{SITE}/sitemaps/{self.code}/index.xml"

    @property
    def sitemaps(self) -> list[str]:
        return [self.news_sitemap, self.sitemap_index]

    @property
    def listing_pages(self) -> list[str]:
        """The rolling-news listing, then every section page."""
        # SEEN: /cn/滚动新闻/ and the sections (public scrapers of /cn/). INFERRED for /tw/.
        return [self.url(self.rolling_news, ""), *(self.url(s, "") for s in self.sections)]

    def is_column(self, canonical: str) -> bool:
        return canonical.startswith(self.url(self.column_section, ""))


EDITIONS = {
    "cn": Edition(
        code="cn",
        locale="zh_CN",  # SEEN: FMM's own end-to-end tests (FACTS.md, Article pages)
        twitter="@RFI_Cn",  # SEEN: same source
        # SEEN: public scrapers of /cn/ (FACTS.md, Listings).
        sections=("中国", "法国", "港澳台", "亚洲", "美洲", "欧洲", "中东", "非洲", "国际", "政治"),
        rolling_news="滚动新闻",  # SEEN: public scrapers
        column_section="专栏检索",  # SEEN: archive entries' URLs (../shared/rfi/archive)
        # SEEN: an extractor's dump of a 2026 /cn/ article: "发表时间： … 更改时间： …".
        published_label="发表时间",
        modified_label="更改时间",
    ),
    "tw": Edition(
        code="tw",
        locale="zh_TW",  # SEEN: FMM's end-to-end tests
        twitter="@RFI_TradCn",  # SEEN: same source
        # INFERRED: the /cn/ sections in traditional characters.
        sections=("中國", "法國", "港澳台", "亞洲", "美洲", "歐洲", "中東", "非洲", "國際", "政治"),
        rolling_news="滾動新聞",  # INFERRED
        column_section="專欄檢索",  # INFERRED
        published_label="發表時間",  # INFERRED: the /cn/ labels in traditional characters
        modified_label="更改時間",  # INFERRED
    ),
}
DEFAULT_EDITION = "cn"

# --- Sitemaps ------------------------------------------------------------------
# SEEN (RFI ES sitemap index): monthly article sitemaps are contents_YYYYMM.xml; the
# other children (tags, shows, page builder) list no articles.
MONTHLY_SITEMAP = re.compile(r"/contents_(\d{4})(\d{2})\.xml$")


def sitemap_month(url: str) -> tuple[int, int] | None:
    """(year, month) of a monthly article sitemap's URL, None for any other sitemap."""
    match = MONTHLY_SITEMAP.search(url)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (year, month) if 1 <= month <= 12 else None


# --- Listing markup ---------------------------------------------------------------
# SEEN (TEMPLATE.md, RFI ES homepage): cards `[data-article-list] .article__title
# a[data-article-item-link]` and the news feed `.m-item-news-feed .news__content__title a`.
# SEEN (public scrapers of /cn/, FACTS.md): `div.m-item-list-article a[data-article-item-link]`,
# the rolling news `a[data-article-item-link]` with a `<time datetime>`, and day archives
# `ul.o-archive-day__list li a`. Restricted to <main>: menus repeat section links.
SECTION_LINKS = (
    "//main//a[@data-article-item-link]"
    " | //main//*[contains(@class, 'm-item-news-feed')]"
    "//*[contains(@class, 'news__content__title')]//a"
    " | //main//ul[contains(@class, 'o-archive-day__list')]/li//a"
)
# The publication time a listing shows beside a link: its card's, or its list item's.
SECTION_LINK_TIME = (
    "(ancestor::*[contains(@class, 'm-item-news-feed') or contains(@class, 'm-item-list-article')"
    " or self::li][1]//time/@datetime)[1]"
)

# --- Article URLs ---------------------------------------------------------------------
# SEEN (archive entries, TEMPLATE.md): /<lang>/<section>/<YYYYMMDD>-<slug>; AFP wire items
# have no section and no date.
URL_DATE = r"/(20\d\d)(\d\d)(\d\d)-"

# --- Article heads -------------------------------------------------------------------
# SEEN (RSSHub's rfi route, FACTS.md): one or more script[type="application/ld+json"]
# blocks, each an object or an array; the NewsArticle one has datePublished, dateModified.
# SEEN: meta[property="article:published_time"].
JSON_LD = "//script[@type='application/ld+json']"
NEWS_ARTICLE_TYPES = frozenset({"NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle"})
PUBLISHED_META = "/html/head/meta[@property='article:published_time']/@content"
MODIFIED_META = "/html/head/meta[@property='article:modified_time']/@content"  # INFERRED
# SEEN (an extractor's dump of a 2026 /cn/ article): the visible line
# "发表时间： 27/09/2026 - 10:01更改时间： 28/09/2026 - 14:02" (Paris time).
# SEEN (TEMPLATE.md): the dates sit in `.m-pub-dates`, each a `span.m-pub-dates__date > time`.
VISIBLE_DATE = r"(\d\d)/(\d\d)/(\d{4}) - (\d\d):(\d\d)"

# --- Byline -----------------------------------------------------------------------------
# SEEN (public scrapers; RFI's stylesheet styles both): the byline's wrapper is
# `.t-content__authors-tts` on some pages and `.t-content__authors` on others; find it
# by `.m-from-author` and its name by `.m-from-author__name` (a link, or a plain span).
AUTHOR = ".m-from-author"
AUTHOR_NAME = ".m-from-author__name"
