"""One function per part of an entry, each reading an RFI article page.

The page is parsed once with lxml; each function selects its part with XPath
and serializes only that subtree (a whole RFI page is 150-300 KB, the
article a few KB). The selectors are the real template's class names, read off the
captures in ``../shared/rfi/pages`` (see docs/page-to-entry.md).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

from newsspider.page.allowlist import image_url, visible_text
from newsspider.page.decode import PageError as PageError
from newsspider.page.decode import lxml_refusal
from newsspider.page.decode import parse_response as parse_response
from newsspider.page.html import (
    escape_attribute,
    escape_text,
    serialize,
    serialize_children,
    start_tag,
    to_archive_html,
)
from newsspider.rfi_sources import EDITIONS

PARIS = ZoneInfo("Europe/Paris")


def _x(expression: str) -> etree.XPath:
    return etree.XPath(expression)


def _has_class(name: str) -> str:
    # A substring test: the template's BEM names never occur inside other
    # names except as their own modifiers, and the exact-token XPath idiom
    # costs a string concat per element of a 300 KB page.
    return f"contains(@class, '{name}')"


TITLE = _x(f".//h1[{_has_class('t-content__title')}]")
OG_TITLE = _x("/html/head/meta[@property='og:title']/@content")
OG_IMAGE = _x("/html/head/meta[@property='og:image']/@content")
CHAPO = _x(f".//p[{_has_class('t-content__chapo')}]")
DATES = _x(f".//time[@datetime][ancestor::*[{_has_class('t-content__dates')}]]")
BODY = _x(f".//div[{_has_class('t-content__body')}]")
SHARES = _x(f".//div[{_has_class('t-content__shares')}]")
# The byline, whatever its wrapper (.t-content__authors-tts or .t-content__authors:
# newsspider.rfi_sources), with a linked or a plain-text name.
FROM_AUTHOR = _x(
    f".//*[{_has_class('m-from-author')}][.//*[{_has_class('m-from-author__name')}]"
    "[normalize-space()]]"
)
CANONICAL = _x(
    "/html/head/link[@rel='canonical']/@href | /html/head/meta[@property='og:url']/@content"
)
# Each entry part and the selector that finds it on the page, as messages name it
# ("suspect: no lead (p.t-content__chapo)", "template changed? …"). Keep in step with
# the XPaths above; docs/page-to-entry.md has the same table.
PARTS = {
    "title": ("title", "h1.t-content__title"),
    "date": ("date line", ".t-content__dates time[datetime]"),
    "image": ("image", "meta[property=og:image]"),
    "lead": ("lead", "p.t-content__chapo"),
    "body": ("body", "div.t-content__body"),
    "share": ("share block", "div.t-content__shares"),
    "author": ("author block", ".m-from-author"),
}
"""part -> (what it is called, its selector on the page)."""


def no_part(part: str) -> str:
    """``no lead (p.t-content__chapo)``: a part the page lacks, with its selector."""
    called, selector = PARTS[part]
    return f"no {called} ({selector})"


COLUMN_SECTIONS = frozenset(edition.column_section for edition in EDITIONS.values())
# Not the article: the ad + "read more" interstitial and self-promotion.
INTERSTITIAL = _x(
    f"descendant::*[{_has_class('m-interstitial')} or {_has_class('m-block-ad')}"
    " or @data-readmore-target or @data-readmore-unlocker or *[@data-readmore-unlocker]]"
)


def parse_page(html: str | bytes) -> etree._Element:
    """The tree of a page whose encoding lxml may guess (tests, tools).

    Crawled pages go through parse_response, which reads their encoding by
    the HTML rule. Raises PageError when lxml refuses the page.
    """
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, etree.XMLSyntaxError) as exc:
        raise lxml_refusal(exc) from None


def article_root(page):
    # iter() walks the tree in C; an XPath "//article[...]" over a 300 KB page
    # costs more than everything else the page -> entry step does.
    for element in page.iter("article"):
        if "t-content__article-wrapper" in (element.get("class") or ""):
            return element
    return None


def title(page, article) -> str:
    found = _part(article, "h1", "t-content__title", TITLE)
    text = visible_text(found) if found is not None else (OG_TITLE(page) or [""])[0]
    return " ".join(text.split("\n")).strip()


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
        return f"<div>{escape_text(times[0].text_content().strip())}</div>" if times else ""
    return f"<div>{when.astimezone(PARIS):%d/%m/%Y - %H:%M}</div>"


def main_image(page) -> str:
    found = OG_IMAGE(page)
    if not found or not image_url(found[0]):
        return ""
    src = escape_attribute(found[0].strip())
    return f'<img src="{src}">'


def lead(article) -> str:
    """The chapo as ``<p><strong>…</strong></p>``; nothing when the page has none."""
    found = _part(article, "p", "t-content__chapo", CHAPO)
    if found is None:
        return ""
    return f"<p><strong>{serialize_children(found)}</strong></p>"


def body(article) -> str:
    element = _part(article, "div", "t-content__body", BODY)
    if element is None:
        return ""
    out = [start_tag(element)]
    if element.text:
        out.append(escape_text(element.text))
    for child in element:
        if not isinstance(child.tag, str):
            out.append(escape_text(child.tail or ""))
        elif child.get("data-selfpromo-newsletter") is not None or (
            child.get("data-selfpromo-app") is not None
        ):
            out.append(serialize(child, keep_tail=True, children=False))
        elif _is_furniture(child):
            out.append(escape_text(child.tail or ""))
        else:
            for junk in INTERSTITIAL(child):
                if junk.getparent() is not None:
                    _drop(junk)
            out.append(serialize(child, keep_tail=True))
    out.append(f"</{element.tag}>")
    return "".join(out)


def _is_furniture(element) -> bool:
    """The ad + "read more" interstitial, or an ad block, as a body child."""
    classes = element.get("class") or ""
    return (
        "m-interstitial" in classes
        or "m-block-ad" in classes
        or element.get("data-readmore-target") is not None
        or element.get("data-readmore-unlocker") is not None
        or any(c.get("data-readmore-unlocker") is not None for c in element)
    )


def _part(article, tag: str, class_name: str, fallback: etree.XPath):
    """A part of the article: a direct child in the template, else anywhere inside."""
    for child in article:
        if child.tag == tag and class_name in (child.get("class") or ""):
            return child
    found = fallback(article)
    return found[0] if found else None


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
    found = _part(article, "div", "t-content__shares", SHARES)
    return serialize(found) if found is not None else ""


def author_block(article) -> str:
    """The byline in the archive's layout: ``<div><div><div>`` + the ``.m-from-author``
    block + ``</div></div></div>``, as the template nests it in .t-content__authors-tts."""
    found = FROM_AUTHOR(article)
    return f"<div><div><div>{serialize(found[0])}</div></div></div>" if found else ""


def is_column(page) -> bool | None:
    """Whether the page says it is a column (its canonical URL is under 专栏检索/專欄檢索);
    None when the page names no URL of its own."""
    for url in CANONICAL(page):
        segments = unquote(urlsplit(url.strip()).path).split("/")
        return len(segments) > 2 and segments[2] in COLUMN_SECTIONS
    return None


def named_entry_parts(page, article) -> dict[str, str]:
    """The entry's HTML parts by name (PARTS), in order: date, image, lead, body,
    then the author block (columns) or else the share block; "" where the page
    has none."""
    column = is_column(page)
    if column is None:  # no identity in the head: a byline makes it a column
        column = bool(FROM_AUTHOR(article))
    ending = ("author", author_block(article)) if column else ("share", share_block(article))
    return {
        "date": date_div(article),
        "image": main_image(page),
        "lead": lead(article),
        "body": body(article),
        ending[0]: ending[1],
    }


def entry_parts(page, article) -> list[str]:
    """The entry's HTML parts in order (named_entry_parts, without the names)."""
    return list(named_entry_parts(page, article).values())


def entry_html(page, article) -> str:
    """The archive HTML of an article page, on one line."""
    return to_archive_html(entry_parts(page, article))
