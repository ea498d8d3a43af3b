"""``scrapy archive check|show|diff``: inspect an archive without crawling."""

from __future__ import annotations

import difflib
import os
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newsspider.archive import check as archive_check
from newsspider.archive.entry import read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.lock import ArchiveLock
from newsspider.archive.readable import format_ms, readable_lines
from newsspider.archive.rebuild import rebuild_archive
from newsspider.archive.urls import canonical_url
from newsspider.archive.writer import gone_record_path, revisions
from newsspider.offline import capture_normalizer


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "check [DIR] | show URL|FILE | diff URL|FILE | rebuild [DIR] [--all-revisions]"

    def short_desc(self) -> str:
        return "Check an archive folder, or show or diff one article's revisions"

    def long_desc(self) -> str:
        return (
            "check [DIR]: parse every entry, history revision and gone record of DIR (default: "
            "ARCHIVE_DIR), verify round trips, list duplicate URLs and unknown files; exit 1 on "
            "format errors.\nshow URL|FILE: print the current entry and its revisions.\n"
            "diff URL|FILE: print a text diff of the last two revisions."
        )

    def run(self, args: list[str], opts) -> None:
        if not args or args[0] not in ("check", "show", "diff", "rebuild"):
            raise UsageError(f"expected: {self.syntax()}")
        action, rest = args[0], args[1:]
        archive_dir = self.settings.get("ARCHIVE_DIR")
        try:
            if action == "rebuild":
                self.exitcode = rebuild_command(rest, archive_dir, self.settings)
            elif action == "check":
                if len(rest) > 1:
                    raise UsageError("check takes at most one folder")
                reports_dir = self.settings.get("ARCHIVE_REPORTS_DIR")
                self.exitcode = check_archive(rest[0] if rest else archive_dir, reports_dir)
            else:
                if len(rest) != 1:
                    raise UsageError(f"{action} takes one URL or entry file")
                root, name = resolve_entry(rest[0], archive_dir)
                self.exitcode = (
                    show_entry(root, name) if action == "show" else diff_entry(root, name)
                )
        except (FileNotFoundError, LookupError, ValueError) as exc:
            print(f"archive {action}: {exc}", file=sys.stderr)
            self.exitcode = 2


def rebuild_command(rest: list[str], archive_dir: str, settings) -> int:
    """``rebuild [DIR] [--all-revisions]``: one line per changed or failed version, then
    ``rebuild: captures=N entries=E changed=C failed=F``; exit 1 when any failed."""
    all_revisions = "--all-revisions" in rest
    folders = [arg for arg in rest if arg != "--all-revisions"]
    if len(folders) > 1 or any(arg.startswith("--") for arg in folders):
        raise UsageError("rebuild takes at most one folder and --all-revisions")
    root = folders[0] if folders else archive_dir
    if not os.path.isdir(root):
        raise FileNotFoundError(f"{root}: not a folder")
    lock = ArchiveLock(root)
    if not lock.acquire():
        raise LookupError(f"{root}: a refresh is running (pid {lock.holder()}); try again later")
    try:
        counts = rebuild_archive(root, capture_normalizer(settings), all_revisions=all_revisions)
    finally:
        lock.release()
    print(counts.line())
    return 1 if counts.failed else 0


def check_archive(root: str, reports_dir: str = "reports") -> int:
    """Print one line per problem, then the totals; return the exit status."""
    result = archive_check.check_archive(root, reports_dir)
    for error in result.errors:
        print(f"error: {error}")
    for url, names in result.duplicates.items():
        print(f"duplicate: {url} in {', '.join(names)}")
    for path in result.unknown:
        print(f"unknown: {path}")
    if result.revisions or result.gone_records or result.unknown or result.captures:
        print(
            f"{result.revisions} history revisions, {result.gone_records} gone records,"
            f" {result.captures} capture files, {len(result.unknown)} unknown files"
        )
    errors, duplicates = len(result.errors), len(result.duplicates)
    print(f"{result.entries} entries, {errors} errors, {duplicates} duplicate URLs")
    return 0 if result.ok else 1


def resolve_entry(target: str, archive_dir: str) -> tuple[str, str]:
    """(archive folder, entry file name) for a file path or an article URL."""
    if os.path.isfile(target):
        return os.path.dirname(os.path.abspath(target)), os.path.basename(target)
    if "://" not in target and not target.startswith("/cn/"):
        raise FileNotFoundError(f"{target}: no such entry file")
    with ArchiveIndex.open(archive_dir) as index:
        found = index.lookup(target)
    if found is None:
        raise LookupError(f"{canonical_url(target)}: not in the archive {archive_dir}")
    return archive_dir, found.name


def show_entry(root: str, name: str) -> int:
    paths = revisions(root, name)
    current = read_entry(paths[-1])
    sys.stdout.write(current.serialize().decode("utf-8"))
    print(f"\nrevisions of {os.path.join(root, name)} (oldest first):")
    for number, path in enumerate(paths, start=1):
        entry = read_entry(path)
        label = "current" if path == paths[-1] else os.path.relpath(path, root)
        print(f"  {number}. {format_ms(entry.timestamp)}  {label}")
    gone = gone_record_path(root, name)
    if os.path.exists(gone):
        with open(gone, encoding="utf-8") as handle:
            print(f"gone: {handle.read().strip()}")
    return 0


def diff_entry(root: str, name: str) -> int:
    paths = revisions(root, name)
    if len(paths) < 2:
        print(f"{os.path.join(root, name)}: only one revision, nothing to diff")
        return 0
    old, new = read_entry(paths[-2]), read_entry(paths[-1])
    sys.stdout.writelines(
        difflib.unified_diff(
            [line + "\n" for line in readable_lines(old)],
            [line + "\n" for line in readable_lines(new)],
            fromfile=f"{os.path.relpath(paths[-2], root)} ({format_ms(old.timestamp)})",
            tofile=f"{name} ({format_ms(new.timestamp)})",
        )
    )
    return 0
