"""The archive's changes, read from the archive itself (never from run reports).

- new: an article's first stored version, at its capture time;
- updated: every later version, at its capture time (the versions it
  replaced are in ``history/<stem>/``);
- gone: a ``<stem>.gone.json`` record, at the time the article first answered
  404 or 410.

So the change log is the same whoever wrote the archive, and survives a lost
report; ``archive log``, ``changes.atom`` and the site all read it here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

from newsspider.archive.entry import EntryFormatError, read_entry
from newsspider.archive.index import ArchiveIndex, IndexedEntry
from newsspider.archive.revisions import parse_capture_time, read_gone_record
from newsspider.archive.writer import GONE_SUFFIX, HISTORY_DIR, revisions

KINDS = ("new", "updated", "gone")


@dataclass(frozen=True, slots=True)
class Change:
    time_ms: int
    kind: str
    """One of KINDS."""
    name: str
    """The entry file, in the archive folder."""
    title: str
    """The article's title in the version this change produced (gone: the current one)."""
    url: str
    revision: int
    """Number of the version this change produced (new: 1; gone: the current one)."""
    status: int | None = None
    """For gone: the HTTP status (404 or 410)."""


@dataclass(frozen=True, slots=True)
class ChangeLog:
    changes: list[Change]
    """Newest first."""
    problems: list[str]
    """One line per file that could not be read (the rest is still listed)."""


def archive_changes(
    root: str,
    since_ms: int | None = None,
    kinds: Iterable[str] = KINDS,
    limit: int | None = None,
) -> ChangeLog:
    """Every change of the archive at ``root``, newest first."""
    kinds = set(kinds)
    found: list[Change] = []
    problems: list[str] = []
    with ArchiveIndex.open(root) as index:
        entries = {entry.name: entry for entry in index}
        problems.extend(f"{os.path.join(root, n)}: skipped: {e}" for n, e in index.errors())
    edited = _stems_with_history(root)
    for entry in entries.values():
        stem = os.path.splitext(entry.name)[0]
        try:
            if stem in edited:
                found.extend(_versions(root, entry))
            else:
                found.append(
                    Change(entry.timestamp, "new", entry.name, entry.title, entry.canonical_url, 1)
                )
        except (OSError, EntryFormatError) as exc:
            problems.append(f"{exc}")
    if "gone" in kinds:
        found.extend(_gone(root, entries, problems))
    selected = [c for c in found if c.kind in kinds and (since_ms is None or c.time_ms >= since_ms)]
    selected.sort(key=lambda c: (c.time_ms, KINDS.index(c.kind), c.name), reverse=True)
    return ChangeLog(selected[:limit] if limit is not None else selected, problems)


def parse_since(text: str, now_ms: int | None = None) -> int:
    """``7d``, ``12h``, ``30m``, ``2w`` ago, or a UTC date (``2023-10-01``), as epoch ms."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    units = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000}
    text = text.strip()
    if text[:-1].isdigit() and text[-1:] in units:
        return now_ms - int(text[:-1]) * units[text[-1]]
    moment = None if text.isdigit() else parse_capture_time(text)
    if moment is None:
        raise ValueError(f"--since {text!r}: give a duration (7d, 12h, 30m, 2w) or a date")
    return moment[0]


def _stems_with_history(root: str) -> set[str]:
    folder = os.path.join(root, HISTORY_DIR)
    if not os.path.isdir(folder):
        return set()
    with os.scandir(folder) as listing:
        return {item.name for item in listing if item.is_dir()}


def _versions(root: str, entry: IndexedEntry) -> list[Change]:
    """new + one updated per later version of an entry with history."""
    paths = revisions(root, entry.name)
    changes = []
    for number, path in enumerate(paths, start=1):
        if number == len(paths):
            stamp, title = entry.timestamp, entry.title
        else:
            version = read_entry(path)
            stamp, title = version.timestamp, version.title
        kind = "new" if number == 1 else "updated"
        changes.append(Change(stamp, kind, entry.name, title, entry.canonical_url, number))
    return changes


def _gone(root: str, entries: dict[str, IndexedEntry], problems: list[str]) -> list[Change]:
    by_stem = {os.path.splitext(name)[0]: entry for name, entry in entries.items()}
    changes = []
    with os.scandir(root) as listing:
        stems = sorted(
            i.name.removesuffix(GONE_SUFFIX) for i in listing if i.name.endswith(GONE_SUFFIX)
        )
    for stem in stems:
        entry = by_stem.get(stem)
        if entry is None:
            problems.append(f"{os.path.join(root, stem + GONE_SUFFIX)}: no entry beside it")
            continue
        try:
            record = read_gone_record(root, entry.name)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if record is None:
            continue
        number = len(revisions(root, entry.name))
        changes.append(
            Change(
                record.first_gone_ms,
                "gone",
                entry.name,
                entry.title,
                entry.canonical_url,
                number,
                record.status,
            )
        )
    return changes
