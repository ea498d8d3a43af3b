"""Every article a run starts is accounted for exactly once, with a one-line reason.

Articles are answered by a loopback www.rfi.fr (tests/live_site.py): redirect
loops, redirects off the site or to file:, empty and broken answers, write
errors, a pipeline with a bug. Each run must end with ``checked`` equal to
the articles it started, the reason a person can read, the archive byte for
byte as it was, and no traceback.
"""

from __future__ import annotations

import errno
import logging
import sqlite3

import pytest

from newsspider.archive import read_entry
from newsspider.archive.state import CrawlState
from newsspider.archive.urls import canonical_url
from newsspider.archive.writer import ArchiveWriteError, ArchiveWriter
from tests.compose import ARCHIVE
from tests.conftest import make_archive, run_scrapy, snapshot
from tests.live_site import (
    HTML,
    LiveSite,
    changed,
    command_line,
    crawl,
    page,
    path,
    redirect,
    report,
)
from tests.loopback import Raw

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

NAMES = [
    "seed_000_fa28d98bcef6ab2a.txt",
    "duty-machine-news_rfi_1000000.md",
    "duty-machine-news_rfi_1000001.md",
    "duty-machine-news_rfi_1000002.md",
    "duty-machine-news_rfi_1000004.md",
    "duty-machine-news_rfi_1000007.md",
    "duty-machine-news_rfi_1000011.md",
    "duty-machine-news_rfi_1000013.md",
    "duty-machine-news_rfi_1000014.md",
    "duty-machine-news_rfi_999998.md",
]
ENTRIES = [read_entry(ARCHIVE / name) for name in NAMES]
LOOP, SELF, OFFSITE, FILE, EMPTY, HOME, NOT_HTTP, CLOSED, CUT, WHOLE = ENTRIES
PAGE_OF_CUT = b"<!DOCTYPE html>\n<html><body><article>" + "一".encode() * 300
CUT_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 90000\r\n\r\n"
    + PAGE_OF_CUT
)


def url(entry) -> str:
    return canonical_url(entry.url)


def spoil(site: LiveSite) -> None:
    """Every way an article's request can end without a page of it."""
    site.routes[path(LOOP)] = redirect("/cn/loop-elsewhere")
    site.routes["/cn/loop-elsewhere"] = redirect(url(LOOP))
    site.routes[path(SELF)] = redirect(url(SELF), status=302)
    site.routes[path(OFFSITE)] = redirect("https://elsewhere.example/cn/page")
    site.routes[path(FILE)] = redirect("file:///etc/passwd", status=302)
    site.routes[path(EMPTY)] = lambda n: (200, HTML, b"")
    site.routes[path(HOME)] = redirect("/cn/")
    site.routes["/cn/"] = lambda n: (200, HTML, b"<html><body>RFI</body></html>")
    site.routes[path(NOT_HTTP)] = lambda n: Raw(b"SSH-2.0-OpenSSH_9.6\r\n")
    site.routes[path(CLOSED)] = lambda n: Raw(b"")
    site.routes[path(CUT)] = lambda n: Raw(CUT_ANSWER)


EXPECTED = {
    LOOP: "redirect loop through https://www.rfi.fr/cn/loop-elsewhere",
    SELF: "redirects to itself",
    OFFSITE: "redirected off the site, to https://elsewhere.example/cn/page",
    FILE: "redirected to file:///etc/passwd",
    HOME: "redirected away from the article, to https://www.rfi.fr/cn/",
    NOT_HTTP: "answer is not HTTP",
    CLOSED: "connection closed before any answer",
    CUT: "answer cut short: the connection closed before the whole page arrived",
}


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", NAMES)


@pytest.fixture
def site():
    with LiveSite(ENTRIES) as server:
        yield server


@pytest.fixture(autouse=True)
def logs(caplog):
    caplog.set_level(logging.INFO)
    yield caplog
    assert "Traceback" not in caplog.text


def test_every_started_article_ends_once_with_its_reason(archive, site, logs):
    before = snapshot(archive)
    spoil(site)
    crawler = crawl(archive, site)
    assert snapshot(archive) == before
    data = report(archive)
    assert data["counts"] == {
        "checked": 10,
        "unchanged": 1,
        "updated": 0,
        "new": 0,
        "gone": 0,
        "failed": 9,
    }
    assert crawler.stats.get_value("refresh/started") == 10
    failures = data["failures"]
    assert {entry: failures[url(entry)] for entry in EXPECTED} == EXPECTED
    assert "empty" in failures[url(EMPTY)].lower()
    error_lines = [r.getMessage() for r in logs.records if r.getMessage().startswith("failed ")]
    assert sorted(error_lines) == sorted(f"failed {u}: {r}" for u, r in failures.items())
    with CrawlState.open(archive) as state:  # failures are not checks: all still due
        assert set(state.all()) == {url(WHOLE)}
    # a loop costs one request per URL in it, and nothing outside www.rfi.fr is asked for
    assert (site.hits[path(LOOP)], site.hits["/cn/loop-elsewhere"], site.hits[path(SELF)]) == (
        1,
        1,
        1,
    )
    assert not crawler.stats.get_value("offsite/filtered")  # refused before it was followed


def test_requests_lost_without_an_answer_still_end_as_failed_articles(archive, site):
    """The ledger's safety net: with the redirect guard off, the off-site filter and the
    dupefilter swallow requests silently; their articles still fail, with the reason."""
    before = snapshot(archive)
    spoil(site)
    guard_off = {"newsspider.middlewares.redirects.ArticleRedirectGuard": None}
    crawler = crawl(archive, site, DOWNLOADER_MIDDLEWARES=guard_off)
    assert snapshot(archive) == before
    data = report(archive)
    assert data["counts"]["checked"] == 10 and data["counts"]["failed"] == 9
    lost = (LOOP, SELF, OFFSITE)
    assert {e: data["failures"][url(e)] for e in lost} == {e: EXPECTED[e] for e in lost}
    assert crawler.stats.get_value("refresh/lost") == 3
    assert crawler.stats.get_value("offsite/filtered") == 1


@pytest.mark.parametrize(
    "write_error",
    [
        ArchiveWriteError("archive/x.txt", "No space left on device", "ENOSPC"),
        OSError(errno.ENOSPC, "No space left on device", "archive/.tmp-x"),
    ],
    ids=["ArchiveWriteError", "OSError"],
)
def test_a_failed_write_fails_the_article_and_keeps_its_entry(
    archive, site, monkeypatch, write_error
):
    before = snapshot(archive)
    site.routes[path(WHOLE)] = page(changed(WHOLE))

    def disk_full(*args, **kwargs):
        raise write_error

    monkeypatch.setattr(ArchiveWriter, "revise", disk_full)
    crawler = crawl(archive, site)
    assert snapshot(archive) == before
    data = report(archive)
    assert data["counts"]["failed"] == 1 and data["counts"]["checked"] == 10
    assert "No space left on device" in data["failures"][url(WHOLE)]
    assert data["failures"][url(WHOLE)].endswith("(ENOSPC)")
    assert crawler.stats.get_value("archive/write_errors") == 1
    assert crawler.stats.get_value("archive/write_error") == "ENOSPC"


def test_an_update_written_before_the_state_failed_is_still_reported(archive, site, monkeypatch):
    site.routes[path(WHOLE)] = page(changed(WHOLE))
    original = CrawlState.record_check

    def state_full(self, url_, *args, **kwargs):
        if url_ == url(WHOLE):
            raise sqlite3.OperationalError("database or disk is full")
        return original(self, url_, *args, **kwargs)

    monkeypatch.setattr(CrawlState, "record_check", state_full)
    crawler = crawl(archive, site)
    data = report(archive)
    assert data["urls"]["updated"] == [url(WHOLE)]  # the entry was written: it says so
    assert read_entry(archive / NAMES[-1]).html == changed(WHOLE).html
    assert crawler.stats.get_value("archive/write_errors") == 1
    assert "database or disk is full" in crawler.stats.get_value("archive/write_error")


def test_a_pipeline_that_raises_fails_its_article_and_nothing_else(archive, site):
    before = snapshot(archive)
    pipelines = {
        "newsspider.pipelines.validate.ValidateArticlePipeline": 100,
        "tests.faulty.RaisingPipeline": 200,
        "newsspider.pipelines.suspect.SuspectPagePipeline": 300,
        "newsspider.pipelines.archive.ArchiveDedupePipeline": 500,
    }
    site.routes[path(WHOLE)] = page(changed(WHOLE))
    crawl(archive, site, ITEM_PIPELINES=pipelines, FAULTY_URL=url(WHOLE))
    assert snapshot(archive) == before  # its edit was not written
    data = report(archive)
    assert data["counts"]["checked"] == 10 and data["counts"]["unchanged"] == 9
    assert data["failures"] == {url(WHOLE): "pipeline RaisingPipeline raised KeyError: 'boom'"}


def test_a_pipeline_that_raises_after_the_archive_keeps_the_outcome(archive, site):
    pipelines = {
        "newsspider.pipelines.archive.ArchiveDedupePipeline": 500,
        "tests.faulty.RaisingPipeline": 600,
    }
    site.routes[path(WHOLE)] = page(changed(WHOLE))
    crawl(archive, site, ITEM_PIPELINES=pipelines, FAULTY_URL=url(WHOLE))
    data = report(archive)
    assert data["urls"]["updated"] == [url(WHOLE)]  # written, and reported as written
    assert data["counts"]["checked"] == 10 and data["counts"]["failed"] == 0


def test_broken_answers_have_the_same_reasons_with_twisteds_http_client(archive, site):
    """``scrapy crawl`` runs on Twisted's HTTP client, the tests above on aiohttp."""
    spoil(site)
    before = snapshot(archive)
    done = run_scrapy("crawl", "rfi", *command_line(archive, site))
    assert "Traceback" not in done.stderr
    assert snapshot(archive) == before
    assert done.returncode == 1  # 9 of 10 failed: over RFI_MAX_ERROR_RATE
    last = done.stderr.rstrip().splitlines()[-1]
    assert last.endswith("refresh: checked=10 unchanged=1 updated=0 new=0 gone=0 failed=9")
    failures = report(archive)["failures"]
    assert {entry: failures[url(entry)] for entry in EXPECTED} == EXPECTED


def test_unreadable_entry_files_are_named_once_and_a_new_article_never_overwrites_one(
    archive, site, logs
):
    from newsspider.archive.writer import entry_file_name
    from tests.cassette_factory import rss

    new = read_entry(ARCHIVE / "duty-machine-news_rfi_1000005.md")
    squatter = archive / entry_file_name(new.url)
    squatter.write_bytes(b"<!--17000000")  # a write cut short, at the new entry's name
    before = snapshot(archive)
    site.routes[path(new)] = page(new)
    site.routes["/cn/rss"] = lambda n: (200, {"Content-Type": "application/rss+xml"}, rss([new]))
    listings = {"RFI_DISCOVERY": True, "RFI_FEEDS": "https://www.rfi.fr/cn/rss"}
    crawler = crawl(
        archive, site, RFI_SITEMAPS=[], RFI_SECTIONS=[], RFI_OLDEST_DAYS=36500, **listings
    )
    assert snapshot(archive) == before
    warnings = [r.getMessage() for r in logs.records if squatter.name in r.getMessage()]
    assert len([w for w in warnings if w.startswith("entry file ")]) == 1
    [(name, reason)] = crawler.stats.get_value("archive/unreadable_entries")
    assert name == squatter.name and "missing final newline" in reason
    data = report(archive)
    assert data["counts"]["checked"] == 11 and data["counts"]["failed"] == 1
    assert squatter.name in data["failures"][url(new)]
