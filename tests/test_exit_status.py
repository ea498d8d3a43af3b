"""The exit status tells cron the truth: interrupted runs, start errors, a lock refusal.

``scrapy crawl rfi`` runs in a subprocess, as cron or systemd runs it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from newsspider.archive.lock import ArchiveLock
from tests.cassette_factory import SMALL_ARCHIVE
from tests.conftest import CASSETTES, ROOT, make_archive, run_scrapy, snapshot

# Its 503 asks to come back after 1 s; replayed, it answers 503 every time, so
# with many retries that article keeps the run busy while the others are done.
BUSY = CASSETTES / "test_refresh" / "test_forbidden_and_server_errors_never_change_the_archive.yaml"


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", SMALL_ARCHIVE)


def start_crawl(archive) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "scrapy", "crawl", "rfi"),
            *("-s", f"ARCHIVE_DIR={archive}", "-s", f"VCR_CASSETTE={BUSY}"),
            *("-s", "RFI_DISCOVERY=False", "-s", "RETRY_TIMES=60", "-s", "RFI_MAX_ERROR_RATE=1"),
            *("-s", "RFI_PROGRESS_INTERVAL=0.1"),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def wait_for(process: subprocess.Popen, text: str, seconds: float = 30) -> list[str]:
    """stderr lines up to the first that contains ``text``."""
    deadline = time.monotonic() + seconds
    lines = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break  # the run ended first
        lines.append(line)
        if text in line:
            return lines
    process.kill()
    pytest.fail(f"never saw {text!r}:\n" + "".join(lines[-20:]))


@pytest.mark.parametrize(("stop", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stop_signal_mid_run_exits_128_plus_the_signal_and_says_how_far_it_got(
    archive, stop, status
):
    before = snapshot(archive)
    run = start_crawl(archive)
    # three of the four due articles are done (unchanged, 403, 500); the 503 one is retrying
    seen = wait_for(run, "progress: due=4 checked=3")
    run.send_signal(stop)
    rest = run.communicate(timeout=30)[1]
    assert run.returncode == status
    log = [line.rstrip("\n") for line in seen + rest.splitlines(keepends=True)]
    assert "Traceback" not in "\n".join(log)
    assert log[-2].endswith("ERROR: run interrupted: checked 3 of 4 due")
    assert log[-1].endswith("ERROR: refresh: checked=3 unchanged=1 updated=0 new=0 gone=0 failed=2")

    [report] = (archive / "reports").glob("*.json")
    data = json.loads(report.read_text())
    assert (data["finish_reason"], data["verdict"]) == (
        "shutdown",
        "interrupted: checked 3 of 4 due",
    )
    assert report.with_suffix(".md").read_text().startswith("# interrupted: checked 3 of 4 due\n")
    assert snapshot(archive) == before  # nothing half-written
    assert not [p for p in archive.rglob(".tmp-*")]
    lock = ArchiveLock(archive)
    assert lock.acquire()  # released: the next run can start
    lock.release()


def test_a_run_refused_by_the_lock_exits_0_at_info_so_cron_stays_quiet(archive):
    holder = ArchiveLock(archive)
    assert holder.acquire()  # a run in progress
    try:
        quiet = run_scrapy("crawl", "rfi", "-s", f"ARCHIVE_DIR={archive}", "-L", "WARNING")
        told = run_scrapy("crawl", "rfi", "-s", f"ARCHIVE_DIR={archive}")
    finally:
        holder.release()
    assert (quiet.returncode, quiet.stderr) == (0, "")
    assert told.returncode == 0
    [refusal] = [line for line in told.stderr.splitlines() if "another refresh" in line]
    assert f"] INFO: another refresh of {archive} is running (pid {os.getpid()})" in refusal


def test_an_archive_that_is_a_file_exits_1_with_one_line(tmp_path):
    archive = tmp_path / "archive.txt"
    archive.write_text("not a folder\n")
    done = run_scrapy("crawl", "rfi", "-s", f"ARCHIVE_DIR={archive}", "-L", "WARNING")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        line for line in done.stderr.splitlines() if "] ERROR: " in line
    ]
    [line] = done.stderr.splitlines()
    assert line.endswith(f"ERROR: archive {archive} is not a folder: nothing refreshed")
    assert archive.read_text() == "not a folder\n"
