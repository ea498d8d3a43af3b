"""``scrapy archive diff|show|log`` as a person uses them, on real samples."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from newsspider.archive.changes import archive_changes, parse_since
from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.readable import article_text
from newsspider.archive.revisions import load_article
from newsspider.archive.writer import ArchiveWriter
from newsspider.publish.diff import DELETE, INSERT, diff_articles
from tests.changes_archive import GONE, NEW, SEED, build_changes_archive
from tests.conftest import ROOT, SHARED_ARCHIVE, make_archive, run_scrapy

scrapy = run_scrapy
HISTORY = f"history/{SEED.removesuffix('.txt')}/1697224501000.txt"


@pytest.fixture
def archive(tmp_path):
    return build_changes_archive(tmp_path / "archive")


def scrapy_bytes(*args: str) -> subprocess.CompletedProcess:
    """The command's exact output bytes (no decoding on the way)."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


# --- diff -----------------------------------------------------------------------


def test_a_few_edited_chinese_characters_are_marked_alone(archive):
    article = load_article(str(archive), SEED)
    old, new = (article_text(r.entry) for r in article.revisions)
    diff = diff_articles(old, new)
    assert [b.label for b in diff.changes] == ["lead", "paragraph 1", "paragraph 3"]
    marks = [[(op, t) for op, t in b.spans if op != 0] for b in diff.changes]
    assert marks == [
        [(DELETE, "上个"), (INSERT, "九")],
        [(DELETE, "周五"), (INSERT, "13日")],
        [(DELETE, "材料"), (INSERT, "物资")],
    ]
    # everything else of those paragraphs is unchanged text around the marks
    assert [b.old_text for b in diff.changes] == [old.lead, old.paragraphs[0], old.paragraphs[2]]
    assert [b.new_text for b in diff.changes] == [new.lead, new.paragraphs[0], new.paragraphs[2]]


def test_an_added_and_a_removed_paragraph_are_not_taken_for_edits():
    from newsspider.archive.readable import ArticleText

    old = ArticleText("题", "", ("第一段。", "这一段后来被删掉了，整段不见。", "第三段。"))
    new = ArticleText("题", "", ("第一段。", "第三段。", "编者按：本文已更新。"))
    kinds = [(b.kind, b.old_number, b.new_number) for b in diff_articles(old, new).blocks[2:]]
    assert kinds == [
        ("same", 1, 1),
        ("removed", 2, None),
        ("same", 3, 2),
        ("added", None, 3),
    ]


def test_diff_exits_1_and_prints_only_the_edits_when_the_texts_differ(archive):
    done = scrapy("archive", "diff", str(archive / SEED))
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        f"--- revision 1  2023-10-13 19:15:01 UTC (Paris 2023-10-13 21:15:01 CEST)  {HISTORY}"
    )
    assert lines[1] == (
        f"+++ revision 2  2023-10-13 20:15:01 UTC (Paris 2023-10-13 22:15:01 CEST)  {SEED}"
    )
    assert [line.split(":")[0] for line in lines[2:]] == ["lead", "paragraph 1", "paragraph 3"]
    assert "乌克兰战争。[-上个-]{+九+}月，当朝鲜" in lines[2]
    assert "(John Kirby)[-周五-]{+13日+}表示" in lines[3]
    assert "或其他[-材料-]{+物资+}和其他" in lines[4]
    assert all(len(line) < 200 for line in lines[2:])  # long unchanged runs are cut to "…"


def test_diff_takes_revisions_by_number_or_capture_time(archive):
    url = read_entry(archive / SEED).url
    by_number = scrapy(
        "archive", "diff", url, "--archive", str(archive), "--from", "1", "--to", "2"
    )
    by_time = scrapy(
        "archive", "diff", url, "--archive", str(archive),
        "--from", "1697224501000", "--to", "2023-10-13 20:15:01",
    )  # fmt: skip
    assert (by_number.returncode, by_time.returncode) == (1, 1)
    assert by_number.stdout == by_time.stdout
    assert by_number.stdout == scrapy("archive", "diff", str(archive / SEED)).stdout
    backwards = scrapy("archive", "diff", str(archive / SEED), "--from", "2", "--to", "1")
    assert "[-九-]{+上个+}" in backwards.stdout


def test_diff_exits_0_when_the_texts_are_equal(archive):
    same = scrapy("archive", "diff", str(archive / SEED), "--from", "2", "--to", "2")
    assert (same.returncode, same.stdout.splitlines()[-1]) == (0, "same title, lead and paragraphs")
    single = scrapy("archive", "diff", str(archive / NEW))
    assert single.returncode == 0
    assert single.stdout == f"{NEW}: revision 1 is the oldest stored; nothing to compare\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "3"], "{path}: no revision 3 (it has 1 to 2)"),
        (["--from", "2023-10-14"], "{path}: no revision captured at 2023-10-14"),
        (["--from", "yesterday"], "{path}: no revision 'yesterday' (give 1 to 2, epoch"),
    ],
)
def test_diff_exits_2_with_one_line_for_a_revision_that_is_not_there(archive, args, message):
    done = scrapy("archive", "diff", str(archive / SEED), *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("archive diff: " + message.format(path=archive / SEED))


def test_diff_of_an_unknown_url_or_file_exits_2(archive):
    unknown = scrapy("archive", "diff", "https://www.rfi.fr/cn/nothing", "--archive", str(archive))
    assert (unknown.returncode, unknown.stderr) == (
        2,
        f"archive diff: https://www.rfi.fr/cn/nothing: not in the archive {archive}\n",
    )
    missing = scrapy("archive", "diff", str(archive / "nope.txt"))
    assert (missing.returncode, missing.stderr) == (
        2,
        f"archive diff: {archive / 'nope.txt'}: no such entry file\n",
    )


def test_diff_html_writes_the_same_diff_as_a_page(archive, tmp_path):
    page = tmp_path / "diff.html"
    done = scrapy("archive", "diff", str(archive / SEED), "--html", str(page))
    assert done.returncode == 1
    html = page.read_text(encoding="utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="zh-Hans">')
    for marked in ("<del>上个</del><ins>九</ins>", "<del>周五</del><ins>13日</ins>"):
        assert marked in html
    assert "<script" not in html


# --- show -------------------------------------------------------------------------


def test_show_prints_a_persons_view_of_the_article(archive):
    done = scrapy("archive", "show", str(archive / SEED))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    entry = read_entry(archive / SEED)
    assert out.splitlines()[:3] == [entry.title, entry.url, ""]
    assert "\ncaptured:  2023-10-13 20:15:01 UTC (Paris 2023-10-13 22:15:01 CEST)\n" in out
    assert "\npublished: 13/10/2023 - 21:02 (Paris, as the page says)\n" in out
    assert "\nstatus:    online when last checked (no gone record)\n" in out
    text = article_text(entry)
    assert f"\n\n{text.lead}\n\n{text.paragraphs[0]}\n\n" in out
    assert "<p>" not in out and "<strong>" not in out and "<!--" not in out
    assert out.endswith(
        "revisions (oldest first):\n"
        f"  1. 2023-10-13 19:15:01 UTC (Paris 2023-10-13 21:15:01 CEST)  {HISTORY}  (history)\n"
        f"  2. 2023-10-13 20:15:01 UTC (Paris 2023-10-13 22:15:01 CEST)  {SEED}  (current entry)\n"
    )


def test_show_raw_prints_the_entry_bytes_unchanged():
    path = SHARED_ARCHIVE / "duty-machine-news_rfi_1005350.md"  # glued tags, trailing spaces
    done = scrapy_bytes("archive", "show", str(path), "--raw")
    assert done.returncode == 0
    assert done.stdout == path.read_bytes()


def test_show_of_a_history_file_says_it_is_one(archive):
    done = scrapy("archive", "show", str(archive / HISTORY))
    assert done.returncode == 0, done.stderr
    assert f"\nfile:      {HISTORY}  (history: revision 1 of 2)\n" in done.stdout
    assert "乌克兰战争。上个月，当朝鲜" in done.stdout  # the old text, not the current one
    assert f"{HISTORY}  (history)  <- shown\n" in done.stdout
    raw = scrapy_bytes("archive", "show", str(archive / HISTORY), "--raw")
    assert raw.stdout == (archive / HISTORY).read_bytes()


def test_show_says_gone_in_words(archive):
    done = scrapy("archive", "show", str(archive / GONE))
    assert "\nstatus:    gone: the page answered 404 Not Found since 2023-10-13 21:15:01 UTC" in (
        done.stdout
    )
    assert "first_gone_ms" not in done.stdout and "1697231701000" not in done.stdout


def test_show_names_every_file_of_a_duplicated_url(tmp_path):
    pair = ["duty-machine-news_rfi_1000019.md", "dutymachine-news_rfi_1000019.md"]
    archive = make_archive(tmp_path / "a", pair)
    url = read_entry(archive / pair[0]).url
    by_url = scrapy("archive", "show", url, "--archive", str(archive))
    assert f"\nfile:      {pair[0]}\n" in by_url.stdout
    assert f"\nalso in:   {pair[1]} (same URL: a duplicate entry)\n" in by_url.stdout
    by_file = scrapy("archive", "show", str(archive / pair[1]))
    assert f"\nalso in:   {pair[0]} (same URL: a duplicate entry)\n" in by_file.stdout
    diff = scrapy("archive", "diff", url, "--archive", str(archive))
    assert diff.returncode == 0
    assert diff.stderr == f"archive diff: note: the same URL is also stored in {pair[1]}\n"


def test_options_of_another_action_are_refused(archive):
    done = scrapy("archive", "show", str(archive / SEED), "--from", "1")
    assert done.returncode == 2
    assert "--from does not apply to archive show" in done.stderr


# --- log --------------------------------------------------------------------------


def test_log_lists_the_changes_newest_first_from_the_archive_itself(archive):
    assert not (archive / "reports").exists()  # nothing but entries, history, gone records
    done = scrapy("archive", "log", "--archive", str(archive))
    assert done.returncode == 0, done.stderr
    seed, new, gone = (read_entry(archive / n).title for n in (SEED, NEW, GONE))
    assert done.stdout.splitlines() == [
        f"2023-11-03 15:15:01 UTC  new       {new}  {NEW}",
        f"2023-10-13 21:15:01 UTC  gone 404  {gone}  {GONE}",
        f"2023-10-13 20:15:01 UTC  updated   {seed}  {SEED}",
        f"2023-10-13 19:15:01 UTC  new       {seed}  {SEED}",
        f"2023-09-26 09:15:01 UTC  new       {gone}  {GONE}",
    ]


def test_log_filters_by_kind_and_time(archive):
    kinds = scrapy("archive", "log", "--archive", str(archive), "--kind", "updated,gone")
    assert [line.split()[3] for line in kinds.stdout.splitlines()] == ["gone", "updated"]
    since = scrapy("archive", "log", "--archive", str(archive), "--since", "2023-10-13T20:00")
    assert [line.split("  ")[-1] for line in since.stdout.splitlines()] == [NEW, GONE, SEED]
    bad = scrapy("archive", "log", "--archive", str(archive), "--kind", "edited")
    assert (bad.returncode, bad.stderr) == (
        2,
        "archive log: --kind 'edited': kinds are new,updated,gone\n",
    )


def test_log_since_a_duration_counts_back_from_now(archive):
    assert scrapy("archive", "log", "--archive", str(archive), "--since", "7d").stdout == ""
    entry = read_entry(archive / NEW)
    now = int(time.time() * 1000)
    with ArchiveIndex.open(archive) as index:
        ArchiveWriter(index).revise(
            NEW, Entry(now, entry.title, entry.url, entry.html + "<p>补</p>")
        )
    recent = scrapy("archive", "log", "--archive", str(archive), "--since", "7d")
    assert [line.split()[3:5] for line in recent.stdout.splitlines()] == [["updated", entry.title]]
    assert parse_since("12h", now_ms=now) == now - 12 * 3_600_000
    assert parse_since("2w", now_ms=now) == now - 14 * 86_400_000


def test_log_of_the_shared_samples_lists_every_entry_and_both_duplicates(tmp_path):
    archive = tmp_path / "samples"
    shutil.copytree(SHARED_ARCHIVE, archive)
    log = archive_changes(str(archive))
    entries = [p for p in archive.iterdir() if p.suffix in (".md", ".txt")]
    assert (len(log.changes), log.problems) == (len(entries), [])
    assert {c.kind for c in log.changes} == {"new"}
    times = [c.time_ms for c in log.changes]
    assert times == sorted(times, reverse=True)
    assert log.changes[0].name == "duty-machine-news_rfi_999990.md"  # the 2024 sample
    names = {c.name for c in log.changes}
    assert {"duty-machine-news_rfi_1000019.md", "dutymachine-news_rfi_1000019.md"} <= names
