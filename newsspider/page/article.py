"""One function per part of an entry, each reading an RFI article page.

The page is parsed once with lxml; each function selects its part with XPath
and serializes only that subtree (a whole RFI page is ~200 KB, the article
a few KB). The selectors are the real template's class names, read off the
captures in ``../shared/rfi/pages`` (see docs/page-to-entry.md).
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

from newsspider.page.html import serialize, serialize_children, start_tag, to_archive_html

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_IMAGE = "https://static.rfi.fr/meta_og_twcards/RFI_FB.png"


def _x(expression: str) -> etree.XPath:
    return etree.XPath(expression)


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


ARTICLE = _x(f"//article[{_has_class('t-content__article-wrapper')}]")
TITLE = _x(f".//h1[{_has_class('t-content__title')}]")
OG_TITLE = _x("//meta[@property='og:title']/@content")
OG_IMAGE = _x("//meta[@property='og:image']/@content")
CANONICAL = _x("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")
CHAPO = _x(f".//p[{_has_class('t-content__chapo')}]")
DATES = _x(f".//*[{_has_class('t-content__dates')}]//time[@datetime]")
BODY = _x(f".//div[{_has_class('t-content__body')}]")
SHARES = _x(f".//div[{_has_class('t-content__shares')}]")
AUTHORS = _x(
    f".//div[{_has_class('t-content__authors-tts')}][.//*[{_has_class('m-from-author')}]//a]"
)
DATALAYER = _x("//script[@id='datalayer']/text()")
# Not the article: the ad + "read more" interstitial and self-promotion.
INTERSTITIAL = _x(
    f".//*[{_has_class('m-interstitial')} or {_has_class('m-block-ad')} or @data-readmore-target"
    " or @data-readmore-unlocker or *[@data-readmore-unlocker]]"
)
SELF_PROMO = _x(".//*[@data-selfpromo-newsletter or @data-selfpromo-app]")


def parse_page(html: str | bytes) -> etree._Element:
    return lxml.html.document_fromstring(html)


def article_root(page):
    found = ARTICLE(page)
    return found[0] if found else None


def title(page, article) -> str:
    found = TITLE(article)
    text = found[0].text_content() if found else (OG_TITLE(page) or [""])[0]
    return " ".join(text.split("\n")).strip()


def canonical(page) -> str | None:
    found = CANONICAL(page)
    return found[0].strip() if found else None


def published(article) -> datetime | None:
    """The article's publication time (aware), from its first <time datetime>."""
    times = DATES(article)
    return _parse_iso(times[0].get("datetime")) if times else None


def modified(article) -> datetime | None:
    """The update time RFI shows as a second date, when there is one."""
    times = DATES(article)
    return _parse_iso(times[1].get("datetime")) if len(times) > 1 else None


def _parse_iso(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def date_div(article) -> str:
    """``<div>dd/mm/yyyy - HH:MM</div>`` in Paris time."""
    when = published(article)
    if when is None:
        times = DATES(article)
        return f"<div>{times[0].text_content().strip()}</div>" if times else ""
    return f"<div>{when.astimezone(PARIS):%d/%m/%Y - %H:%M}</div>"


def main_image(page) -> str:
    found = OG_IMAGE(page)
    if not found:
        return ""
    src = found[0].strip().replace("&", "&amp;").replace('"', "&quot;")
    return f'<img src="{src}">'


def lead(article) -> str:
    """The chapo as ``<p><strong>…</strong></p>``; nothing when the page has none."""
    found = CHAPO(article)
    if not found:
        return ""
    return f"<p><strong>{serialize_children(found[0])}</strong></p>"


def body(article) -> str:
    found = BODY(article)
    if not found:
        return ""
    element = found[0]
    for junk in INTERSTITIAL(element):
        if junk.getparent() is not None:
            _drop(junk)
    out = [start_tag(element)]
    if element.text:
        out.append(serialize_children_text(element.text))
    promo = set(SELF_PROMO(element))
    for child in element:
        out.append(serialize(child, keep_tail=True, children=child not in promo))
    out.append(f"</{element.tag}>")
    return "".join(out)


def serialize_children_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _drop(element) -> None:
    """Remove an element but keep its tail text."""
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def share_block(article) -> str:
    found = SHARES(article)
    return serialize(found[0]) if found else ""


def author_block(article) -> str:
    found = AUTHORS(article)
    return serialize(found[0]) if found else ""


def datalayer(page) -> dict:
    """RFI's tracking JSON (title, id, publication date, authors); {} when absent."""
    for text in DATALAYER(page):
        try:
            return json.loads(text)
        except ValueError:
            continue
    return {}


def entry_parts(page, article) -> list[str]:
    """The entry's HTML parts in order: date, image, lead, body, then the
    author block (columns) or else the share block."""
    ending = author_block(article) or share_block(article)
    return [date_div(article), main_image(page), lead(article), body(article), ending]


def entry_html(page, article) -> str:
    """The archive HTML of an article page, on one line."""
    return to_archive_html(entry_parts(page, article))
