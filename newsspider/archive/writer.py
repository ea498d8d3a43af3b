"""Write to the archive without ever losing a byte.

- A new article gets a new file named from its canonical URL's hash (no part
  of a URL ever reaches the file system).
- An edited article keeps its file current; the version it replaces is first
  copied to ``history/<file stem>/<timestamp>.txt`` in the same format.
- A removed article (404/410) keeps its entry; ``<file stem>.gone.json``
  beside it records when and how it disappeared.

Every write goes through :func:`atomic_write`; one that fails (disk full,
read-only or failing disk) raises :class:`ArchiveWriteError` and leaves what
was there before as it was.

What is fsynced, and why: each new file's bytes before its rename (else a
crash could leave a renamed, empty entry); a history copy's folder before the
entry is replaced (the copy must be durable first), and with it the parent of a
folder just created for it. The archive folder after a rename only makes the new
version durable; the old one is whole until then. So with
``defer_folder_sync`` that fsync waits for :meth:`ArchiveWriter.sync`, which
the crawl calls once per batch of checks, before committing them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field

from newsspider.archive.entry import Entry, EntryFormatError, parse_entry, read_entry
from newsspider.archive.files import HISTORY_DIR, ArchiveWriteError, atomic_write, fsync_dir
from newsspider.archive.fingerprint import fingerprint as fingerprint_of
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.urls import canonical_url

logger = logging.getLogger(__name__)

GONE_SUFFIX = ".gone.json"
GONE_STATUSES = (404, 410)
REVISION_NAME = re.compile(r"(0|[1-9][0-9]*)(?:-([1-9][0-9]*))?\.txt")
"""``<timestamp>.txt``, or ``<timestamp>-<n>.txt`` when two versions share a timestamp."""
# What a damaged gone record still says about when the article went (a number
# cut short by the damage has no "," or "}" after it, so it is not taken).
_FIRST_GONE = re.compile(rb'"first_gone_ms"\s*:\s*([0-9]+)\s*[,}]')


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
    """Applies decisions (new, revised, gone) to one archive folder.

    Every method either does all it says or raises :class:`ArchiveWriteError`
    (one line: the file, the reason, the errno) having changed nothing that was
    there before: no entry, history copy or gone record is lost or half-written.
    """

    index: ArchiveIndex
    defer_folder_sync: bool = False
    """Leave the archive folder's fsync after a rename to :meth:`sync` (once per batch)."""
    _unsynced: set[str] = field(default_factory=set, repr=False)

    @property
    def root(self) -> str:
        return self.index.root

    def add(self, entry: Entry, fingerprint: str | None = None) -> str:
        """Store a new article; return its file name.

        ``fingerprint``: the entry's, when the caller has it already
        (``fingerprint(entry.title, entry.html)``), so it is not computed twice.
        Never overwrites: if anything already sits at the name (the entry, or a
        damaged or half-written file), that file is left alone and the article
        fails with ArchiveWriteError.
        """
        name = entry_file_name(entry.url)
        path = os.path.join(self.root, name)
        if os.path.lexists(path):
            raise ArchiveWriteError(path, _occupied(path))
        self._write_entry(name, entry, fingerprint)
        return name

    def revise(self, name: str, entry: Entry, fingerprint: str | None = None) -> str:
        """Replace the entry in ``name`` by ``entry``, keeping the old one in history.

        Returns the path of the history copy. If the newest history copy of
        that version is already there (a run killed between the copy and the
        replace), it is reused, not written twice. ``fingerprint`` as in :meth:`add`.
        """
        path = os.path.join(self.root, name)
        try:
            with open(path, "rb") as handle:
                previous_bytes = handle.read()
            previous = parse_entry(previous_bytes, path)
        except OSError as exc:
            raise ArchiveWriteError.from_os_error(path, exc) from exc
        except EntryFormatError as exc:
            reason = f"the current entry is not readable ({exc}); not replaced"
            raise ArchiveWriteError(path, reason) from exc
        copy_path = self._keep_in_history(name, previous.timestamp, previous_bytes)
        self._write_entry(name, entry, fingerprint)
        return copy_path

    def sync(self) -> None:
        """Make the renames left to it durable (``defer_folder_sync``): fsync their folders."""
        while self._unsynced:
            _sync_folder(self._unsynced.pop())

    def _write_in_root(self, path: str, data: bytes) -> os.stat_result:
        """Write a file of the archive folder itself; its rename made durable now, or by
        :meth:`sync` with ``defer_folder_sync``."""
        written = _write(path, data, not self.defer_folder_sync)
        if self.defer_folder_sync:
            self._unsynced.add(self.root)
        return written

    def _write_entry(self, name: str, entry: Entry, fingerprint: str | None) -> None:
        written = self._write_in_root(os.path.join(self.root, name), entry.serialize())
        if fingerprint is None:
            fingerprint = fingerprint_of(entry.title, entry.html)
        self.index.record_written(name, entry, fingerprint, written.st_size, written.st_mtime_ns)

    def _keep_in_history(self, name: str, timestamp: int, data: bytes) -> str:
        """Copy ``data`` (the version about to be replaced) into history; return its path."""
        folder = history_dir(self.root, name)
        created = _make_folders(folder)
        same_version = _copy_of(folder, timestamp, data)
        if same_version is not None:
            return same_version
        copy_path = _free_path(folder, str(timestamp))
        _write(copy_path, data)  # the copy is safe before the original changes
        for parent in created:  # and so are the folders just made for it
            _sync_folder(parent)
        return copy_path

    def mark_gone(self, name: str, url: str, status: int, when_ms: int) -> str:
        """Record beside the entry that the article answered ``status``.

        A damaged record (not JSON, truncated) is rewritten with one WARNING,
        keeping its ``first_gone_ms`` when the damage left it readable.
        """
        record_path = gone_record_path(self.root, name)
        record = {
            "url": canonical_url(url),
            "status": status,
            "first_gone_ms": _first_gone_ms(record_path, when_ms),
            "last_checked_ms": when_ms,
        }
        data = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        self._write_in_root(record_path, data.encode("utf-8"))
        return record_path

    def clear_gone(self, name: str) -> bool:
        """An article that answers again is no longer gone; return True if it was."""
        record_path = gone_record_path(self.root, name)
        try:
            os.unlink(record_path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ArchiveWriteError.from_os_error(record_path, exc) from exc
        return True


def _write(path: str, data: bytes, sync_folder: bool = True) -> os.stat_result:
    try:
        return atomic_write(path, data, sync_folder=sync_folder)
    except OSError as exc:
        raise ArchiveWriteError.from_os_error(path, exc) from exc


def _sync_folder(folder: str) -> None:
    try:
        fsync_dir(folder)
    except OSError as exc:
        raise ArchiveWriteError.from_os_error(folder, exc) from exc


def _make_folders(folder: str) -> list[str]:
    """Create ``folder`` and its missing parents; return the folders that gained one,
    deepest first (each must be fsynced for the new folder to be durable)."""
    if os.path.isdir(folder):
        return []
    parent = os.path.dirname(folder) or "."
    created = _make_folders(parent) if parent != folder else []
    try:
        os.mkdir(folder)
    except FileExistsError:
        if not os.path.isdir(folder):
            raise ArchiveWriteError(folder, "exists and is not a folder") from None
        return created
    except OSError as exc:
        raise ArchiveWriteError.from_os_error(folder, exc) from exc
    return [parent, *created]


def _occupied(path: str) -> str:
    """Why ``add`` does not write at ``path``: what already sits there."""
    try:
        found = read_entry(path)
    except EntryFormatError as exc:
        return f"the file exists and is not a readable entry ({exc.reason}); not overwritten"
    except OSError as exc:
        return f"the file exists and cannot be read ({exc.strerror or exc}); not overwritten"
    return f"the file already holds an entry of {found.url}; not overwritten"


def _first_gone_ms(record_path: str, default: int) -> int:
    """``first_gone_ms`` of the record at ``record_path``, or ``default`` if there is none."""
    try:
        with open(record_path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return default
    except OSError as exc:
        raise ArchiveWriteError.from_os_error(record_path, exc) from exc
    with contextlib.suppress(ValueError, AttributeError):  # not UTF-8, not JSON, not an object
        first = json.loads(data.decode("utf-8")).get("first_gone_ms")
        if type(first) is int and first >= 0:
            return first
    found = _FIRST_GONE.search(data)
    logger.warning(
        "gone record %s is damaged; rewritten, %s",
        record_path,
        f"keeping first_gone_ms {int(found[1])}" if found else "first_gone_ms restarts now",
    )
    return int(found[1]) if found else default


def revisions(root: str, name: str) -> list[str]:
    """Paths of the stored versions of an entry, oldest first, current last.

    Only files named as the writer names them count (``archive check`` lists
    any other file in ``history/``).
    """
    folder = history_dir(root, name)
    older = []
    if os.path.isdir(folder):
        older = sorted(
            (os.path.join(folder, n) for n in os.listdir(folder) if REVISION_NAME.fullmatch(n)),
            key=lambda p: revision_sort_key(os.path.basename(p)),
        )
    return [*older, os.path.join(root, name)]


def revision_sort_key(file_name: str) -> tuple[int, int]:
    """Order of a revision file (named like :data:`REVISION_NAME`)."""
    match = REVISION_NAME.fullmatch(file_name)
    return int(match[1]), int(match[2] or 0)


def _copy_of(folder: str, timestamp: int, data: bytes) -> str | None:
    """A revision of ``timestamp`` in ``folder`` holding exactly ``data``, if any."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    for file_name in names:
        match = REVISION_NAME.fullmatch(file_name)
        if match is None or int(match[1]) != timestamp:
            continue
        path = os.path.join(folder, file_name)
        with contextlib.suppress(OSError), open(path, "rb") as handle:
            if handle.read() == data:
                return path
    return None


def _free_path(folder: str, stem: str) -> str:
    candidate = os.path.join(folder, f"{stem}.txt")
    serial = 1
    while os.path.lexists(candidate):
        candidate = os.path.join(folder, f"{stem}-{serial}.txt")
        serial += 1
    return candidate
