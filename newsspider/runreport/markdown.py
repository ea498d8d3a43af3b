"""The report for people: verdict first, then counts, then what to look at."""

from __future__ import annotations

from datetime import datetime

from newsspider.runreport.model import OUTCOMES, OVER_CAP, TOO_OLD, Article, RunReport
from newsspider.runreport.text import readable_url

SECTIONS = {  # outcome: (heading, what it means for the archive)
    "updated": ("Updated", "the previous version is kept in `history/`"),
    "new": ("New", None),
    "gone": ("Gone", "404 or 410: the entry is kept, `<entry>.gone.json` written beside it"),
}


def markdown(report: RunReport) -> str:
    lines = [f"# {report.verdict}", "", _when(report), "", *_counts(report)]
    for outcome, (heading, note) in SECTIONS.items():
        lines += _articles(heading, note, report.articles[outcome])
    failed = [a for a in report.articles["failed"] if not a.suspect]
    lines += _articles("Failed", "nothing in the archive changed; tried again next run", failed)
    lines += _articles(
        "Suspect pages",
        "fetched, but not trusted as the article: the entry was left as it was",
        report.suspect,
    )
    lines += _listings(report)
    lines += _not_added(report)
    lines += _unreadable(report)
    lines += _workers(report)
    return "\n".join(lines) + "\n"


def _when(report: RunReport) -> str:
    text = f"Refresh of `{report.archive}`" if report.archive else "Refresh"
    text += f", started {_time(report.started)}"
    if report.finished:
        text += f", finished {_time(report.finished)}"
    if report.finish_reason:
        text += f" ({report.finish_reason})"
    return text + "."


def _time(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def _counts(report: RunReport) -> list[str]:
    counts = report.counts
    keys = ("checked", *OUTCOMES)
    return [
        "| " + " | ".join(keys) + " |",
        "|" + "---|" * len(keys),
        "| " + " | ".join(str(counts[k]) for k in keys) + " |",
    ]


def _articles(heading: str, note: str | None, articles: list[Article]) -> list[str]:
    if not articles:
        return []
    lines = ["", f"## {heading} ({len(articles)})", ""]
    if note:
        lines += [f"({note})", ""]
    for article in articles:
        lines += _article(article)
    return lines


def _article(article: Article) -> list[str]:
    """- title · `entry file`, then the URL, then the reason, each on its own line."""
    head = [" ".join(article.title.split())] if article.title else []
    if article.entry:
        head.append(f"`{article.entry}`")
    url = readable_url(article.url)
    lines = [f"- {' · '.join(head)}", f"  {url}"] if head else [f"- {url}"]
    if article.reason:
        lines.append(f"  {article.reason}")
    return lines


def _listings(report: RunReport) -> list[str]:
    listings = report.listings_not_read
    if not listings:
        return []
    lines = ["", f"## Listings not read ({len(listings)})", ""]
    return lines + [f"- {readable_url(item.url)}: {item.reason}" for item in listings]


def _not_added(report: RunReport) -> list[str]:
    over_cap, too_old = report.not_added[OVER_CAP], report.not_added[TOO_OLD]
    if not (over_cap.count or too_old.count):
        return []
    cap = report.settings.get("RFI_MAX_NEW_ARTICLES", "?")
    days = report.settings.get("RFI_OLDEST_DAYS")
    days = f"{days:g}" if isinstance(days, float | int) else "?"
    lines = ["", "## Listed but not added", ""]
    if over_cap.count:
        lines.append(
            f"- {over_cap.count} over the cap of {cap} new articles a run "
            "(RFI_MAX_NEW_ARTICLES); the next runs take them:"
        )
        lines += _first_few(over_cap.first, over_cap.count)
    if too_old.count:
        lines.append(f"- {too_old.count} published more than {days} days ago (RFI_OLDEST_DAYS):")
        lines += _first_few(too_old.first, too_old.count)
    return lines


def _first_few(urls: list[str], count: int) -> list[str]:
    lines = [f"  - {readable_url(url)}" for url in urls]
    if count > len(urls):
        lines.append(f"  - … and {count - len(urls)} more")
    return lines


def _unreadable(report: RunReport) -> list[str]:
    files = report.unreadable_files
    if not files:
        return []
    lines = [
        "",
        f"## Unreadable archive files ({len(files)})",
        "",
        "(not entries: never checked nor changed; `scrapy archive check` lists them too)",
        "",
    ]
    return lines + [
        f"- {item.reason}"
        if item.reason.startswith(item.name)
        else f"- `{item.name}`: {item.reason}"
        for item in files
    ]


WORKER_COLUMNS = ("requests", "items", "failed", "put back")


def _workers(report: RunReport) -> list[str]:
    """A run over Redis: what each process handed back."""
    if not report.workers:
        return []
    lines = [
        "",
        f"## Processes ({len(report.workers)})",
        "",
        "| process | " + " | ".join(WORKER_COLUMNS) + " |",
        "|---|" + "---|" * len(WORKER_COLUMNS),
    ]
    for name, counts in report.workers.items():
        cells = " | ".join(str(counts.get(column, 0)) for column in WORKER_COLUMNS)
        lines.append(f"| {name} | {cells} |")
    return lines
