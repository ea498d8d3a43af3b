"""The archive's SQLite files: telling a damaged file from one that cannot be written now.

A damaged file (not a database, truncated, another schema, broken pages) is
replaced: the index is rebuilt from the entries, the crawl state starts anew.
A file that cannot be written now (disk full, read-only, locked) is left
alone: nothing is wrong with it, so nothing of it may be thrown away.
"""

from __future__ import annotations

import os
import sqlite3

from newsspider.archive.files import ArchiveWriteError

# SQLite result codes (and their extended forms) that say nothing about the file's content.
_CANNOT_WRITE = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")
_NOT_DAMAGE = (
    *_CANNOT_WRITE,
    *("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_NOMEM"),
    *("SQLITE_INTERRUPT", "SQLITE_NOLFS"),
)
_ERRNO = {"SQLITE_FULL": "ENOSPC", "SQLITE_IOERR": "EIO", "SQLITE_READONLY": "EROFS"}


class SchemaError(sqlite3.DatabaseError):
    """The file is a database, but not one this code wrote (a damage, too)."""


def _code(exc: sqlite3.Error) -> str:
    return getattr(exc, "sqlite_errorname", None) or ""


def is_damage(exc: sqlite3.Error) -> bool:
    """True when ``exc`` says the file is damaged, False when it only cannot be used now."""
    return isinstance(exc, SchemaError) or not _code(exc).startswith(_NOT_DAMAGE)


def is_read_only(exc: sqlite3.Error) -> bool:
    """True when ``exc`` says the file (or its folder) cannot be written at all."""
    return _code(exc).startswith(_CANNOT_WRITE)


def check_pages(db: sqlite3.Connection) -> None:
    """Raise sqlite3.DatabaseError if a page is damaged (cheap: ~25 ms for 100,000 rows).

    Damage in pages no query has met yet would otherwise surface mid-crawl.
    """
    problem = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    if problem != "ok":
        raise sqlite3.DatabaseError(f"malformed: {' '.join(problem.split())}")


def write_error(path: str, exc: sqlite3.Error) -> ArchiveWriteError:
    """The one-line ArchiveWriteError for a failed write to the database at ``path``."""
    code = _code(exc)
    errno = next((symbol for prefix, symbol in _ERRNO.items() if code.startswith(prefix)), None)
    if errno == "EIO" and _disk_is_full(path):
        errno = "ENOSPC"  # SQLite says "disk I/O error" when it cannot grow its -shm file
    return ArchiveWriteError(path, str(exc), errno)


def _disk_is_full(path: str) -> bool:
    try:
        return os.statvfs(os.path.dirname(path) or ".").f_bavail == 0
    except OSError:
        return False
