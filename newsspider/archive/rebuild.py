"""Re-derive entries from their raw captures with today's normalizer.

Each capture's response record carries the timestamp of the entry it produced
(newsspider.archive.captures), so a capture finds its entry by canonical URL
and timestamp. The normalizer is handed in (the archive package knows no
spider): it turns a :class:`Capture` into ``(title, html)`` or raises
ValueError with a one-line reason. Where the result differs from what is
stored, the stored version is kept (the current entry goes to ``history/``
as any edit does; a history revision is kept under ``superseded/``) and the
re-derived one takes its place with the same timestamp. A second rebuild with
the same normalizer changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from newsspider.archive.captures import Capture, capture_files, read_captures
from newsspider.archive.entry import Entry, EntryFormatError, read_entry
from newsspider.archive.files import atomic_write
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.urls import canonical_url
from newsspider.archive.writer import ArchiveWriter, revisions

Normalizer = Callable[[Capture], tuple[str, str]]
SUPERSEDED_DIR = "superseded"


@dataclass
class RebuildCounts:
    captures: int = 0
    """Capture records read."""
    entries: int = 0
    """Stored versions that had a capture."""
    changed: int = 0
    failed: int = 0

    def line(self) -> str:
        return (
            f"rebuild: captures={self.captures} entries={self.entries} "
            f"changed={self.changed} failed={self.failed}"
        )


def rebuild_archive(
    root: str,
    normalize: Normalizer,
    *,
    all_revisions: bool = False,
    report: Callable[[str], None] = print,
) -> RebuildCounts:
    """Rebuild the entries of ``root`` from its captures; ``report`` gets one line per
    changed or failed version."""
    counts = RebuildCounts()
    with ArchiveIndex.open(root) as index:
        targets = _versions(index, all_revisions)
        writer = ArchiveWriter(index)
        for path in capture_files(root):
            try:
                for capture in read_captures(path):
                    counts.captures += 1
                    try:
                        key = (canonical_url(capture.url), capture.timestamp)
                    except ValueError:
                        continue
                    stored = targets.pop(key, None)  # a version is rebuilt once
                    if stored is not None:
                        counts.entries += 1
                        _rebuild_one(capture, stored, normalize, writer, counts, report)
            except ValueError as exc:  # an unreadable capture file: the rest still count
                counts.failed += 1
                report(f"failed: {exc}")
    return counts


def _versions(index: ArchiveIndex, all_revisions: bool) -> dict[tuple[str, int], tuple[str, str]]:
    """(canonical URL, timestamp) -> (entry file name, path of that version)."""
    found = {}
    for entry in index:
        current = os.path.join(index.root, entry.name)
        found[(entry.canonical_url, entry.timestamp)] = (entry.name, current)
        if not all_revisions:
            continue
        for path in revisions(index.root, entry.name)[:-1]:
            try:
                older = read_entry(path)
                key = (canonical_url(older.url), older.timestamp)
            except (EntryFormatError, ValueError):
                continue  # `archive check` names broken revisions
            found.setdefault(key, (entry.name, path))  # the current version wins a tie
    return found


def _rebuild_one(capture, stored, normalize, writer, counts, report) -> None:
    name, path = stored
    try:
        title, html = normalize(capture)
        entry = read_entry(path)
        rebuilt = Entry(entry.timestamp, title, entry.url, html)
    except (ValueError, OSError) as exc:
        counts.failed += 1
        report(f"failed: {capture.url} ({capture.timestamp}): {exc}")
        return
    if (rebuilt.title, rebuilt.html) == (entry.title, entry.html):
        return
    if path == os.path.join(writer.root, name):
        writer.revise(name, rebuilt)
    else:
        _supersede(path, rebuilt)
    counts.changed += 1
    report(f"changed: {os.path.relpath(path, writer.root)}")


def _supersede(path: str, rebuilt: Entry) -> None:
    """Replace a history revision, its old bytes kept under ``superseded/``."""
    folder = os.path.join(os.path.dirname(path), SUPERSEDED_DIR)
    os.makedirs(folder, exist_ok=True)
    stem, suffix = os.path.splitext(os.path.basename(path))
    keep, serial = os.path.join(folder, stem + suffix), 1
    while os.path.exists(keep):  # superseded before: keep every earlier version too
        keep, serial = os.path.join(folder, f"{stem}.{serial}{suffix}"), serial + 1
    with open(path, "rb") as handle:
        atomic_write(keep, handle.read())
    atomic_write(path, rebuilt.serialize())
