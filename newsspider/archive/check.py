"""Integrity of an archive folder: every file it holds is what the writer writes.

- ``<name>.txt|.md``: an entry that parses and round-trips byte for byte;
  entries sharing one canonical URL are listed as duplicates (not an error:
  the public archive has such pairs).
- ``history/<stem>/<ms>[-n].txt``: a replaced version of the entry
  ``<stem>``, in the entry format, named by its own timestamp.
- ``<stem>.gone.json``: a JSON object ``{url, status (404|410),
  first_gone_ms, last_checked_ms}`` beside the entry ``<stem>``.
- ``captures/<YYYY-MM>/<run>.warc.gz``: raw captures, each readable WARC to its
  last record (a ``.part`` is a killed run's, finished by the next run).
- The project's other places (``.newsspider/``, the reports folder, ``site/``,
  ``changes.atom``) are not looked into.

Anything else is listed as unknown: not an error (a README someone put there
harms nothing), but nothing the crawl reads either.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from newsspider.archive.captures import capture_files, check_capture_file
from newsspider.archive.entry import Entry, EntryFormatError, is_entry_file, parse_entry
from newsspider.archive.files import HISTORY_DIR
from newsspider.archive.index import STATE_DIR
from newsspider.archive.urls import canonical_url
from newsspider.archive.writer import GONE_STATUSES, GONE_SUFFIX, REVISION_NAME

PROJECT_FOLDERS = (STATE_DIR, "captures", "site")
PROJECT_FILES = ("changes.atom",)


@dataclass
class CheckResult:
    """What :func:`check_archive` found; paths are ``os.path.join(root, …)``."""

    entries: int = 0
    revisions: int = 0
    gone_records: int = 0
    captures: int = 0
    """Capture files, each read to its end."""
    errors: list[str] = field(default_factory=list)
    """One line each: ``path:line: reason`` or ``path: reason``."""
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    """Canonical URL -> the entry file names that hold it (two or more)."""
    unknown: list[str] = field(default_factory=list)
    """Paths of files (or folders, ending in ``/``) that the archive does not explain."""

    @property
    def ok(self) -> bool:
        return not self.errors


def check_archive(root: str | os.PathLike, reports_dir: str = "reports") -> CheckResult:
    """Check every file of the archive at ``root``; ``reports_dir`` is relative to it."""
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"{root}: not a folder")
    result = CheckResult()
    owners: dict[str, list[str]] = {}
    stems: set[str] = set()
    gone: list[str] = []
    known = {*PROJECT_FOLDERS, *PROJECT_FILES, HISTORY_DIR, _top_folder(root, reports_dir)}
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if is_entry_file(name) and os.path.isfile(path):
            result.entries += 1
            stems.add(os.path.splitext(name)[0])
            entry = _check_entry_file(path, result.errors)
            if entry is not None:
                owners.setdefault(canonical_url(entry.url), []).append(name)
        elif name.endswith(GONE_SUFFIX) and os.path.isfile(path):
            gone.append(name)
        elif name not in known:
            result.unknown.append(path + "/" if os.path.isdir(path) else path)
    for name in gone:
        result.gone_records += 1
        _check_gone_record(os.path.join(root, name), name.removesuffix(GONE_SUFFIX), stems, result)
    _check_history(root, stems, result)
    for path in capture_files(root):
        result.captures += 1
        problem = check_capture_file(path)
        if problem:
            result.errors.append(problem)
    result.duplicates = {url: names for url, names in owners.items() if len(names) > 1}
    result.unknown.sort()
    return result


def _top_folder(root: str, folder: str) -> str:
    """The name in ``root`` under which ``folder`` (relative to ``root``) lies."""
    relative = os.path.relpath(os.path.join(root, folder), root)
    return relative.split(os.sep)[0]


def _check_entry_file(path: str, errors: list[str]) -> Entry | None:
    """Parse one entry-format file; return it, or None after listing the error."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        entry = parse_entry(data, path)
        if entry.serialize() != data:
            raise EntryFormatError(path, 1, "does not round-trip byte for byte")
        canonical_url(entry.url)
    except (EntryFormatError, ValueError) as exc:
        errors.append(str(exc))
        return None
    except OSError as exc:
        errors.append(f"{path}: cannot read: {exc.strerror or exc}")
        return None
    return entry


def _check_history(root: str, stems: set[str], result: CheckResult) -> None:
    history = os.path.join(root, HISTORY_DIR)
    if not os.path.isdir(history):
        if os.path.lexists(history):
            result.unknown.append(history)
        return
    for stem in sorted(os.listdir(history)):
        folder = os.path.join(history, stem)
        if not os.path.isdir(folder):
            result.unknown.append(folder)
            continue
        if stem not in stems:
            result.errors.append(f"{folder}: history of an entry that is not in the archive")
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            match = REVISION_NAME.fullmatch(name)
            if match is None or not os.path.isfile(path):
                result.unknown.append(path + "/" if os.path.isdir(path) else path)
                continue
            result.revisions += 1
            entry = _check_entry_file(path, result.errors)
            if entry is not None and entry.timestamp != int(match[1]):
                result.errors.append(f"{path}: named {name} but its timestamp is {entry.timestamp}")


def _check_gone_record(path: str, stem: str, stems: set[str], result: CheckResult) -> None:
    try:
        with open(path, "rb") as handle:
            record = json.loads(handle.read().decode("utf-8"))
    except OSError as exc:
        result.errors.append(f"{path}: cannot read: {exc.strerror or exc}")
        return
    except ValueError as exc:  # not UTF-8, not JSON (truncated)
        result.errors.append(f"{path}: not a gone record: {exc}")
        return
    problem = _gone_record_problem(record)
    if problem:
        result.errors.append(f"{path}: {problem}")
    if stem not in stems:
        result.errors.append(f"{path}: gone record of an entry that is not in the archive")


def _gone_record_problem(record) -> str | None:
    if not isinstance(record, dict):
        return f"not a gone record: a JSON {type(record).__name__}, not an object"
    url = record.get("url")
    if not isinstance(url, str) or not url:
        return "url missing or not a string"
    if record.get("status") not in GONE_STATUSES or type(record.get("status")) is not int:
        return f"status {record.get('status')!r} is not 404 or 410"
    for key in ("first_gone_ms", "last_checked_ms"):
        value = record.get(key)
        if type(value) is not int or value < 0:
            return f"{key} {value!r} is not epoch milliseconds"
    return None
