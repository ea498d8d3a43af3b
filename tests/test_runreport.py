"""The run report model and its writers: what a person and a script read after a run."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from newsspider.archive import read_entry
from newsspider.runreport.files import prune_reports, write_report
from newsspider.runreport.jsondoc import json_report
from newsspider.runreport.markdown import markdown
from newsspider.runreport.model import FIRST_FEW, OVER_CAP, TOO_OLD, RunReport, UnreadableFile
from newsspider.runreport.text import closing_line, readable_url
from tests.conftest import SHARED_ARCHIVE

STARTED = datetime(2026, 3, 1, 6, 17, 2, 123456, tzinfo=UTC)
# Real articles from the shared archive: their URLs are percent-encoded Chinese.
UPDATED, NEW, GONE, FAILED, SUSPECT = (
    read_entry(SHARED_ARCHIVE / name)
    for name in (
        "duty-machine-news_rfi_999990.md",
        "duty-machine-news_rfi_1000000.md",
        "duty-machine-news_rfi_1000013.md",
        "duty-machine-news_rfi_1000007.md",
        "duty-machine-news_rfi_1000014.md",
    )
)


def sample_report(**overrides) -> RunReport:
    report = RunReport(
        started=STARTED,
        finished=STARTED + timedelta(seconds=42),
        finish_reason="finished",
        archive="/srv/archive",
        settings={"RFI_MAX_NEW_ARTICLES": 2, "RFI_OLDEST_DAYS": 30.0},
        **overrides,
    )
    report.add("unchanged", "https://www.rfi.fr/cn/unchanged", title="不变", entry="u.txt")
    report.add("updated", UPDATED.url, title=UPDATED.title, entry="999990.md")
    report.add("new", NEW.url, title=NEW.title, entry="eced2539a3d8a2dd.txt")
    report.add("gone", GONE.url, title=GONE.title, entry="1000013.md", reason="HTTP 410")
    report.add("failed", FAILED.url, title=FAILED.title, entry="1000007.md", reason="HTTP 403")
    report.add("failed", SUSPECT.url, entry="1000014.md", reason="suspect: a login page")
    report.listing_not_read("https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/rss", "HTTP 404")
    for n in range(FIRST_FEW + 3):
        report.not_added_article(f"https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/2026-{n}", OVER_CAP)
    report.not_added_article("https://www.rfi.fr/cn/old-1", TOO_OLD)
    report.not_added_article("https://www.rfi.fr/cn/old-1", TOO_OLD)  # listed twice
    return report


def test_counts_follow_the_articles_by_outcome():
    assert sample_report().counts == {
        "checked": 6,
        "unchanged": 1,
        "updated": 1,
        "new": 1,
        "gone": 1,
        "failed": 2,
    }


def test_the_closing_line_is_the_one_scripts_parse():
    assert closing_line(sample_report().counts) == (
        "refresh: checked=6 unchanged=1 updated=1 new=1 gone=1 failed=2"
    )


def test_a_suspect_page_is_a_failed_article_whose_reason_says_suspect():
    report = sample_report()
    assert [a.url for a in report.suspect] == [SUSPECT.url]
    assert report.counts["failed"] == 2  # still counted as failed


def test_articles_not_added_are_counted_once_each_with_the_first_few_urls():
    over_cap, too_old = sample_report().not_added[OVER_CAP], sample_report().not_added[TOO_OLD]
    assert over_cap.count == FIRST_FEW + 3 and len(over_cap.first) == FIRST_FEW
    assert over_cap.first[0].endswith("/2026-0")
    assert (too_old.count, too_old.first) == (1, ["https://www.rfi.fr/cn/old-1"])


# --- URLs as people read them -------------------------------------------------


def test_readable_urls_show_chinese_and_open_the_same_page():
    assert (
        readable_url(UPDATED.url)
        == "https://www.rfi.fr/cn/国际/20240203-阿米尼制裁下-加拿大下令驱逐一名伊朗高官"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://www.rfi.fr/cn/a%2Fb%25c%20d", "https://www.rfi.fr/cn/a%2Fb%25c%20d"),  # ASCII
        (
            "https://www.rfi.fr/cn/%E3%80%80x",
            "https://www.rfi.fr/cn/%E3%80%80x",
        ),  # ideographic space
        ("https://www.rfi.fr/cn/%E2%80%8Ex", "https://www.rfi.fr/cn/%E2%80%8Ex"),  # LRM, invisible
        ("https://www.rfi.fr/cn/%e4%b8%ad%FF%E4%B8", "https://www.rfi.fr/cn/中%FF%E4%B8"),  # broken
    ],
)
def test_escapes_that_would_change_or_hide_the_url_stay_escaped(url, shown):
    assert readable_url(url) == shown


# --- Markdown, for people --------------------------------------------------------


def test_markdown_starts_with_the_verdict_then_the_run_then_the_counts():
    lines = markdown(sample_report(verdict="failed: 2 of 6 articles failed")).splitlines()
    assert lines[0] == "# failed: 2 of 6 articles failed"
    assert lines[2] == (
        "Refresh of `/srv/archive`, started 2026-03-01 06:17:02 UTC, "
        "finished 2026-03-01 06:17:44 UTC (finished)."
    )
    assert lines[4:7] == [
        "| checked | unchanged | updated | new | gone | failed |",
        "|---|---|---|---|---|---|",
        "| 6 | 1 | 1 | 1 | 1 | 2 |",
    ]


@pytest.mark.parametrize("verdict", ["ok", "interrupted: checked 3 of 10 due"])
def test_markdown_shows_any_verdict_first(verdict):
    assert markdown(sample_report(verdict=verdict)).startswith(f"# {verdict}\n")


def section(text: str, heading: str) -> list[str]:
    """The lines of one ``## heading (…)`` section, without blank lines."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"## {heading}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), None)
    return [line for line in lines[start:end] if line]


def test_markdown_lists_title_readable_url_and_entry_file_per_kind():
    text = markdown(sample_report())
    assert section(text, "Updated") == [
        "## Updated (1)",
        "(the previous version is kept in `history/`)",
        f"- {UPDATED.title} · `999990.md`",
        f"  {readable_url(UPDATED.url)}",
    ]
    assert section(text, "New")[1:] == [
        f"- {NEW.title} · `eced2539a3d8a2dd.txt`",
        f"  {readable_url(NEW.url)}",
    ]
    assert section(text, "Gone")[2:] == [
        f"- {GONE.title} · `1000013.md`",
        f"  {readable_url(GONE.url)}",
        "  HTTP 410",
    ]
    assert "不变" not in text  # unchanged articles are counted, not listed


def test_markdown_gives_each_failed_article_its_reason_and_suspect_pages_their_own_section():
    text = markdown(sample_report())
    assert section(text, "Failed") == [
        "## Failed (1)",
        "(nothing in the archive changed; tried again next run)",
        f"- {FAILED.title} · `1000007.md`",
        f"  {readable_url(FAILED.url)}",
        "  HTTP 403",
    ]
    assert section(text, "Suspect pages")[2:] == [
        "- `1000014.md`",
        f"  {readable_url(SUSPECT.url)}",
        "  suspect: a login page",
    ]


def test_markdown_lists_listings_not_read_and_articles_not_added():
    text = markdown(sample_report())
    assert section(text, "Listings not read") == [
        "## Listings not read (1)",
        "- https://www.rfi.fr/cn/中国/rss: HTTP 404",
    ]
    not_added = section(text, "Listed but not added")
    assert not_added[1] == (
        f"- {FIRST_FEW + 3} over the cap of 2 new articles a run (RFI_MAX_NEW_ARTICLES); "
        "the next runs take them:"
    )
    assert not_added[2:4] == [
        "  - https://www.rfi.fr/cn/中国/2026-0",
        "  - https://www.rfi.fr/cn/中国/2026-1",
    ]
    assert not_added[FIRST_FEW + 2] == "  - … and 3 more"
    assert not_added[FIRST_FEW + 3 :] == [
        "- 1 published more than 30 days ago (RFI_OLDEST_DAYS):",
        "  - https://www.rfi.fr/cn/old-1",
    ]


UNREADABLE = UnreadableFile("broken.md", "broken.md:2: title line is not [title](url)")


def test_markdown_names_unreadable_archive_files():
    report = sample_report()
    report.unreadable_files = [UNREADABLE, UnreadableFile("latin1.txt", "not UTF-8")]
    assert section(markdown(report), "Unreadable archive files")[2:] == [
        "- broken.md:2: title line is not [title](url)",
        "- `latin1.txt`: not UTF-8",
    ]


def test_a_quiet_run_has_no_empty_sections():
    report = RunReport(started=STARTED, finished=STARTED, finish_reason="finished")
    report.add("unchanged", "https://www.rfi.fr/cn/x")
    assert "##" not in markdown(report)


# --- JSON, for scripts -------------------------------------------------------------


def test_json_carries_the_same_facts_with_percent_encoded_urls():
    report = sample_report(verdict="failed: 2 of 6 articles failed")
    report.unreadable_files = [UNREADABLE]
    data = json.loads(json_report(report))
    assert next(iter(data)) == "verdict"  # first, as in the Markdown
    assert data["verdict"] == "failed: 2 of 6 articles failed"
    assert data["counts"] == report.counts
    assert data["articles"]["updated"] == [
        {"url": UPDATED.url, "title": UPDATED.title, "entry": "999990.md", "reason": None}
    ]
    assert [a["reason"] for a in data["articles"]["failed"]] == [
        "HTTP 403",
        "suspect: a login page",
    ]
    assert [a["url"] for a in data["suspect"]] == [SUSPECT.url]
    assert "unchanged" not in data["articles"]
    assert data["listings_not_read"] == [
        {"url": "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/rss", "reason": "HTTP 404"}
    ]
    assert data["not_added"][OVER_CAP]["count"] == FIRST_FEW + 3
    assert len(data["not_added"][OVER_CAP]["first"]) == FIRST_FEW
    assert data["not_added"][TOO_OLD] == {"count": 1, "first": ["https://www.rfi.fr/cn/old-1"]}
    assert data["unreadable_files"] == [
        {"name": "broken.md", "reason": "broken.md:2: title line is not [title](url)"}
    ]
    assert (data["started"], data["finish_reason"]) == (STARTED.isoformat(), "finished")
    # the first format's fields stay for the scripts that read them
    assert data["urls"]["gone"] == [GONE.url]
    assert data["failures"] == {FAILED.url: "HTTP 403", SUSPECT.url: "suspect: a login page"}


# --- files: written side by side, pruned by age --------------------------------------


def test_a_report_is_written_as_markdown_and_json_named_by_its_start(tmp_path):
    path = write_report(sample_report(), str(tmp_path / "reports"))
    assert path == str(tmp_path / "reports" / "20260301T061702123456Z.md")
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "20260301T061702123456Z.json",
        "20260301T061702123456Z.md",
    ]


def make_reports(folder, *stems):
    folder.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        for suffix in (".md", ".json"):
            (folder / f"{stem}{suffix}").write_text("{}")


NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_reports_older_than_the_kept_days_are_pruned_by_the_time_in_their_name(tmp_path):
    folder = tmp_path / "reports"
    make_reports(
        folder, "20260101T000000000000Z", "20260301T000000000000Z", "20260530T120000000000Z"
    )
    (folder / "notes.txt").write_text("mine")
    (folder / "20200101T000000000000Z.txt").write_text("not a report")
    (folder / "old").mkdir()
    assert prune_reports(str(folder), 90, NOW) == 4
    assert sorted(p.name for p in folder.iterdir()) == [
        "20200101T000000000000Z.txt",
        "20260530T120000000000Z.json",
        "20260530T120000000000Z.md",
        "notes.txt",
        "old",
    ]


def test_a_report_whose_name_holds_no_time_is_aged_by_its_mtime(tmp_path):
    folder = tmp_path / "reports"
    make_reports(folder, "renamed-old", "renamed-new")
    old = (NOW - timedelta(days=91)).timestamp()
    for suffix in (".md", ".json"):
        os.utime(folder / f"renamed-old{suffix}", (old, old))
        os.utime(folder / f"renamed-new{suffix}", (NOW.timestamp(),) * 2)
    assert prune_reports(str(folder), 90, NOW) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["renamed-new.json", "renamed-new.md"]


def test_keep_days_zero_keeps_every_report(tmp_path):
    folder = tmp_path / "reports"
    make_reports(folder, "20000101T000000000000Z")
    assert prune_reports(str(folder), 0, NOW) == 0
    assert len(list(folder.iterdir())) == 2


def test_pruning_a_folder_that_does_not_exist_yet_prunes_nothing(tmp_path):
    assert prune_reports(str(tmp_path / "reports"), 90, NOW) == 0
