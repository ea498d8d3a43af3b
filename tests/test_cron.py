"""Running from cron: one run at a time, resume after kill -9, honest exit status.

These run ``scrapy crawl rfi`` as cron would, in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import signal

import pytest

from newsspider.archive.entry import read_entry
from newsspider.archive.lock import ArchiveLock
from tests.cassette_factory import SMALL_ARCHIVE
from tests.conftest import CASSETTES, make_archive, run_scrapy, snapshot

DISCOVERY = CASSETTES / "test_discovery" / "discovery.yaml"
WIDE_OPEN = ["-s", "RFI_OLDEST_DAYS=36500", "-s", "RFI_MAX_SITEMAPS=1"]


def crawl(archive, cassette, *settings):
    return run_scrapy(
        "crawl", "rfi", "-s", f"ARCHIVE_DIR={archive}", "-s", f"VCR_CASSETTE={cassette}", *settings
    )


def articles(archive) -> dict[str, tuple[str, str]]:
    """url -> (title, html) of every current entry: the archive less capture times."""
    found = {}
    for path in archive.iterdir():
        if path.suffix in (".txt", ".md"):
            entry = read_entry(path)
            found[path.name] = (entry.url, entry.title, entry.html)
    return found


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", SMALL_ARCHIVE)


def test_a_second_concurrent_run_is_refused_with_one_line_and_exit_0(archive):
    holder = ArchiveLock(archive)
    assert holder.acquire()  # a run in progress
    try:
        before = snapshot(archive)
        done = crawl(archive, DISCOVERY, *WIDE_OPEN)
    finally:
        holder.release()
    assert done.returncode == 0, done.stderr[-2000:]
    refusals = [line for line in done.stderr.splitlines() if "another refresh" in line]
    assert len(refusals) == 1 and f"pid {os.getpid()}" in refusals[0]
    assert "refresh: checked=" not in done.stderr
    assert snapshot(archive) == before
    assert not (archive / "reports").exists()


def test_a_run_killed_mid_way_resumes_to_the_same_archive(archive, tmp_path):
    reference = make_archive(tmp_path / "reference", SMALL_ARCHIVE)
    assert crawl(reference, DISCOVERY, *WIDE_OPEN).returncode == 0

    pipelines = json.dumps(
        {
            "newsspider.pipelines.validate.ValidateArticlePipeline": 100,
            "newsspider.pipelines.archive.ArchiveDedupePipeline": 500,
            "tests.killer.KillAfterItems": 900,
        }
    )
    killed_after, batch = 5, 2  # checks are committed two at a time: the fifth is not
    killed = crawl(
        archive,
        DISCOVERY,
        *WIDE_OPEN,
        "-s",
        f"ITEM_PIPELINES={pipelines}",
        "-s",
        f"KILL_AFTER_ITEMS={killed_after}",
        "-s",
        f"RFI_STATE_COMMIT_EVERY={batch}",
        "-s",
        "RFI_STATE_COMMIT_SECONDS=3600",
    )
    assert killed.returncode == -signal.SIGKILL
    halfway = articles(archive)
    assert len(SMALL_ARCHIVE) < len(halfway) < len(articles(reference))  # some new, not all

    resumed = crawl(archive, DISCOVERY, *WIDE_OPEN)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert articles(archive) == articles(reference)
    assert not [p for p in archive.rglob("*") if p.name.startswith(".tmp-")]
    # what the killed run committed was not fetched again; its last, uncommitted batch was
    committed = killed_after - killed_after % batch
    report = json.loads(sorted((archive / "reports").glob("*.json"))[-1].read_text())
    assert report["counts"]["checked"] == len(articles(reference)) - committed


def test_a_run_where_most_articles_fail_exits_1_with_one_error_line(archive):
    cassette = (
        CASSETTES
        / "test_refresh"
        / "test_forbidden_and_server_errors_never_change_the_archive.yaml"
    )
    done = crawl(archive, cassette, "-s", "RFI_DISCOVERY=False", "-s", "RETRY_TIMES=0")
    assert done.returncode == 1
    *_, verdict, last = done.stderr.rstrip().splitlines()
    assert verdict.endswith("ERROR: run failed: 3 of 4 articles failed")
    assert last.endswith("ERROR: refresh: checked=4 unchanged=1 updated=0 new=0 gone=0 failed=3")
    assert "Traceback" not in done.stderr


def test_a_missing_archive_exits_1_with_one_line(tmp_path):
    done = crawl(tmp_path / "nowhere", DISCOVERY)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "] ERROR:" in line]
    assert len(errors) == 1 and "does not exist" in errors[0]
    assert "Traceback" not in done.stderr


def test_a_clean_run_exits_0(archive):
    done = crawl(archive, DISCOVERY, *WIDE_OPEN)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (
        done.stderr.rstrip()
        .splitlines()[-1]
        .endswith("refresh: checked=10 unchanged=4 updated=0 new=6 gone=0 failed=0")
    )


def test_progress_lines_while_a_run_lasts(archive, caplog):
    import logging

    from vcr.cassette import Cassette
    from vcr.record_mode import RecordMode

    from tests.conftest import run_crawl

    caplog.set_level(logging.INFO)
    slow = Cassette.load(  # its 503 asks for a 1 s wait before the retry
        path=str(
            CASSETTES
            / "test_refresh"
            / "test_forbidden_and_server_errors_never_change_the_archive.yaml"
        ),
        record_mode=RecordMode.NONE,
    )
    run_crawl(archive, slow, RFI_DISCOVERY=False, RETRY_TIMES=1, RFI_PROGRESS_INTERVAL=0.25)
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("progress:")]
    assert progress and progress[0].startswith("progress: due=4 checked=")
    pattern = re.compile(r"progress: due=4 checked=\d+ new=\d+ updated=\d+ failed=\d+")
    assert all(pattern.fullmatch(p) for p in progress)


def test_no_network_gives_one_line_per_failed_url_and_leaves_entries_alone(tmp_path):
    """As offline: every connection refused (a proxy on a closed loopback port)."""
    archive = make_archive(tmp_path / "archive", SMALL_ARCHIVE)
    entries = {p.name: p.read_bytes() for p in archive.iterdir()}
    offline = {"https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    done = run_scrapy(
        "crawl",
        "rfi",
        "-s",
        f"ARCHIVE_DIR={archive}",
        "-s",
        "RETRY_TIMES=0",
        "-s",
        "RFI_DISCOVERY=False",
        env=offline,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [
        line.split("] ERROR: ", 1)[1] for line in done.stderr.splitlines() if "] ERROR: " in line
    ]
    assert errors[0].startswith("robots.txt of www.rfi.fr not read: ")
    failed = [e for e in errors if e.startswith("failed https://www.rfi.fr/cn/")]
    assert len(failed) == len(SMALL_ARCHIVE)
    assert errors[-2:] == [
        "run failed: nothing fetched",
        "refresh: checked=4 unchanged=0 updated=0 new=0 gone=0 failed=4",
    ]
    assert len(errors) == len(SMALL_ARCHIVE) + 3
    assert {p.name: p.read_bytes() for p in archive.iterdir() if p.is_file()} == entries
