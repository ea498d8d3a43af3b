"""The archive index: canonical URL -> entry file, fingerprint, timestamp.

Parsing 100,000 files on every run is the slow part of opening an archive, so
the index is kept in SQLite beside the archive (``.newsspider/archive.sqlite3``)
and each file is re-read only when its size or mtime changed. The index is a
cache: delete it and the next open rebuilds it from the files.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from newsspider.archive.entry import Entry, EntryFormatError, is_entry_file, read_entry
from newsspider.archive.fingerprint import fingerprint
from newsspider.archive.urls import canonical_url

STATE_DIR = ".newsspider"
DB_NAME = "archive.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    canonical_url TEXT,
    fingerprint TEXT,
    timestamp INTEGER,
    title TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS files_by_url ON files (canonical_url);
"""


@dataclass(frozen=True, slots=True)
class IndexedEntry:
    name: str
    """File name inside the archive folder."""
    canonical_url: str
    fingerprint: str
    timestamp: int
    title: str


def entry_keys(entry: Entry) -> tuple[str, str]:
    """The two identities of an entry: canonical URL and content fingerprint."""
    return canonical_url(entry.url), fingerprint(entry.title, entry.html)


class ArchiveIndex:
    """Index of one archive folder, persisted when the folder is writable."""

    def __init__(self, root: str | os.PathLike, db: sqlite3.Connection, persistent: bool):
        self.root = os.fspath(root)
        self.db = db
        self.persistent = persistent
        self.rows_read = 0
        """How many files the last refresh had to parse (0 on a warm open)."""

    @classmethod
    def open(cls, root: str | os.PathLike) -> ArchiveIndex:
        """Open (and bring up to date) the index of the archive at ``root``."""
        root = os.fspath(root)
        if not os.path.isdir(root):
            raise FileNotFoundError(f"{root}: archive folder does not exist")
        state_dir = os.path.join(root, STATE_DIR)
        try:
            os.makedirs(state_dir, exist_ok=True)
            db = sqlite3.connect(os.path.join(state_dir, DB_NAME))
            persistent = True
        except (OSError, sqlite3.OperationalError):
            db = sqlite3.connect(":memory:")  # read-only archive: index in memory only
            persistent = False
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            db.executescript(f"DROP TABLE IF EXISTS files; PRAGMA user_version = {SCHEMA_VERSION};")
        db.executescript(_SCHEMA)
        index = cls(root, db, persistent)
        index.refresh()
        return index

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ArchiveIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def refresh(self) -> None:
        """Re-read the files whose size or mtime changed; forget deleted ones."""
        known = {
            row[0]: (row[1], row[2])
            for row in self.db.execute("SELECT name, size, mtime_ns FROM files")
        }
        seen = set()
        changed = []
        with os.scandir(self.root) as listing:
            for item in listing:
                if not is_entry_file(item.name) or not item.is_file():
                    continue
                seen.add(item.name)
                stat = item.stat()
                if known.get(item.name) != (stat.st_size, stat.st_mtime_ns):
                    changed.append((item.name, stat))
        self.rows_read = len(changed)
        with self.db:
            self.db.executemany(
                "DELETE FROM files WHERE name = ?", [(n,) for n in known.keys() - seen]
            )
            for name, stat in changed:
                self._store(name, stat.st_size, stat.st_mtime_ns)

    def _store(self, name: str, size: int, mtime_ns: int) -> None:
        try:
            entry = read_entry(os.path.join(self.root, name))
            url, print_ = entry_keys(entry)
            row = (url, print_, entry.timestamp, entry.title, None)
        except (EntryFormatError, ValueError) as exc:
            row = (None, None, None, None, str(exc))
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (name, size, mtime_ns, *row),
        )

    def record(self, name: str) -> None:
        """Re-index one file that this process just wrote."""
        stat = os.stat(os.path.join(self.root, name))
        with self.db:
            self._store(name, stat.st_size, stat.st_mtime_ns)

    def lookup(self, url: str) -> IndexedEntry | None:
        """The entry of an article (any URL form); the first by name if duplicated."""
        row = self.db.execute(
            "SELECT name, canonical_url, fingerprint, timestamp, title FROM files "
            "WHERE canonical_url = ? ORDER BY name LIMIT 1",
            (canonical_url(url),),
        ).fetchone()
        return IndexedEntry(*row) if row else None

    def __iter__(self) -> Iterator[IndexedEntry]:
        rows = self.db.execute(
            "SELECT name, canonical_url, fingerprint, timestamp, title FROM files "
            "WHERE error IS NULL ORDER BY name"
        )
        return (IndexedEntry(*row) for row in rows)

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM files WHERE error IS NULL").fetchone()[0]

    def urls(self) -> list[str]:
        """Every canonical URL in the archive, once each."""
        rows = self.db.execute(
            "SELECT DISTINCT canonical_url FROM files WHERE error IS NULL ORDER BY canonical_url"
        )
        return [row[0] for row in rows]

    def duplicates(self) -> dict[str, list[str]]:
        """Canonical URLs stored in more than one file, with those files."""
        rows = self.db.execute(
            "SELECT canonical_url, name FROM files WHERE canonical_url IN ("
            " SELECT canonical_url FROM files WHERE error IS NULL"
            " GROUP BY canonical_url HAVING COUNT(*) > 1) ORDER BY canonical_url, name"
        )
        found: dict[str, list[str]] = {}
        for url, name in rows:
            found.setdefault(url, []).append(name)
        return found

    def errors(self) -> list[tuple[str, str]]:
        """Files that break the format, with the one-line reason."""
        return list(
            self.db.execute("SELECT name, error FROM files WHERE error IS NOT NULL ORDER BY name")
        )
