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
from dataclasses import dataclass, fields

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
    listed_lastmod_ms INTEGER,
    modified_ms INTEGER
);
"""
# Columns added after the first release, created on open in older state files.
_ADDED_COLUMNS = {"modified_ms": "INTEGER"}


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
    modified_ms: int | None = None
    """The modification time the page itself showed at its last check (JSON-LD, visible line)."""


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
        _add_missing_columns(db)
        return cls(db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str) -> CheckState | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM checks WHERE url = ?", (url,)).fetchone()
        return CheckState(*row) if row else None

    def all(self) -> dict[str, CheckState]:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM checks")
        return {row[0]: CheckState(*row) for row in rows}

    def record_check(
        self,
        url: str,
        when_ms: int,
        *,
        changed: bool,
        etag: str | None = None,
        last_modified: str | None = None,
        published_ms: int | None = None,
        modified_ms: int | None = None,
    ) -> None:
        """Remember one finished check (committed at once)."""
        with self.db:
            self.db.execute(
                "INSERT INTO checks (url, etag, last_modified, published_ms, last_checked_ms,"
                " last_changed_ms, modified_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET"
                " etag = COALESCE(excluded.etag, etag),"
                " last_modified = COALESCE(excluded.last_modified, last_modified),"
                " published_ms = COALESCE(excluded.published_ms, published_ms),"
                " last_checked_ms = excluded.last_checked_ms,"
                " last_changed_ms = COALESCE(excluded.last_changed_ms, last_changed_ms),"
                " modified_ms = COALESCE(excluded.modified_ms, modified_ms)",
                (
                    url,
                    etag,
                    last_modified,
                    published_ms,
                    when_ms,
                    when_ms if changed else None,
                    modified_ms,
                ),
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


_COLUMNS = ", ".join(field.name for field in fields(CheckState))


def _add_missing_columns(db: sqlite3.Connection) -> None:
    present = {row[1] for row in db.execute("PRAGMA table_info(checks)")}
    with db:
        for name, kind in _ADDED_COLUMNS.items():
            if name not in present:
                db.execute(f"ALTER TABLE checks ADD COLUMN {name} {kind}")
