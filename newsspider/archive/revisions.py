"""The stored versions of one article: its entry file, its history, its gone record.

Revisions are numbered from 1 (the oldest) to N (the current entry), the
numbers ``archive show`` lists and ``archive diff --from/--to`` takes. A
revision can also be named by its capture time: epoch milliseconds, or a UTC
date-time as ``archive show`` prints it (``2023-10-13 19:15:01``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime

from newsspider.archive.entry import ENTRY_SUFFIXES, Entry, read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.urls import canonical_url
from newsspider.archive.writer import HISTORY_DIR, gone_record_path, revisions


@dataclass(frozen=True, slots=True)
class Revision:
    number: int
    """1 for the oldest stored version."""
    path: str
    entry: Entry
    current: bool
    """True for the entry file itself, False for a copy in history/."""

    @property
    def timestamp(self) -> int:
        return self.entry.timestamp


@dataclass(frozen=True, slots=True)
class GoneRecord:
    """``<stem>.gone.json``: the article answered 404 or 410."""

    path: str
    url: str
    status: int
    first_gone_ms: int
    last_checked_ms: int


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """One article of an archive, with every stored version of it."""

    root: str
    """The archive folder."""
    name: str
    """The entry file name inside ``root``."""
    revisions: tuple[Revision, ...]
    gone: GoneRecord | None

    @property
    def current(self) -> Revision:
        return self.revisions[-1]

    def relative(self, revision: Revision) -> str:
        """A revision's path relative to the archive folder."""
        return os.path.relpath(revision.path, self.root)

    def by_path(self, path: str) -> Revision:
        """The revision stored in the file ``path``."""
        for revision in self.revisions:
            if os.path.abspath(revision.path) == os.path.abspath(path):
                return revision
        raise LookupError(f"{path}: not a revision of {os.path.join(self.root, self.name)}")

    def revision(self, spec: str) -> Revision:
        """The revision a user named by number or capture time; LookupError if none."""
        return pick_revision(self.revisions, spec, os.path.join(self.root, self.name))


def load_article(root: str, name: str) -> StoredArticle:
    """Read every stored version of the entry ``name`` in the archive ``root``.

    A missing entry file is fine when history/ still holds versions of it (they
    are then all listed, none as current).
    """
    paths = [p for p in revisions(root, name) if os.path.exists(p)]
    if not paths:
        raise FileNotFoundError(f"{os.path.join(root, name)}: no such entry file")
    current_path = os.path.join(root, name)
    found = tuple(
        Revision(number, path, read_entry(path), path == current_path)
        for number, path in enumerate(paths, start=1)
    )
    return StoredArticle(root, name, found, read_gone_record(root, name))


def find_article(target: str, archive_dir: str) -> tuple[str, str, str | None]:
    """(archive folder, entry file name, history file or None) for what a user typed.

    ``target`` is an entry file, a history file, or an article URL (any form)
    looked up in the archive ``archive_dir``.
    """
    if os.path.isfile(target):
        return locate_entry(target)
    if "://" not in target and not target.startswith("/cn/"):
        raise FileNotFoundError(f"{target}: no such entry file")
    with ArchiveIndex.open(archive_dir) as index:
        found = index.lookup(target)
    if found is None:
        raise LookupError(f"{canonical_url(target)}: not in the archive {archive_dir}")
    return archive_dir, found.name, None


def same_url_entries(root: str, name: str, url: str) -> list[str]:
    """Other entry files of the archive that hold the same article (by canonical URL)."""
    try:
        key = canonical_url(url)
    except ValueError:
        return []  # not an http(s) URL: the index holds no other copy of it
    with ArchiveIndex.open(root) as index:
        names = index.duplicates().get(key, [])
    return [n for n in names if n != name]


def locate_entry(path: str) -> tuple[str, str, str | None]:
    """(archive folder, entry file name, history file or None) for a file path.

    ``history/<stem>/<ms>.txt`` is a revision of ``<stem>.txt`` (or ``.md``)
    two folders up; any other file is an entry in its own folder. A relative
    path gives a relative folder, so messages name files as the user did.
    """
    full = os.path.abspath(path)
    folder = os.path.dirname(full)
    history_file = None
    if os.path.basename(os.path.dirname(folder)) == HISTORY_DIR:
        root = os.path.dirname(os.path.dirname(folder))
        stem = os.path.basename(folder)
        names = [stem + suffix for suffix in ENTRY_SUFFIXES]
        name = next((n for n in names if os.path.isfile(os.path.join(root, n))), names[0])
        history_file = full
    else:
        root, name = folder, os.path.basename(full)
    if not os.path.isabs(path):
        root = os.path.relpath(root)
    return root, name, history_file


def read_gone_record(root: str, name: str) -> GoneRecord | None:
    """The gone record beside entry ``name``, or None; ValueError if unreadable."""
    path = gone_record_path(root, name)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: unreadable gone record ({exc})") from None
    try:
        first = int(data["first_gone_ms"])
        return GoneRecord(
            path,
            str(data["url"]),
            int(data["status"]),
            first,
            int(data.get("last_checked_ms", first)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: gone record without a valid {exc}") from None


def pick_revision(found: tuple[Revision, ...], spec: str, what: str) -> Revision:
    """The revision named by ``spec``: its number, epoch ms, or UTC date-time."""
    spec = spec.strip()
    if spec.isdigit() and len(spec) < 10:  # a revision number; epoch ms have 13 digits
        if not 1 <= int(spec) <= len(found):
            raise LookupError(f"{what}: no revision {spec} (it has 1 to {len(found)})")
        return found[int(spec) - 1]
    wanted = parse_capture_time(spec)
    if wanted is None:
        raise LookupError(
            f"{what}: no revision {spec!r} (give 1 to {len(found)}, epoch milliseconds "
            f"or a UTC time like 2023-10-13T19:15:01)"
        )
    millis, precision = wanted
    matches = [r for r in found if r.timestamp // precision == millis // precision]
    if not matches:
        raise LookupError(f"{what}: no revision captured at {spec}")
    if len(matches) > 1:
        numbers = ", ".join(str(r.number) for r in matches)
        raise LookupError(f"{what}: revisions {numbers} were captured at {spec}; give a number")
    return matches[0]


def parse_capture_time(spec: str) -> tuple[int, int] | None:
    """(epoch ms, precision in ms) of a revision time as a user writes it."""
    if spec.isdigit():
        return int(spec), 1
    text = spec.removesuffix("UTC").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    clock = text.replace("T", " ").partition(" ")[2]
    if not clock:
        precision = 86_400_000  # a day
    elif "." in clock:
        precision = 1
    else:
        precision = 60_000 if clock[:8].count(":") == 1 else 1000
    return int(moment.timestamp() * 1000), precision
