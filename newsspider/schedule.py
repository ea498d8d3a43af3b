"""When an archived article is due for a re-check.

Young and recently edited articles change; old, stable ones almost never do.
The interval between checks grows with the time since the article last
changed (or was published), ``RFI_RECHECK_FACTOR`` of it, kept between
``RFI_RECHECK_MIN_HOURS`` and ``RFI_RECHECK_MAX_DAYS``::

    published 6 hours ago, never edited  -> checked again after 3 hours
    edited 2 days ago                    -> after 1 day
    a year old, unchanged                -> after 30 days (the cap)

bench/refresh_schedule.py shows why the factor is 0.5: with 0.25 and a daily run,
the re-checks of recently edited articles outgrow RFI_MAX_CHECKS_PER_RUN.

A listing's ``lastmod`` or ``pubDate`` newer than the last check makes an
article due at once; a modified time the page showed counts as a change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from newsspider.archive.state import CheckState, CrawlState

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True)
class RecheckPolicy:
    min_interval_ms: int = HOUR_MS
    max_interval_ms: int = 30 * DAY_MS
    factor: float = 0.5

    @classmethod
    def from_settings(cls, settings) -> RecheckPolicy:
        return cls(
            min_interval_ms=int(settings.getfloat("RFI_RECHECK_MIN_HOURS", 1) * HOUR_MS),
            max_interval_ms=int(settings.getfloat("RFI_RECHECK_MAX_DAYS", 30) * DAY_MS),
            factor=settings.getfloat("RFI_RECHECK_FACTOR", 0.5),
        )

    def interval(self, now_ms: int, stable_since_ms: int) -> int:
        age = max(0, now_ms - stable_since_ms)
        return int(min(self.max_interval_ms, max(self.min_interval_ms, age * self.factor)))

    def due_at(self, state: CheckState | None, archived_ms: int) -> int:
        """When the article is next due (epoch ms); 0 = now.

        ``archived_ms`` (the entry's timestamp) stands in for the publication
        and change times the state may not know yet.
        """
        if state is None or state.last_checked_ms is None:
            return 0  # never checked by this project
        if state.listed_lastmod_ms and state.listed_lastmod_ms > state.last_checked_ms:
            return 0
        # RFI's own modified time is a change signal like one this crawl saw itself.
        stable_since = max(
            state.last_changed_ms or 0,
            state.modified_ms or 0,
            state.published_ms or 0,
            archived_ms or 0,
        )
        stable_since = min(stable_since, state.last_checked_ms)
        return state.last_checked_ms + self.interval(state.last_checked_ms, stable_since)


class ArchivedArticles(Mapping[str, "CheckState | None"]):
    """Each archived article's canonical URL -> its crawl state (None: never checked).

    Only the URLs are held; a state is read from the crawl state when asked (one
    SQLite lookup by key), so a run over 100,000 archived articles holds ~30 MiB
    of URLs, not ~100 MiB of states as well.
    """

    def __init__(self, state: CrawlState):
        self.state = state
        self.urls: set[str] = set()

    def add(self, url: str) -> None:
        self.urls.add(url)

    def __getitem__(self, url: str) -> CheckState | None:
        if url not in self.urls:
            raise KeyError(url)
        return self.state.get(url)

    def __contains__(self, url: object) -> bool:
        return url in self.urls

    def __iter__(self) -> Iterator[str]:
        return iter(self.urls)

    def __len__(self) -> int:
        return len(self.urls)
