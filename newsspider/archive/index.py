"""The archive index: canonical URL -> entry file, fingerprint, timestamp.

Parsing 100,000 files on every run is the slow part of opening an archive, so
the index is kept in SQLite beside the archive (``.newsspider/archive.sqlite3``)
and each file is re-read only when its size or mtime changed. The index is a
cache: delete it and the next open rebuilds it from the files.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from newsspider.archive.databases import SchemaError, check_pages, is_damage, is_read_only
from newsspider.archive.entry import Entry, EntryFormatError, is_entry_file, read_entry
from newsspider.archive.fingerprint import fingerprint
from newsspider.archive.parallel import in_worker_processes
from newsspider.archive.urls import canonical_url

logger = logging.getLogger(__name__)

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
_INSERT = "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
PARALLEL_FROM = 2000
"""Files to read at one open from which they are read on every core (a process pool):
starting the workers costs ~0.3 s, reading 2,000 files ~0.7 s on one core."""
_COLUMNS = (
    "name",
    "size",
    "mtime_ns",
    "canonical_url",
    "fingerprint",
    "timestamp",
    "title",
    "error",
)


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
        """Open (and bring up to date) the index of the archive at ``root``.

        A damaged index file (not a database, truncated, another schema) is
        deleted and rebuilt from the files, with one WARNING. An index that
        cannot be written (read-only archive, disk full, locked) is kept in
        memory for this process; the files are the truth either way.
        """
        root = os.fspath(root)
        if not os.path.isdir(root):
            raise FileNotFoundError(f"{root}: archive folder does not exist")
        path = os.path.join(root, STATE_DIR, DB_NAME)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            return cls._open_file(root, path)
        except OSError:
            return cls._open_memory(root)  # read-only archive
        except sqlite3.DatabaseError as exc:
            problem = exc
        if not is_damage(problem):
            if not is_read_only(problem):
                logger.warning(
                    "archive index %s cannot be used (%s); indexed in memory this run",
                    path,
                    problem,
                )
            return cls._open_memory(root)
        try:
            _remove_database(path)
            index = cls._open_file(root, path)
        except (OSError, sqlite3.DatabaseError) as exc:
            logger.warning(
                "archive index %s was unreadable (%s) and cannot be rebuilt (%s);"
                " indexed in memory this run",
                path,
                problem,
                exc,
            )
            return cls._open_memory(root)
        logger.warning(
            "archive index %s was unreadable (%s); rebuilt from the files", path, problem
        )
        return index

    @classmethod
    def _open_file(cls, root: str, path: str) -> ArchiveIndex:
        db = sqlite3.connect(path)
        try:
            _prepare(db)
            # A commit costs no fsync: a power loss may lose the last rows (never
            # corrupt the file), and a lost row only makes its file re-read.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            index = cls(root, db, persistent=True)
            index.refresh()
        except BaseException:
            db.close()
            raise
        return index

    @classmethod
    def _open_memory(cls, root: str) -> ArchiveIndex:
        db = sqlite3.connect(":memory:")
        _prepare(db)
        index = cls(root, db, persistent=False)
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
        rows = read_rows(self.root, [(n, s.st_size, s.st_mtime_ns) for n, s in changed])
        with self.db:
            self.db.executemany(
                "DELETE FROM files WHERE name = ?", [(n,) for n in known.keys() - seen]
            )
            self.db.executemany(_INSERT, rows)

    def record_written(
        self, name: str, entry: Entry, fingerprint: str, size: int, mtime_ns: int
    ) -> None:
        """Index a file this process just wrote, from what the writer knows.

        The row a re-read would store, without reading the file back or
        fingerprinting it again: ``fingerprint`` must be
        ``fingerprint(entry.title, entry.html)``, ``size`` and ``mtime_ns``
        those of the written file. Never raises: the file is written, the
        index is only a cache. If the row cannot be written (disk full), the
        old row (or none) stays; its size and mtime no longer match the file,
        so the next open re-reads it.
        """
        url = canonical_url(entry.url)
        row = (name, size, mtime_ns, url, fingerprint, entry.timestamp, entry.title, None)
        try:
            with self.db:
                self.db.execute(_INSERT, row)
        except sqlite3.Error as exc:
            logger.warning(
                "archive index of %s not updated for %s (%s); the next run re-reads it",
                self.root,
                name,
                exc,
            )

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
        """Entry files that cannot be read, by name, with a one-line reason.

        The reason names the file (``path:line: reason``), so the crawl can log
        it as it is, once per file per run.
        """
        return list(
            self.db.execute("SELECT name, error FROM files WHERE error IS NOT NULL ORDER BY name")
        )


def read_rows(root: str, files: list[tuple[str, int, int]]) -> list[tuple]:
    """The index rows of ``files`` ((name, size, mtime_ns)…), on every core when they are many."""
    if len(files) >= PARALLEL_FROM:
        rows = in_worker_processes(_rows, root, files)
        if rows is not None:
            return rows
    return _rows(root, files)


def _rows(root: str, files: list[tuple[str, int, int]]) -> list[tuple]:
    return [file_row(root, *file) for file in files]


def file_row(root: str, name: str, size: int, mtime_ns: int) -> tuple:
    """The index row of the entry file ``name``: its keys, or why it cannot be read."""
    path = os.path.join(root, name)
    try:
        entry = read_entry(path)
        url, print_ = entry_keys(entry)
        return (name, size, mtime_ns, url, print_, entry.timestamp, entry.title, None)
    except (EntryFormatError, ValueError) as exc:
        return (name, size, mtime_ns, None, None, None, None, str(exc))
    except OSError as exc:
        # Unreadable now (permissions, I/O error): listed, and re-read next open (mtime -1).
        return (name, size, -1, None, None, None, None, f"{path}: cannot read: {exc.strerror}")


def _prepare(db: sqlite3.Connection) -> None:
    """Create the schema in a new database; raise SchemaError on a foreign one."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables or 0 < version < SCHEMA_VERSION:  # new, or an older index: built quietly
        db.executescript(
            f"DROP TABLE IF EXISTS files; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION};"
        )
        return
    columns = tuple(row[1] for row in db.execute("PRAGMA table_info(files)"))
    if version != SCHEMA_VERSION or columns != _COLUMNS:
        raise SchemaError(f"schema version {version}, table columns {columns or 'none'}")
    check_pages(db)


def _remove_database(path: str) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path + suffix)
