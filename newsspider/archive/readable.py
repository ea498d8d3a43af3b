"""What a person reads in an entry: title, lead and paragraphs as plain text.

The same parts the fingerprint hashes (see fingerprint.py), kept apart and
with their whitespace collapsed instead of removed, so an edit can be shown
where it happened. Left out: markup, the image, the share block, ads,
self-promotion and feed footers. The date line and a column's author are
kept apart (shown, not diffed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import lxml.html

from newsspider.archive.entry import Entry
from newsspider.archive.fingerprint import _NOT_TEXT, _TITLE_SUFFIXES

PARIS = ZoneInfo("Europe/Paris")
_DATE_LINE = re.compile(r"\d{2}/\d{2}/\d{4} - \d{2}:\d{2}")
_AUTHOR_LABEL = "作者："
# fmt: off
# Elements that start a new paragraph; everything else is inline text.
_BLOCKS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "figure",
    "figcaption", "table", "tr", "td", "th", "section", "article", "header", "footer", "aside",
    "pre", "dl", "dt", "dd", "center",
})
# Elements with no words of the article (players, pictures, controls).
_SILENT = frozenset({
    "svg", "script", "style", "button", "img", "picture", "source", "video", "audio", "iframe",
    "object", "embed", "noscript", "template", "share-button", "share-modal",
})
# fmt: on


@dataclass(frozen=True, slots=True)
class ArticleText:
    """The visible text of one version of an article, whitespace collapsed."""

    title: str
    lead: str
    paragraphs: tuple[str, ...]
    published: str = ""
    """The entry's date line as written (Paris time, ``dd/mm/yyyy - HH:MM``), or ""."""
    author: str = ""
    """A column's author block, or ""."""


def article_text(entry: Entry) -> ArticleText:
    """Title, lead and paragraphs of ``entry``, as a reader sees them."""
    title = entry.title
    for suffix in _TITLE_SUFFIXES:
        title = title.removesuffix(suffix)
    published, lead, author = "", "", ""
    paragraphs: list[str] = []
    if entry.html.strip():
        nodes = lxml.html.fragments_fromstring(entry.html, no_leading_text=False)
        # Top level: date <div>, image (or "Array"), lead <p>, body, then chrome.
        elements = [n for n in nodes if not isinstance(n, str) and n.tag != "img"]
        if elements and elements[0].tag == "div" and _is_date_line(elements[0]):
            published = _collapse(elements.pop(0).text_content())
        if elements and elements[0].tag == "p":
            lead = _collapse(elements.pop(0).text_content())
        for element in elements:
            if element.tag in ("br", "hr"):
                break  # a feed footer follows: not RFI's text
            text = element.text_content().strip()
            if text.startswith(_AUTHOR_LABEL):
                author = _collapse(text.removeprefix(_AUTHOR_LABEL))
                break
            if text.startswith("分享 :") or element.xpath(".//*[@data-root-share]"):
                break
            paragraphs.extend(_paragraphs(element))
    return ArticleText(_collapse(title), lead, tuple(paragraphs), published, author)


def readable_lines(entry: Entry) -> list[str]:
    """Title, URL, then the lead and one line per paragraph."""
    text = article_text(entry)
    return [f"# {text.title}", entry.url, "", *filter(None, [text.lead]), *text.paragraphs]


def _is_date_line(element) -> bool:
    return bool(_DATE_LINE.fullmatch(element.text_content().strip()))


def _paragraphs(element) -> list[str]:
    for junk in element.xpath(_NOT_TEXT):
        if junk is not element:
            junk.drop_tree()
    found: list[str] = []
    run: list[str] = []
    _walk(element, found, run)
    _flush(found, run)
    return found


def _walk(element, found: list[str], run: list[str]) -> None:
    """Append paragraph texts to ``found``; inline text gathers in ``run``."""
    run.append(element.text or "")
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag or tag in _SILENT or "data-tms-ad" in tag:
            pass  # comments, players, pictures, glued ad tags: no words
        elif tag == "br":
            run.append(" ")
        elif tag in _BLOCKS:
            _flush(found, run)
            _walk(child, found, run)
            _flush(found, run)
        else:
            _walk(child, found, run)
        run.append(child.tail or "")


def _flush(found: list[str], run: list[str]) -> None:
    text = _collapse("".join(run))
    run.clear()
    if text:
        found.append(text)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def format_ms(timestamp: int) -> str:
    """Epoch milliseconds as ``2023-10-13 19:15:01 UTC``."""
    return utc(timestamp).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_paris(timestamp: int) -> str:
    """Epoch milliseconds as Paris time, ``2023-10-13 21:15:01 CEST``."""
    return utc(timestamp).astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S %Z")


def format_times(timestamp: int) -> str:
    """``2023-10-13 19:15:01 UTC (Paris 2023-10-13 21:15:01 CEST)``."""
    return f"{format_ms(timestamp)} (Paris {format_paris(timestamp)})"


def utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp / 1000, UTC)
