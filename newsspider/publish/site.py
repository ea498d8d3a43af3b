"""Publish the archive's recent changes: ``changes.atom`` and ``site/``.

Both are built from the archive itself (``archive_changes``), so they say what
``archive log`` says. ``site/index.html`` lists the last changes;
``site/articles/<entry stem>.html`` shows one article's revisions and the
diff between each two consecutive ones. File names come from entry file
names, never from a URL or a title.

Every file is written atomically, pages before the index and the feed (so a
link never points at a page not yet written), and only when its bytes
change; pages of articles no longer among the last changes are removed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from newsspider.archive.changes import Change, archive_changes
from newsspider.archive.entry import EntryFormatError
from newsspider.archive.files import atomic_write
from newsspider.archive.readable import article_text
from newsspider.archive.revisions import Revision, StoredArticle, load_article
from newsspider.publish.atom import FeedItem, atom_feed
from newsspider.publish.diff import ArticleDiff, diff_articles
from newsspider.publish.html import render
from newsspider.publish.text import gone_words

FEED_FILE = "changes.atom"
SITE_DIR = "site"
PAGES_DIR = "articles"


@dataclass
class Published:
    changes: int = 0
    pages: int = 0
    written: list[str] = field(default_factory=list)
    """Files whose bytes changed, relative to the archive folder."""
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Step:
    """One revision to the next, with what changed."""

    old: Revision
    new: Revision
    diff: ArticleDiff


def publish(root: str, entries: int = 50) -> Published:
    """Rewrite ``<root>/changes.atom`` and ``<root>/site/`` for the last ``entries`` changes."""
    if entries < 1:
        raise ValueError(f"the feed needs at least 1 entry, not {entries}")
    log = archive_changes(root, limit=entries)
    result = Published(problems=list(log.problems))
    articles: dict[str, StoredArticle] = {}
    changes: list[Change] = []
    for change in log.changes:
        try:
            if change.name not in articles:
                articles[change.name] = load_article(root, change.name)
        except (OSError, EntryFormatError, ValueError) as exc:
            result.problems.append(str(exc))
            continue
        changes.append(change)
    steps = {name: _steps(article) for name, article in articles.items()}
    items = [
        FeedItem(c, _summary(c, articles[c.name], steps[c.name]), page_path(c.name))
        for c in changes
    ]
    files = {
        page_path(name): _article_page(article, steps[name]) for name, article in articles.items()
    }
    files[f"{SITE_DIR}/index.html"] = render("index.html", items=_index_items(items)).encode()
    files[FEED_FILE] = atom_feed(items, site_index=f"{SITE_DIR}/index.html")
    result.changes, result.pages = len(changes), len(articles)
    result.written = _write_all(root, files)
    result.removed = _remove_stale(root, {p for p in files if p.startswith(SITE_DIR + "/")})
    return result


def _steps(article: StoredArticle) -> dict[int, Step]:
    """Diff of each revision against the one before, by the newer revision's number."""
    texts = [article_text(r.entry) for r in article.revisions]
    return {
        new.number: Step(old, new, diff_articles(texts[old.number - 1], texts[new.number - 1]))
        for old, new in zip(article.revisions, article.revisions[1:], strict=False)
    }


def _summary(change: Change, article: StoredArticle, steps: dict[int, Step]) -> str:
    if change.kind == "updated" and change.revision in steps:
        return steps[change.revision].diff.summary()
    if change.kind == "gone":
        return gone_words(article.gone)
    text = article_text(article.revisions[change.revision - 1].entry)
    opening = text.lead or next(iter(text.paragraphs), "")
    return opening if len(opening) <= 120 else opening[:119] + "…"


def _article_page(article: StoredArticle, steps: dict[int, Step]) -> bytes:
    return render(
        "article.html",
        article=article,
        text=article_text(article.current.entry),
        gone=f"Gone: {gone_words(article.gone)}" if article.gone else "",
        steps=[steps[number] for number in sorted(steps, reverse=True)],
    ).encode()


def _index_items(items: list[FeedItem]) -> list[dict]:
    return [
        {"change": i.change, "summary": i.summary, "page": _page_name(i.change.name)} for i in items
    ]


def _page_name(entry_name: str) -> str:
    return os.path.splitext(entry_name)[0] + ".html"


def page_path(entry_name: str) -> str:
    """Where an article's page is, relative to the archive folder."""
    return f"{SITE_DIR}/{PAGES_DIR}/{_page_name(entry_name)}"


def _write_all(root: str, files: dict[str, bytes]) -> list[str]:
    """Write what changed: article pages first, then the index, then the feed."""
    order = sorted(files, key=lambda p: (p == FEED_FILE, p.endswith("/index.html"), p))
    written = []
    for relative in order:
        path = os.path.join(root, relative)
        try:
            with open(path, "rb") as handle:
                if handle.read() == files[relative]:
                    continue
        except FileNotFoundError:
            pass
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write(path, files[relative])
        written.append(relative)
    return written


def _remove_stale(root: str, keep: set[str]) -> list[str]:
    folder = os.path.join(root, SITE_DIR, PAGES_DIR)
    if not os.path.isdir(folder):
        return []
    removed = []
    for name in sorted(os.listdir(folder)):
        relative = f"{SITE_DIR}/{PAGES_DIR}/{name}"
        if name.endswith(".html") and relative not in keep:
            os.unlink(os.path.join(folder, name))
            removed.append(relative)
    return removed
