"""Write to the archive without ever losing a byte.

- A new article gets a new file named from its canonical URL's hash (no part
  of a URL ever reaches the file system).
- An edited article keeps its file current; the version it replaces is first
  copied to ``history/<file stem>/<timestamp>.txt`` in the same format.
- A removed article (404/410) keeps its entry; ``<file stem>.gone.json``
  beside it records when and how it disappeared.

Every write goes through :func:`atomic_write`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.files import atomic_write
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.urls import canonical_url

HISTORY_DIR = "history"
GONE_SUFFIX = ".gone.json"


class ArchiveWriteError(Exception):
    """A write to the archive failed; the entry it would have replaced is intact.

    ``str()`` is one line naming the file and the reason; ``errno`` is the
    symbolic errno (``"ENOSPC"``, ``"EROFS"``…) when the OS gave one.
    """

    def __init__(self, path: str, reason: str, errno: str | None = None):
        self.path = path
        self.reason = reason
        self.errno = errno
        super().__init__(f"cannot write {path}: {reason}" + (f" ({errno})" if errno else ""))


def entry_file_name(url: str) -> str:
    """Deterministic, filesystem-safe file name for an article URL."""
    digest = hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()
    return f"{digest[:16]}.txt"


def history_dir(root: str, name: str) -> str:
    return os.path.join(root, HISTORY_DIR, os.path.splitext(name)[0])


def gone_record_path(root: str, name: str) -> str:
    return os.path.join(root, os.path.splitext(name)[0] + GONE_SUFFIX)


@dataclass
class ArchiveWriter:
    """Applies decisions (new, revised, gone) to one archive folder."""

    index: ArchiveIndex

    @property
    def root(self) -> str:
        return self.index.root

    def add(self, entry: Entry) -> str:
        """Store a new article; return its file name."""
        name = entry_file_name(entry.url)
        path = os.path.join(self.root, name)
        if os.path.exists(path):
            raise FileExistsError(f"{path}: already holds an entry; refusing to overwrite")
        atomic_write(path, entry.serialize())
        self.index.record(name)
        return name

    def revise(self, name: str, entry: Entry) -> str:
        """Replace the entry in ``name`` by ``entry``, keeping the old one in history.

        Returns the path of the history copy.
        """
        path = os.path.join(self.root, name)
        with open(path, "rb") as handle:
            previous_bytes = handle.read()
        previous = read_entry(path)
        folder = history_dir(self.root, name)
        os.makedirs(folder, exist_ok=True)
        copy_path = _free_path(folder, str(previous.timestamp))
        atomic_write(copy_path, previous_bytes)  # the copy is safe before the original changes
        atomic_write(path, entry.serialize())
        self.index.record(name)
        return copy_path

    def mark_gone(self, name: str, url: str, status: int, when_ms: int) -> str:
        """Record beside the entry that the article answered ``status``."""
        record_path = gone_record_path(self.root, name)
        record = {"url": canonical_url(url), "status": status, "first_gone_ms": when_ms}
        if os.path.exists(record_path):
            with open(record_path, encoding="utf-8") as handle:
                record["first_gone_ms"] = json.load(handle).get("first_gone_ms", when_ms)
        record["last_checked_ms"] = when_ms
        data = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        atomic_write(record_path, data.encode("utf-8"))
        return record_path

    def clear_gone(self, name: str) -> bool:
        """An article that answers again is no longer gone; return True if it was."""
        record_path = gone_record_path(self.root, name)
        if not os.path.exists(record_path):
            return False
        os.unlink(record_path)
        return True


def revisions(root: str, name: str) -> list[str]:
    """Paths of the stored versions of an entry, oldest first, current last."""
    folder = history_dir(root, name)
    older = []
    if os.path.isdir(folder):
        older = sorted(
            (os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".txt")),
            key=lambda p: _revision_sort_key(os.path.basename(p)),
        )
    return [*older, os.path.join(root, name)]


def _revision_sort_key(file_name: str) -> tuple[int, int]:
    stem = file_name.removesuffix(".txt")
    timestamp, _, serial = stem.partition("-")
    return int(timestamp), int(serial or 0)


def _free_path(folder: str, stem: str) -> str:
    candidate = os.path.join(folder, f"{stem}.txt")
    serial = 1
    while os.path.exists(candidate):
        candidate = os.path.join(folder, f"{stem}-{serial}.txt")
        serial += 1
    return candidate
