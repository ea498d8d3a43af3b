"""HTML pages from the Jinja2 templates in ``templates/``.

Autoescape is on for every template: article text is data and never becomes
markup of the page. Pages carry their CSS inline and no script, so one file
reads anywhere, with or without JavaScript.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from urllib.parse import unquote

from jinja2 import Environment, PackageLoader, StrictUndefined

from newsspider.archive.readable import article_text, format_ms, format_paris
from newsspider.archive.revisions import Revision, StoredArticle
from newsspider.publish.diff import ArticleDiff


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("newsspider.publish", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["utc"] = format_ms
    env.filters["paris"] = format_paris
    env.filters["iso"] = iso_time
    env.filters["is_web"] = is_web_url
    env.filters["readable_url"] = readable_url
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def diff_page(article: StoredArticle, old: Revision, new: Revision, diff: ArticleDiff) -> str:
    """The page ``archive diff --html`` writes: every paragraph, edits marked."""
    return render(
        "diff.html",
        article_url=new.entry.url,
        entry_file=article.name,
        old=old,
        new=new,
        new_text=article_text(new.entry),
        diff=diff,
    )


def iso_time(timestamp: int) -> str:
    """RFC 3339 UTC time, as Atom and ``<time datetime>`` want it."""
    moment = datetime.fromtimestamp(timestamp / 1000, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def readable_url(url: str) -> str:
    """A URL as a person reads it: percent-encoded UTF-8 shown as characters."""
    return unquote(url, errors="replace")


def is_web_url(url: str) -> bool:
    """Only http(s) links are made clickable (never ``javascript:`` from data)."""
    return url.lower().startswith(("https://", "http://"))
