"""Content fingerprint: a hash of what a reader sees (title, lead, body).

Two copies of one article from different eras, scrapers or mirrors hash
equal; an edited sentence changes the hash. Ignored on purpose: markup and
attributes, the date line, the image, the share block, the author block, feed
footers, ads and self-promotion, and every difference of whitespace
(including U+00A0 and U+3000 runs, which copies do not keep faithfully).

An entry's HTML is parsed once however many readers ask (the loader's
fingerprint, the validate and suspect pipelines): :func:`entry_text` keeps
what they read off the parse for the last few entries. It is the same HTML
that is hashed whether it comes from a page or from an entry file, so a
page's fingerprint always equals that of the entry written from it.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import NamedTuple

import lxml.html

# Era chrome appended to titles by the 2020-2021 feed, not part of RFI's title.
_TITLE_SUFFIXES = (" – 法国国际广播电台 - RFI",)
_WHITESPACE = re.compile(r"\s+")
# Parts of a body that are not the article's words. Damaged entries glue
# attributes to tag names ("<divdata-tms-ad-type=…>"), hence the tag test.
_NOT_TEXT = (
    "//svg | //script | //style | //button | //*[@data-readmore-target] | //*[@data-tms-ad-type]"
    " | //*[@data-selfpromo-newsletter] | //*[@data-selfpromo-app]"
    " | //*[contains(@class, 'o-self-promo')] | //*[contains(name(), 'data-tms-ad')]"
)


def fingerprint(title: str, html: str) -> str:
    """Return a hex digest of the visible text of an entry's title and HTML."""
    text = visible_text(title, html)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def visible_text(title: str, html: str) -> str:
    """The normalized text the fingerprint is taken over: title, lead, body."""
    for suffix in _TITLE_SUFFIXES:
        title = title.removesuffix(suffix)
    lead, body, _ = entry_text(html)
    words = "\n".join((title, lead, body))
    # All whitespace goes: copies differ in where a space, NBSP or U+3000 sits
    # (and Chinese text does not separate words), never in the words.
    return "\n".join(_WHITESPACE.sub("", part) for part in words.split("\n"))


class EntryText(NamedTuple):
    """What readers take from an entry's HTML, read off one parse of it."""

    lead: str
    """Text of the lead paragraph (the fingerprint's second line, before whitespace goes)."""
    body: str
    """Text of the body, without ads, widgets and what follows it (the third line)."""
    top_divs: tuple[str, ...]
    """Text of each top-level ``<div>`` as written (the date line, the body, the share or
    author block…), nothing dropped."""


@lru_cache(maxsize=64)
def entry_text(html: str) -> EntryText:
    """The text of an entry's HTML; the last entries' are kept (items in flight)."""
    if not html.strip():
        return EntryText("", "", ())
    nodes = lxml.html.fragments_fromstring(html, no_leading_text=False)
    # Read before _lead_and_body drops the ads and widgets from the tree.
    top_divs = tuple(
        node.text_content() for node in nodes if not isinstance(node, str) and node.tag == "div"
    )
    lead, body = _lead_and_body(nodes)
    return EntryText(lead, body, top_divs)


def _lead_and_body(nodes: list) -> tuple[str, str]:
    # Top level: date <div>, image (or "Array"), lead <p>, body, then chrome.
    elements = [n for n in nodes[1:] if not isinstance(n, str) and n.tag != "img"]
    lead = ""
    if elements and elements[0].tag == "p":
        lead = elements.pop(0).text_content()
    body = []
    for position, element in enumerate(elements):
        if element.tag in ("br", "hr") or _is_chrome(element):
            break  # share block, author block or a feed footer: nothing after is RFI's text
        if position == 0:
            _drop_junk(element)
        body.append(element.text_content())
    return lead, "".join(body)


def _drop_junk(element) -> None:
    """Drop what is not text from the whole fragment, once, but no top-level element.

    (The lead's text was taken before, the first element was found not to be
    chrome before; a top-level junk element keeps its text, and is chrome when
    it has none.) One search of the fragment instead of one per element.
    """
    top = element.getparent()
    for junk in element.xpath(_NOT_TEXT):  # "//…": the whole fragment, in document order
        if junk.getparent() is not top:
            junk.drop_tree()


def _is_chrome(element) -> bool:
    text = element.text_content().strip()
    return (
        not text
        or text.startswith(("分享 :", "作者："))
        or bool(element.xpath(".//*[@data-root-share]"))
    )
