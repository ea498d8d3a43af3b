"""Report files in the archive: ``<reports>/<run start>.md`` and ``.json``, pruned by age."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime, timedelta

from newsspider.archive.files import atomic_write
from newsspider.runreport.jsondoc import json_report
from newsspider.runreport.markdown import markdown
from newsspider.runreport.model import RunReport

STEM_FORMAT = "%Y%m%dT%H%M%S%fZ"
"""A report's file name is its run's start time (UTC), so names sort by time."""
SUFFIXES = (".md", ".json")


def write_report(report: RunReport, folder: str) -> str:
    """Write both files of ``report`` into ``folder``; return the Markdown file's path."""
    os.makedirs(folder, exist_ok=True)
    stem = os.path.join(folder, report.started.astimezone(UTC).strftime(STEM_FORMAT))
    atomic_write(stem + ".json", json_report(report).encode("utf-8"))
    atomic_write(stem + ".md", markdown(report).encode("utf-8"))
    return stem + ".md"


def prune_reports(folder: str, keep_days: float, now: datetime) -> int:
    """Delete the report files in ``folder`` older than ``keep_days``; return how many.

    A file's age is the time in its name, or its mtime when the name holds
    none. Only ``*.md`` and ``*.json`` files directly in ``folder`` are
    report files; anything else is left alone. ``keep_days`` <= 0 keeps all.
    """
    if keep_days <= 0:
        return 0
    cutoff = now - timedelta(days=keep_days)
    pruned = 0
    try:
        listing = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for item in listing:
        stem, suffix = os.path.splitext(item.name)
        if suffix not in SUFFIXES or not item.is_file(follow_symlinks=False):
            continue
        if _written_at(stem, item) < cutoff:
            with contextlib.suppress(FileNotFoundError):  # another run pruned it first
                os.unlink(item.path)
                pruned += 1
    return pruned


def _written_at(stem: str, item: os.DirEntry) -> datetime:
    try:
        return datetime.strptime(stem, STEM_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(item.stat(follow_symlinks=False).st_mtime, UTC)
