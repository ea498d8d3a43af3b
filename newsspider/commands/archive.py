"""``scrapy archive check|show|diff|log|publish|rebuild``: work on an archive without crawling.

The command parses options, calls the archive and publish packages, prints
and sets the exit status: 0 fine (diff: the texts are equal), 1 found
something (check: format errors; diff: the texts differ), 2 could not do it
(one line on stderr naming the file, URL or option and the reason).
"""

from __future__ import annotations

import os
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newsspider.archive import check as archive_check
from newsspider.archive.changes import KINDS, archive_changes, parse_since
from newsspider.archive.files import atomic_write
from newsspider.archive.lock import ArchiveLock
from newsspider.archive.readable import article_text
from newsspider.archive.rebuild import rebuild_archive
from newsspider.archive.revisions import find_article, load_article, same_url_entries
from newsspider.offline import capture_normalizer
from newsspider.publish.diff import diff_articles
from newsspider.publish.html import diff_page
from newsspider.publish.site import FEED_FILE, SITE_DIR, publish
from newsspider.publish.text import diff_text, log_line, show_text

ACTIONS = ("check", "show", "diff", "log", "publish", "rebuild")
# Which action each option belongs to (argparse sees one flat list of options).
OPTION_ACTIONS = {
    "archive": {"show", "diff", "log", "publish"},
    "raw": {"show"},
    "from_rev": {"diff"},
    "to_rev": {"diff"},
    "html": {"diff"},
    "since": {"log"},
    "kind": {"log"},
    "all_revisions": {"rebuild"},
}


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return (
            "check [DIR] | show URL|FILE [--raw] | diff URL|FILE [--from REV] [--to REV] "
            "[--html FILE] | log [--since 7d] [--kind new,updated,gone] | publish | "
            "rebuild [DIR] [--all-revisions]"
        )

    def short_desc(self) -> str:
        return "Check an archive; show, diff or log its articles' versions; publish its changes"

    def long_desc(self) -> str:
        return (
            "check [DIR]: parse every entry of DIR (default: ARCHIVE_DIR), verify it "
            "round-trips byte for byte, list format errors and duplicate URLs; exit 1 on "
            "format errors.\n"
            "show URL|FILE: the article as text (title, dates, status, lead, paragraphs) and "
            "its revisions; --raw prints the entry's bytes.\n"
            "diff URL|FILE: what changed in title, lead and paragraphs between two revisions "
            "(default: the last two; --from/--to take a number as show lists them or a capture "
            "time), character by character; --html FILE also writes it as a page; exit 0 if "
            "equal, 1 if they differ.\n"
            "log: the archive's changes (new, updated, gone), newest first.\n"
            "publish: rewrite changes.atom and site/ in the archive (a crawl that changed "
            "something does it too).\n"
            "rebuild [DIR]: re-derive every current entry (--all-revisions: every revision) from "
            "its raw captures with today's normalizer, writing a revision only where the result "
            "differs; exit 1 if any failed.\n"
            "show, diff, log and publish read the archive given by --archive DIR "
            "(default: ARCHIVE_DIR)."
        )

    def add_options(self, parser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group(title="Archive options")
        group.add_argument("--archive", metavar="DIR", help="archive folder (ARCHIVE_DIR)")
        group.add_argument("--raw", action="store_true", help="show: the entry's bytes")
        group.add_argument("--from", dest="from_rev", metavar="REV", help="diff: older revision")
        group.add_argument("--to", dest="to_rev", metavar="REV", help="diff: newer revision")
        group.add_argument("--html", metavar="FILE", help="diff: also write the diff as a page")
        group.add_argument("--since", metavar="WHEN", help="log: 7d, 12h, 2w or a date")
        group.add_argument("--kind", metavar="KINDS", help="log: new,updated,gone")
        group.add_argument(
            "--all-revisions", action="store_true", help="rebuild: history revisions too"
        )

    def run(self, args: list[str], opts) -> None:
        if not args or args[0] not in ACTIONS:
            raise UsageError(f"expected one of: {', '.join(ACTIONS)} (see --help)")
        action, rest = args[0], args[1:]
        for option, actions in OPTION_ACTIONS.items():
            if getattr(opts, option) not in (None, False) and action not in actions:
                flag = "--" + option.removesuffix("_rev").replace("_", "-")
                raise UsageError(f"{flag} does not apply to archive {action}")
        if unknown := [a for a in rest if a.startswith("-")]:
            raise UsageError(f"unknown option {unknown[0]}")
        archive_dir = opts.archive or self.settings.get("ARCHIVE_DIR")
        try:
            if action in ("check", "rebuild"):
                if len(rest) > 1:
                    raise UsageError(f"{action} takes at most one folder")
                root = rest[0] if rest else archive_dir
                if action == "check":
                    reports_dir = self.settings.get("ARCHIVE_REPORTS_DIR")
                    self.exitcode = check_archive(root, reports_dir)
                else:
                    self.exitcode = rebuild(root, self.settings, opts.all_revisions)
            elif action in ("log", "publish"):
                if rest:
                    raise UsageError(f"{action} takes no argument (the archive is --archive DIR)")
                if action == "log":
                    self.exitcode = log_changes(archive_dir, opts.since, opts.kind)
                else:
                    entries = self.settings.getint("ARCHIVE_FEED_ENTRIES")
                    self.exitcode = publish_changes(archive_dir, entries)
            else:
                if len(rest) != 1:
                    raise UsageError(f"{action} takes one URL or entry file")
                if action == "show":
                    self.exitcode = show_entry(rest[0], archive_dir, opts.raw)
                else:
                    self.exitcode = diff_entry(
                        rest[0], archive_dir, opts.from_rev, opts.to_rev, opts.html
                    )
        except (OSError, LookupError, ValueError) as exc:
            print(f"archive {action}: {exc}", file=sys.stderr)
            self.exitcode = 2


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


def rebuild(root: str, settings, all_revisions: bool) -> int:
    """One line per changed or failed version, then ``rebuild: captures=N entries=E
    changed=C failed=F``; exit 1 when any failed. Runs under the archive's run lock."""
    if not os.path.isdir(root):
        raise FileNotFoundError(f"{root}: not a folder")
    lock = ArchiveLock(root)
    if not lock.acquire():
        raise OSError(f"{root}: a refresh is running (pid {lock.holder()}); try later")
    try:
        counts = rebuild_archive(root, capture_normalizer(settings), all_revisions=all_revisions)
    finally:
        lock.release()
    print(counts.line())
    return 1 if counts.failed else 0


def show_entry(target: str, archive_dir: str, raw: bool) -> int:
    root, name, history_file = find_article(target, archive_dir)
    article = load_article(root, name)
    shown = article.by_path(history_file) if history_file else article.current
    if raw:
        with open(shown.path, "rb") as handle:
            sys.stdout.buffer.write(handle.read())
        return 0
    also_in = same_url_entries(root, name, shown.entry.url)
    sys.stdout.write(show_text(article, shown, also_in))
    return 0


def diff_entry(
    target: str, archive_dir: str, from_rev: str | None, to_rev: str | None, html: str | None
) -> int:
    """Exit 0 when title, lead and paragraphs are equal, 1 when they differ."""
    root, name, history_file = find_article(target, archive_dir)
    article = load_article(root, name)
    for other in same_url_entries(root, name, article.current.entry.url):
        print(f"archive diff: note: the same URL is also stored in {other}", file=sys.stderr)
    if to_rev is not None:
        new = article.revision(to_rev)
    elif history_file:
        new = article.by_path(history_file)
    else:
        new = article.current
    if from_rev is not None:
        old = article.revision(from_rev)
    elif new.number > 1:
        old = article.revisions[new.number - 2]
    else:
        print(f"{article.relative(new)}: revision 1 is the oldest stored; nothing to compare")
        return 0
    diff = diff_articles(article_text(old.entry), article_text(new.entry))
    if html:
        atomic_write(html, diff_page(article, old, new, diff).encode("utf-8"))
    sys.stdout.write(diff_text(article, old, new, diff))
    return 1 if diff.changed else 0


def log_changes(archive_dir: str, since: str | None, kinds: str | None) -> int:
    wanted = KINDS
    if kinds:
        wanted = tuple(k.strip() for k in kinds.split(",") if k.strip())
        if bad := [k for k in wanted if k not in KINDS]:
            raise ValueError(f"--kind {bad[0]!r}: kinds are {','.join(KINDS)}")
    since_ms = parse_since(since) if since else None
    if not os.path.isdir(archive_dir):
        raise FileNotFoundError(f"{archive_dir}: not a folder")
    log = archive_changes(archive_dir, since_ms=since_ms, kinds=wanted)
    for problem in log.problems:
        print(f"archive log: {problem}", file=sys.stderr)
    for change in log.changes:
        print(log_line(change))
    return 0


def publish_changes(archive_dir: str, entries: int) -> int:
    """Rewrite changes.atom and site/, under the archive's run lock."""
    if not os.path.isdir(archive_dir):
        raise FileNotFoundError(f"{archive_dir}: not a folder")
    lock = ArchiveLock(archive_dir)
    if not lock.acquire():
        raise OSError(f"{archive_dir}: a refresh is running (pid {lock.holder()}); try later")
    try:
        result = publish(archive_dir, entries)
    finally:
        lock.release()
    for problem in result.problems:
        print(f"archive publish: {problem}", file=sys.stderr)
    print(
        f"published the last {result.changes} changes to {os.path.join(archive_dir, FEED_FILE)} "
        f"and {os.path.join(archive_dir, SITE_DIR)}/ ({result.pages} article pages): "
        f"{len(result.written)} files written, {len(result.removed)} removed"
    )
    return 0
