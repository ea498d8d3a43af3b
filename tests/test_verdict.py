"""The run verdict and the exit status, decided from the crawl's stats."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newsspider.verdict import SIGNAL, Verdict, exit_status, record, recorded, run_verdict


def counts(checked=0, failed=0):
    return {"checked": checked, "unchanged": checked - failed, "failed": failed}


@pytest.fixture
def stats():
    return MemoryStatsCollector(get_crawler())


@pytest.fixture
def settings():
    settings = Settings()
    settings.setmodule("newsspider.settings")
    settings.set("ARCHIVE_DIR", "/srv/archive")
    return settings


def test_a_complete_run_has_no_verdict_and_exits_0(stats, settings):
    stats.set_value("downloader/request_count", 5)
    stats.set_value("downloader/response_count", 5)
    assert run_verdict(stats, settings, counts(checked=4, failed=2)) is None  # 50% is allowed
    assert exit_status(stats) == 0


def test_any_failed_write_fails_the_run_naming_the_archive_and_the_errno(stats, settings):
    stats.set_value("archive/write_errors", 2)
    stats.set_value("archive/write_error", "ENOSPC")
    verdict = run_verdict(stats, settings, counts(checked=40))
    assert verdict.line == "run failed: 2 writes failed in /srv/archive: ENOSPC"
    record(stats, verdict)
    assert exit_status(stats) == 1


def test_one_failed_write_is_enough(stats, settings):
    stats.set_value("archive/write_errors", 1)
    stats.set_value("archive/write_error", "EROFS")
    verdict = run_verdict(stats, settings, counts(checked=400))
    assert verdict.line == "run failed: 1 write failed in /srv/archive: EROFS"


@pytest.mark.parametrize(("name", "status"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_stop_signal_interrupts_the_run_and_outranks_failures(stats, settings, name, status):
    stats.set_value("refresh/due", 10)
    stats.set_value("discovery/new", 3)  # listed articles sent for count as due too
    stats.set_value("archive/write_errors", 1)
    stats.set_value(SIGNAL, name)  # as the crawl command sets it
    verdict = run_verdict(stats, settings, counts(checked=4, failed=4))
    assert verdict == Verdict("interrupted", "checked 4 of 13 due")
    assert verdict.line == "run interrupted: checked 4 of 13 due"
    record(stats, verdict)
    assert recorded(stats) == verdict
    assert exit_status(stats) == status


def test_nothing_fetched_and_too_many_failures_fail_the_run(stats, settings):
    stats.set_value("downloader/request_count", 3)
    assert run_verdict(stats, settings, counts(checked=3, failed=3)).line == (
        "run failed: nothing fetched"
    )
    stats.set_value("downloader/response_count", 1)
    assert run_verdict(stats, settings, counts(checked=3, failed=2)).line == (
        "run failed: 2 of 3 articles failed"
    )


def test_a_run_that_could_not_start_exits_1_and_a_lock_refusal_exits_0(stats):
    stats.set_value("refresh/refused", "locked")
    assert exit_status(stats) == 0
    stats.set_value("refresh/run_failed", "archive missing")  # as RunLock sets it
    assert exit_status(stats) == 1
