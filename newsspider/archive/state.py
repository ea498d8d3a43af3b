"""What the crawl remembers per article: validators and when it was checked.

Kept in ``.newsspider/state.sqlite3`` beside the archive. Unlike the index
this is not derived from the files: losing it costs one full re-check of the
archive (every article becomes due), never an entry. Checks are committed in
batches (every ``commit_every`` records, or once the oldest pending one is
``commit_seconds`` old, and at close): one fsync per batch instead of one per
article. A run killed with SIGKILL loses at most the batch it was filling;
the next run checks those articles again (each answers as before: unchanged,
or an edit whose history copy is reused), never an entry. Reads commit first.

A damaged state file is moved aside (``state.sqlite3.corrupt-<UTC time>``,
kept for a post-mortem) and the run goes on with a new one, as on a first
run. A state that cannot be written (disk full, read-only) raises
:class:`ArchiveWriteError`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from newsspider.archive.databases import SchemaError, check_pages, is_damage, write_error
from newsspider.archive.files import ArchiveWriteError
from newsspider.archive.index import STATE_DIR

logger = logging.getLogger(__name__)

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
CREATE TABLE IF NOT EXISTS suspects (
    url TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL
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


_COLUMNS = tuple(f.name for f in fields(CheckState))


_RECORD_CHECK = (
    "INSERT INTO checks (url, etag, last_modified, published_ms, last_checked_ms,"
    " last_changed_ms, modified_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (url) DO UPDATE SET"
    " etag = COALESCE(excluded.etag, etag),"
    " last_modified = COALESCE(excluded.last_modified, last_modified),"
    " published_ms = COALESCE(excluded.published_ms, published_ms),"
    " last_checked_ms = excluded.last_checked_ms,"
    " last_changed_ms = COALESCE(excluded.last_changed_ms, last_changed_ms),"
    " modified_ms = COALESCE(excluded.modified_ms, modified_ms)"
)
_RECORD_LISTED = (
    "INSERT INTO checks (url, listed_lastmod_ms) VALUES (?, ?)"
    " ON CONFLICT (url) DO UPDATE SET listed_lastmod_ms ="
    " MAX(COALESCE(listed_lastmod_ms, 0), excluded.listed_lastmod_ms)"
)


class CrawlState:
    """The checks of one archive; written in batches.

    A batch is committed when ``commit_every`` records are pending, when the
    oldest pending one is ``commit_seconds`` old (checked at each record: 0
    commits every record), at each read and at close.
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        path: str = ":memory:",
        *,
        commit_every: int = 1,
        commit_seconds: float = float("inf"),
        before_commit: Callable[[], None] | None = None,
    ):
        self.db = db
        self.path = path
        self.commit_every = max(1, commit_every)
        self.commit_seconds = commit_seconds
        self.before_commit = before_commit
        """Called before each batch is written (the writer's folder syncs: a check is
        never committed before the entry it wrote is durable)."""
        self.pending: list[tuple[str, tuple]] = []
        self._oldest_pending = 0.0

    @classmethod
    def open(cls, root: str | os.PathLike, **batching) -> CrawlState:
        """Open the state of the archive at ``root``, replacing a damaged one.

        ``batching``: ``commit_every``, ``commit_seconds``, ``before_commit``
        (see the class); by default each record is committed at once.
        Raises ArchiveWriteError when the state cannot be created or opened
        for writing (disk full, read-only folder).
        """
        folder = os.path.join(os.fspath(root), STATE_DIR)
        path = os.path.join(folder, STATE_DB)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise ArchiveWriteError.from_os_error(folder, exc) from exc
        try:
            return cls(_connect(path), path, **batching)
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise write_error(path, exc) from exc
            problem = exc
        aside = _move_aside(path)
        logger.warning(
            "crawl state %s was unreadable (%s); moved to %s, starting with a new one"
            " (every article is due once)",
            path,
            problem,
            os.path.basename(aside),
        )
        try:
            return cls(_connect(path), path, **batching)
        except sqlite3.DatabaseError as exc:
            raise write_error(path, exc) from exc

    def close(self) -> None:
        """Commit what is pending and close; a commit that fails is one ERROR line.

        Not raised: what it loses is only that those articles are checked again.
        """
        try:
            self.commit()
        except ArchiveWriteError as exc:
            logger.error("%s; the last checks of this run will be repeated next run", exc)
        finally:
            self.db.close()

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _record(self, statement: str, values: tuple) -> None:
        if not self.pending:
            self._oldest_pending = time.monotonic()
        self.pending.append((statement, values))
        if (
            len(self.pending) >= self.commit_every
            or time.monotonic() - self._oldest_pending >= self.commit_seconds
        ):
            self.commit()

    def commit(self) -> None:
        """Write the pending records in one transaction.

        On failure (ArchiveWriteError) the batch is dropped, not retried: its
        articles are due again next run, and the next batch may fit.
        """
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        if self.before_commit is not None:
            self.before_commit()
        with self._writing():
            for statement, values in batch:
                self.db.execute(statement, values)

    @contextlib.contextmanager
    def _writing(self):
        """One committed transaction; a failure is an ArchiveWriteError (rolled back)."""
        try:
            with self.db:
                yield
        except sqlite3.DatabaseError as exc:
            raise write_error(self.path, exc) from exc

    def get(self, url: str) -> CheckState | None:
        self.commit()
        row = self.db.execute(f"SELECT {_SELECT} FROM checks WHERE url = ?", (url,)).fetchone()
        return CheckState(*row) if row else None

    def all(self) -> dict[str, CheckState]:
        self.commit()
        rows = self.db.execute(f"SELECT {_SELECT} FROM checks")
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
        """Remember one finished check (committed with its batch)."""
        changed_ms = when_ms if changed else None
        values = (url, etag, last_modified, published_ms, when_ms, changed_ms, modified_ms)
        self._record(_RECORD_CHECK, values)

    def record_listed(self, url: str, lastmod_ms: int) -> None:
        """A sitemap said the article changed at ``lastmod_ms``."""
        self._record(_RECORD_LISTED, (url, lastmod_ms))

    # --- pages held back as suspect (newsspider.pipelines.suspect) -------------

    def suspects(self) -> dict[str, str]:
        """Articles whose last page was held back as suspect: url -> that page's fingerprint."""
        return dict(self.db.execute("SELECT url, fingerprint FROM suspects"))

    def record_suspect(self, url: str, fingerprint: str, when_ms: int) -> None:
        """Remember the suspect page of ``url``; it replaces an earlier, different one."""
        with self._writing():
            self.db.execute(
                "INSERT INTO suspects (url, fingerprint, first_seen_ms) VALUES (?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " first_seen_ms = excluded.first_seen_ms"
                " WHERE fingerprint != excluded.fingerprint",
                (url, fingerprint, when_ms),
            )

    def clear_suspect(self, url: str) -> None:
        """The article's page is whole again, or its suspect page was accepted."""
        with self._writing():
            self.db.execute("DELETE FROM suspects WHERE url = ?", (url,))


_SELECT = ", ".join(_COLUMNS)


def _add_missing_columns(db: sqlite3.Connection) -> None:
    present = {row[1] for row in db.execute("PRAGMA table_info(checks)")}
    with db:
        for name, kind in _ADDED_COLUMNS.items():
            if name not in present:
                db.execute(f"ALTER TABLE checks ADD COLUMN {name} {kind}")


def _connect(path: str) -> sqlite3.Connection:
    """Open (or create) the state database; raise sqlite3.DatabaseError if it is damaged."""
    db = sqlite3.connect(path, timeout=30)
    try:
        # Checked before anything is written, so a damaged file goes aside as it was.
        columns = tuple(row[1] for row in db.execute("PRAGMA table_info(checks)"))
        # A state written before a column was added is not damaged: it gets the column.
        added = set(_COLUMNS[len(columns) :])
        if columns and (columns != _COLUMNS[: len(columns)] or added - set(_ADDED_COLUMNS)):
            raise SchemaError(f"table checks has columns {columns}, not {_COLUMNS}")
        check_pages(db)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
        _add_missing_columns(db)
    except BaseException:
        db.close()
        raise
    return db


def _move_aside(path: str) -> str:
    """Rename a damaged database (and its -wal, -shm) to ``<path>.corrupt-<UTC time>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside, serial = f"{path}.corrupt-{stamp}", 1
    while os.path.lexists(aside):
        aside, serial = f"{path}.corrupt-{stamp}-{serial}", serial + 1
    try:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.replace(path + suffix, aside + suffix)
    except OSError as exc:
        raise ArchiveWriteError.from_os_error(path, exc) from exc
    return aside
