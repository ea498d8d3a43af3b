"""The facts of one run, for every writer of its report.

Plain data: the extension fills it while the crawl runs; writers read it.
Which verdict a run gets is decided elsewhere; the model only carries its
text (``ok``, ``failed: <why>``, ``interrupted: <what>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

OUTCOMES = ("unchanged", "updated", "new", "gone", "failed")
LISTED = ("updated", "new", "gone", "failed")
"""Outcomes whose articles a report lists one by one (unchanged is only counted)."""
SUSPECT_PREFIX = "suspect:"
"""A failed article whose reason starts so was fetched but not trusted."""
OVER_CAP = "over_cap"
TOO_OLD = "too_old"
"""Why discovery left a listed article out: the new-article cap, or its age."""
FIRST_FEW = 10
"""How many URLs of each kind of article not added a report shows."""


@dataclass(slots=True)
class Article:
    """One article with its outcome in this run."""

    url: str
    """Canonical URL, percent-encoded as archived."""
    title: str | None = None
    entry: str | None = None
    """The entry file's name in the archive (None when there is none)."""
    reason: str | None = None
    """Why it failed, or how it went (e.g. ``HTTP 404`` for gone)."""

    @property
    def suspect(self) -> bool:
        return bool(self.reason) and self.reason.startswith(SUSPECT_PREFIX)


@dataclass(frozen=True, slots=True)
class Listing:
    """A feed, sitemap or section page that could not be read."""

    url: str
    reason: str


@dataclass(frozen=True, slots=True)
class UnreadableFile:
    """A file in the archive that breaks the entry format."""

    name: str
    reason: str


@dataclass(slots=True)
class NotAdded:
    """Listed articles of one kind that discovery left out: how many, and the first few."""

    count: int = 0
    first: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set, repr=False)

    def add(self, url: str) -> None:
        if url in self._seen:
            return  # one article shown by several listings is one article
        self._seen.add(url)
        self.count += 1
        if len(self.first) < FIRST_FEW:
            self.first.append(url)


@dataclass(slots=True)
class RunReport:
    started: datetime
    finished: datetime | None = None
    finish_reason: str | None = None
    verdict: str = "ok"
    archive: str | None = None
    """The archive folder the run refreshed."""
    articles: dict[str, list[Article]] = field(
        default_factory=lambda: {outcome: [] for outcome in OUTCOMES}
    )
    listings_not_read: list[Listing] = field(default_factory=list)
    not_added: dict[str, NotAdded] = field(
        default_factory=lambda: {OVER_CAP: NotAdded(), TOO_OLD: NotAdded()}
    )
    unreadable_files: list[UnreadableFile] = field(default_factory=list)
    settings: dict[str, object] = field(default_factory=dict)
    """The settings a reader needs to understand the report (the cap, the age limit)."""
    workers: dict[str, dict[str, int]] = field(default_factory=dict)
    """A run over Redis (REDIS_URL): per process, the requests, items and failures it handed
    back, and how many of its requests were put back when it stopped answering."""

    def add(self, outcome: str, url: str, **details) -> Article:
        article = Article(url, **details)
        self.articles[outcome].append(article)
        return article

    def listing_not_read(self, url: str, reason: str) -> None:
        self.listings_not_read.append(Listing(url, reason))

    def not_added_article(self, url: str, why: str) -> None:
        self.not_added[why].add(url)

    @property
    def counts(self) -> dict[str, int]:
        counts = {outcome: len(self.articles[outcome]) for outcome in OUTCOMES}
        return {"checked": sum(counts.values()), **counts}

    @property
    def suspect(self) -> list[Article]:
        """Failed articles whose page was fetched but not trusted."""
        return [a for a in self.articles["failed"] if a.suspect]

    @property
    def status(self) -> str:
        """The verdict's first word: ok, failed or interrupted."""
        return self.verdict.split(":", 1)[0]
