"""What the crawl remembers per article: validators and when it was checked.

Kept in ``.newsspider/state.sqlite3`` beside the archive. Unlike the index
this is not derived from the files: losing it costs one full re-check of the
archive (every article becomes due), never an entry. Each check is committed
as soon as it is recorded, so a run killed with SIGKILL loses at most the
article it was on, and the next run does not re-fetch what was done.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass

from newsspider.archive.index import STATE_DIR

STATE_DB = "state.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checks (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    published_ms INTEGER,
    last_checked_ms INTEGER,
    last_changed_ms INTEGER,
    listed_lastmod_ms INTEGER
);
"""


@dataclass(frozen=True, slots=True)
class CheckState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    published_ms: int | None = None
    last_checked_ms: int | None = None
    last_changed_ms: int | None = None
    listed_lastmod_ms: int | None = None
    """Newest lastmod a sitemap gave for the URL (makes it due when newer than the last check)."""


class CrawlState:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    @classmethod
    def open(cls, root: str | os.PathLike) -> CrawlState:
        folder = os.path.join(os.fspath(root), STATE_DIR)
        os.makedirs(folder, exist_ok=True)
        db = sqlite3.connect(os.path.join(folder, STATE_DB), timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
        return cls(db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str) -> CheckState | None:
        row = self.db.execute("SELECT * FROM checks WHERE url = ?", (url,)).fetchone()
        return CheckState(*row) if row else None

    def all(self) -> dict[str, CheckState]:
        return {row[0]: CheckState(*row) for row in self.db.execute("SELECT * FROM checks")}

    def record_check(
        self,
        url: str,
        when_ms: int,
        *,
        changed: bool,
        etag: str | None = None,
        last_modified: str | None = None,
        published_ms: int | None = None,
    ) -> None:
        """Remember one finished check (committed at once)."""
        with self.db:
            self.db.execute(
                "INSERT INTO checks (url, etag, last_modified, published_ms, last_checked_ms,"
                " last_changed_ms) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET"
                " etag = COALESCE(excluded.etag, etag),"
                " last_modified = COALESCE(excluded.last_modified, last_modified),"
                " published_ms = COALESCE(excluded.published_ms, published_ms),"
                " last_checked_ms = excluded.last_checked_ms,"
                " last_changed_ms = COALESCE(excluded.last_changed_ms, last_changed_ms)",
                (url, etag, last_modified, published_ms, when_ms, when_ms if changed else None),
            )

    def record_listed(self, url: str, lastmod_ms: int) -> None:
        """A sitemap said the article changed at ``lastmod_ms``."""
        with self.db:
            self.db.execute(
                "INSERT INTO checks (url, listed_lastmod_ms) VALUES (?, ?)"
                " ON CONFLICT (url) DO UPDATE SET listed_lastmod_ms ="
                " MAX(COALESCE(listed_lastmod_ms, 0), excluded.listed_lastmod_ms)",
                (url, lastmod_ms),
            )

    # --- pages held back as suspect (newsspider.pipelines.suspect) -------------

    _SUSPECTS = (
        "CREATE TABLE IF NOT EXISTS suspects ("
        " url TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, first_seen_ms INTEGER NOT NULL)"
    )
    _suspects_ready = False

    def _suspects_table(self) -> None:
        if not self._suspects_ready:
            with self.db:
                self.db.execute(self._SUSPECTS)
            self._suspects_ready = True

    def suspects(self) -> dict[str, str]:
        """Articles whose last page was held back as suspect: url -> that page's fingerprint."""
        self._suspects_table()
        return dict(self.db.execute("SELECT url, fingerprint FROM suspects"))

    def record_suspect(self, url: str, fingerprint: str, when_ms: int) -> None:
        """Remember the suspect page of ``url``; it replaces an earlier, different one."""
        self._suspects_table()
        with self.db:
            self.db.execute(
                "INSERT INTO suspects (url, fingerprint, first_seen_ms) VALUES (?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " first_seen_ms = excluded.first_seen_ms"
                " WHERE fingerprint != excluded.fingerprint",
                (url, fingerprint, when_ms),
            )

    def clear_suspect(self, url: str) -> None:
        """The article's page is whole again, or its suspect page was accepted."""
        self._suspects_table()
        with self.db:
            self.db.execute("DELETE FROM suspects WHERE url = ?", (url,))
