"""Compose RFI Chinese article pages from real material, for fixtures and cassettes.

No capture of an RFI Chinese article page exists here, so pages are built
from two real sources (see cassettes/README.md):

- the real France Médias Monde article template
  (``../shared/rfi/pages/mcd-ar_article_2024-01-31.fragment.html``, and the
  real RFI ``<head>`` of ``rfi-en_offline-page.html``), with its own
  interstitial ad, self-promotion blocks, share bar, tags and related lists;
- the content of a real archive entry from ``../shared/rfi/archive``: title,
  date, image, lead, body paragraphs, share links or author.

Only the article's slots are replaced; everything else is the template's.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from newsspider.archive import Entry

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "rfi"
PAGES = SHARED / "pages"
ARCHIVE = SHARED / "archive"
PARIS = ZoneInfo("Europe/Paris")

FEED_FOOTER = re.compile(r"<br><hr><div>获取更多RSS.*$")
SHARE_START = "<div><div>分享 :</div>"
AUTHOR_START = "<div><div><div><div><span>作者："
PROMO = "<div data-selfpromo-newsletter></div><div data-selfpromo-app></div>"


@cache
def _template() -> str:
    return (PAGES / "mcd-ar_article_2024-01-31.fragment.html").read_text(encoding="utf-8")


@cache
def _head() -> str:
    page = (PAGES / "rfi-en_offline-page.html").read_text(encoding="utf-8")
    return page[: page.index("</head>") + len("</head>")]


def split_entry(html: str) -> dict:
    """Cut an entry's one-line HTML into its parts (entry -> page direction)."""
    html = FEED_FOOTER.sub("", html)
    match = re.match(r"<div>(\d\d/\d\d/\d{4} - \d\d:\d\d)</div>", html)
    parts = {"date": match.group(1)}
    rest = html[match.end() :]
    image = re.match(r'<img src="([^"]*)">', rest)
    parts["image"] = image.group(1) if image else None
    rest = rest[image.end() :] if image else rest
    lead = re.match(r"<p><strong>(.*?)</strong></p>", rest)
    parts["lead"] = lead.group(1) if lead else None
    rest = rest[lead.end() :] if lead else rest
    ends = [i for i in (rest.find(SHARE_START), rest.find(AUTHOR_START)) if i >= 0]
    cut = min(ends) if ends else len(rest)
    parts["body"], ending = rest[:cut], rest[cut:]
    parts["share_links"] = (
        re.findall(r'<a href="([^"]*)"', ending) if ending.startswith(SHARE_START) else []
    )
    author = re.search(r'<a href="([^"]*)" title="([^"]*)">([^<]*)</a>', ending)
    parts["author"] = author.groups() if ending.startswith(AUTHOR_START) and author else None
    return parts


def compose_page(entry: Entry, modified: datetime | None = None) -> str:
    """A whole RFI Chinese article page (head, menus, footer) carrying ``entry``.

    ``modified``: the page shows that update time too (JSON-LD ``dateModified``
    and a second, "更改时间" date, as RFI shows an edited article: FACTS.md).
    """
    parts = split_entry(unglue(entry.html))
    page = _template()
    page = _replace_between(
        page, '<h1 class="t-content__title a-page-title">', "</h1>", _text(entry.title)
    )
    if parts["lead"] is None:
        page = re.sub(r'<p class="t-content__chapo">.*?</p>\s*', "", page, count=1, flags=re.S)
    else:
        page = _replace_between(
            page,
            '<p class="t-content__chapo">',
            "</p>",
            "\n                        " + parts["lead"],
        )
    when = datetime.strptime(parts["date"], "%d/%m/%Y - %H:%M").replace(tzinfo=PARIS)
    shown = (
        f'发表时间 : <time datetime="{when.astimezone(ZoneInfo("UTC")).isoformat()}" '
        f'pubdate="pubdate">{parts["date"]}</time>'
    )
    if modified is not None:
        shown += (
            '</span><span class="m-pub-dates__date">更改时间 : '
            f'<time datetime="{modified.astimezone(ZoneInfo("UTC")).isoformat()}">'
            f"{modified.astimezone(PARIS):%d/%m/%Y - %H:%M}</time>"
        )
    page = re.sub(
        r'نشرت في: <time datetime="[^"]*" pubdate="pubdate">[^<]*</time>',
        lambda _: shown,
        page,
    )
    page = _main_media(page, parts["image"])
    page = _authors(page, parts["author"])
    page = _body(page, parts["body"])
    page = _shares(page, parts["share_links"])
    head = _head_for(entry, parts["image"], when, modified)
    opening = '<!DOCTYPE html>\n<html dir="ltr" lang="zh-Hans">'
    return f'{opening}\n{head}\n<body class="u-header-sticky">\n{page}'


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _replace_between(page: str, start: str, end: str, inner: str) -> str:
    a = page.index(start) + len(start)
    b = page.index(end, a)
    return page[:a] + inner + page[b:]


def _head_for(
    entry: Entry, image: str | None, published: datetime, modified: datetime | None
) -> str:
    head = _head().replace('lang="en"', 'lang="zh-Hans"')
    attr = entry.title.replace("&", "&amp;").replace('"', "&quot;")
    head = head.replace(
        '<meta property="og:title" content="">', f'<meta property="og:title" content="{attr}">'
    )
    head = head.replace("<title></title>", f"<title>{_text(entry.title)}</title>")
    og_image = (
        '<meta property="og:image" content="https://static.rfi.fr/meta_og_twcards/RFI_FB.png">'
    )
    if image is None:
        head = head.replace(og_image, "")
    else:
        head = head.replace(og_image, f'<meta property="og:image" content="{image}">')
    return head.replace(
        "</head>",
        f'<link rel="canonical" href="{entry.url}"/>\n'
        f'<meta property="og:url" content="{entry.url}">\n'
        f'<meta property="article:published_time" content="{published.isoformat()}">\n'
        f"{news_article_json_ld(entry, published, modified)}\n</head>",
    )


def news_article_json_ld(entry: Entry, published: datetime, modified: datetime | None) -> str:
    """The head's JSON-LD as FACTS.md describes RFI's (SEEN in RSSHub's rfi route): an
    array block holding the NewsArticle with its dates. Its other fields are INFERRED."""
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": entry.title,
        "mainEntityOfPage": entry.url,
        "datePublished": published.isoformat(),
        "dateModified": (modified or published).isoformat(),
        "author": [{"@type": "Organization", "name": "RFI"}],
    }
    data = json.dumps([article], ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{data}</script>'


def _main_media(page: str, image: str | None) -> str:
    start = page.index('<div class="t-content__main-media">')
    end = page.index('<div class="t-content__authors-tts">')
    if image is None or "/w:" not in image:
        return page[:start] + page[end:]  # no picture of its own: no figure on the page
    media = re.sub(
        r"https://s\.mc-doualiya\.com/media/display/[^/]+/",
        image.split("/w:")[0] + "/",
        page[start:end],
    )
    name = image.rsplit("/", 1)[1]
    media = re.sub(
        r"IMG_0535\.(jpeg|webp)",
        lambda m: name if m.group(1) == "jpeg" else name.rsplit(".", 1)[0] + ".webp",
        media,
    )
    return page[:start] + media + page[end:]


def _authors(page: str, author: tuple[str, str, str] | None) -> str:
    start = page.index('<div class="t-content__authors-tts">')
    end = page.index('<div class="t-content__body u-clearfix">')
    if author is None:
        return page[:start] + page[end:]
    href, title, name = author
    block = page[start:end].replace("إعداد:", "作者：")
    block = re.sub(
        r'<span class="m-from-author__name">.*?</span>',
        f'<a href="{href}" class="m-from-author__name" title="{title}">\n'
        f"                        {name}\n                    </a>",
        block,
        flags=re.S,
    )
    return page[:start] + block + page[end:]


def _body(page: str, body: str) -> str:
    start = page.index('<div class="t-content__body u-clearfix">')
    shares = page.index('<div class="t-content__shares')
    end = page.rindex("</div>", start, shares)
    template_body = page[start:end]
    interstitial = template_body[
        template_body.index('<div class="m-interstitial">') : template_body.index("<p> </p>")
    ]
    promo = template_body[template_body.index('<div class="o-self-promo o-self-promo--nl') :]
    inner = re.match(r"<div ?>(.*)</div>$", body, re.S)
    content = inner.group(1) if inner else body
    content = content.replace(PROMO, "\n" + promo.rstrip() + "\n")
    new = (
        f'<div class="t-content__body u-clearfix">\n{interstitial.rstrip()}\n'
        f"                    {content}\n                "
    )
    return page[:start] + new + page[end:]


def _shares(page: str, links: list[str]) -> str:
    start = page.index('<div class="t-content__shares')
    end = page.index('<div class="t-content__tags">')
    if not links:
        return page[:start] + page[end:]
    block = page[start:end].replace("مشاركة :", "分享 :")
    anchors = list(re.finditer(r'<a href="[^"]*"( class="[^"]*")', block))
    pieces, last = [], 0
    usable = [
        a for a in anchors if "viber" not in block[a.start() : block.index("</a>", a.start())]
    ]
    for anchor in anchors:
        pieces.append(block[last : anchor.start()])
        close = block.index("</a>", anchor.start()) + len("</a>")
        if anchor in usable and usable.index(anchor) < len(links):
            index = usable.index(anchor)
            original = block[anchor.start() : close]
            rest = original[original.index(anchor.group(1)) :]
            pieces.append(f'<a href="{links[index]}"{rest}')
        last = close
    pieces.append(block[last:])
    return page[:start] + "".join(pieces) + page[end:]


# The archive's writer joined lines, so a tag written over several lines on
# the page lost the line breaks between its attributes ("<img\n src=" became
# "<imgsrc="). A page composed from such an entry puts the breaks back.
_GLUED_TAG = re.compile(r"<(img|source|div|youtube-player)(?=[a-z_-]+=)")
_GLUED_ATTRIBUTE = re.compile(r'(?<!=)"(?=[a-z_-]+(?:="|[ >]))')


def unglue(html: str) -> str:
    html = _GLUED_TAG.sub(lambda m: f"<{m.group(1)}\n ", html)
    return re.sub(r"<[^<>]*>", lambda m: _GLUED_ATTRIBUTE.sub('"\n ', m.group(0)), html)


def entry_published(entry: Entry) -> datetime:
    """The publication time an entry's date line shows (Paris), as an aware datetime."""
    shown = re.match(r"<div>(\d\d/\d\d/\d{4} - \d\d:\d\d)</div>", entry.html).group(1)
    return datetime.strptime(shown, "%d/%m/%Y - %H:%M").replace(tzinfo=PARIS)


def compose_section_page(entries: list[Entry]) -> str:
    """An RFI section page whose listings show ``entries``.

    The real RFI Spanish homepage slice supplies the listing markup (article
    list items, then the "news feed" with times); its links and titles are
    replaced by the entries', in order, and list items beyond them removed.
    """
    listing = (PAGES / "rfi-es_homepage_2024-02-02.listing-slice.html").read_text(encoding="utf-8")
    hrefs = list(dict.fromkeys(re.findall(r'href="(/es/[^"]*/\d{8}-[^"]*)"', listing)))
    for index, href in enumerate(hrefs):
        if index < len(entries):
            entry = entries[index]
            path = entry.url.split("https://www.rfi.fr", 1)[1]
            listing = listing.replace(f'href="{href}"', f'href="{path}"')
        else:
            listing = listing.replace(f'href="{href}"', 'href="/cn/"')  # a section, not an article
    head = _head().replace('lang="en"', 'lang="zh-Hans"')
    return (
        f'<!DOCTYPE html>\n<html dir="ltr" lang="zh-Hans">\n{head}\n'
        f'<body>\n<main data-nav-container>\n<div class="t-content t-content--page-builder" '
        f'id="main-content">\n{listing}\n</div>\n</main>\n</body>\n</html>\n'
    )


def compose_rolling_news_page(entries: list[Entry]) -> str:
    """RFI's rolling-news listing (/cn/滚动新闻/) showing ``entries``.

    INFERRED markup: public scrapers of /cn/ read it as ``a[data-article-item-link]``
    with a ``<time datetime>`` beside it (FACTS.md); no capture of the page exists,
    so the items are written in the template's news-feed list (TEMPLATE.md).
    """
    items = "".join(
        '<li><div class="m-item-news-feed"><div class="news__metadata__time">'
        f'<time datetime="{entry_published(e).isoformat()}">{entry_published(e):%H:%M}</time></div>'
        f'<a href="{e.url.split("https://www.rfi.fr", 1)[1]}" data-article-item-link>'
        f"<h2>{_text(e.title)}</h2></a></div></li>\n"
        for e in entries
    )
    return _listing_page(f'<ol class="o-layout-list o-layout-list--news-feed">\n{items}</ol>')


def compose_day_archive_page(entries: list[Entry]) -> str:
    """A day archive listing ``entries`` as ``ul.o-archive-day__list li a`` (FACTS.md, SEEN
    in public scrapers; the surrounding markup is INFERRED)."""
    items = "".join(
        f'<li><a href="{e.url.split("https://www.rfi.fr", 1)[1]}">{_text(e.title)}</a></li>\n'
        for e in entries
    )
    return _listing_page(f'<ul class="o-archive-day__list">\n{items}</ul>')


def _listing_page(listing: str) -> str:
    head = _head().replace('lang="en"', 'lang="zh-Hans"')
    return (
        f'<!DOCTYPE html>\n<html dir="ltr" lang="zh-Hans">\n{head}\n'
        f'<body>\n<main data-nav-container>\n<div class="t-content t-content--page-builder" '
        f'id="main-content">\n{listing}\n</div>\n</main>\n</body>\n</html>\n'
    )
