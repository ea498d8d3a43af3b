"""Template drift is caught at run level: a part most pages lack fails the run.

Pages are composed from the real template and real entries and served by a
loopback www.rfi.fr (tests/live_site.py); "the template lost its lead" is the
composed page without its ``p.t-content__chapo``.
"""

from __future__ import annotations

import logging
import re

import pytest
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newsspider.archive import Entry, read_entry
from newsspider.archive.urls import canonical_url
from newsspider.drift import drifted_parts
from newsspider.verdict import exit_status, run_verdict
from tests.cassette_factory import rss
from tests.compose import ARCHIVE, FEED_FOOTER, SHARE_START, compose_page
from tests.conftest import make_archive, run_scrapy, snapshot
from tests.live_site import HTML, LiveSite, command_line, crawl, page, path, report

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

NAMES = [  # 2023 articles, each with a lead and a share block
    "seed_000_fa28d98bcef6ab2a.txt",
    "duty-machine-news_rfi_1000000.md",
    "duty-machine-news_rfi_1000001.md",
    "duty-machine-news_rfi_1000002.md",
    "duty-machine-news_rfi_1000004.md",
    "duty-machine-news_rfi_1000007.md",
    "duty-machine-news_rfi_1000011.md",
    "duty-machine-news_rfi_1001870.md",
    "duty-machine-news_rfi_999990.md",
    "duty-machine-news_rfi_999993.md",
]
ENTRIES = [read_entry(ARCHIVE / name) for name in NAMES]
NO_LEAD = "no lead (p.t-content__chapo)"
FEED = "https://www.rfi.fr/cn/rss"


def without_lead(entry: Entry):
    """A route answering with the article's page, its chapo gone (the template lost it)."""
    html = compose_page(entry)
    lost = re.sub(r'<p class="t-content__chapo">.*?</p>\s*', "", html, count=1, flags=re.S)
    assert lost != html
    return lambda n: (200, HTML, lost.encode())


def without_shares(entry: Entry):
    html = compose_page(entry)
    start = html.index('<div class="t-content__shares')
    lost = html[:start] + html[html.index('<div class="t-content__tags">') :]
    return lambda n: (200, HTML, lost.encode())


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", NAMES)


@pytest.fixture
def site():
    with LiveSite(ENTRIES) as server:
        yield server


def failures(archive) -> dict[str, str]:
    return report(archive)["failures"]


def test_a_template_without_its_lead_fails_the_run_and_leaves_every_entry(archive, site):
    before = snapshot(archive)
    lost = ENTRIES[:8]
    for entry in lost:
        site.routes[path(entry)] = without_lead(entry)
    done = run_scrapy("crawl", "rfi", *command_line(archive, site))
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    drift = f"template changed? 8 of 10 pages have {NO_LEAD}"
    warned = [line for line in done.stderr.splitlines() if "WARNING: template changed?" in line]
    assert len(warned) == 1 and warned[0].endswith(f"] WARNING: {drift}")
    log = done.stderr.rstrip("\n").splitlines()
    assert log[-2].endswith(f"ERROR: run failed: {drift}")
    [markdown] = (archive / "reports").glob("*.md")
    assert markdown.read_text(encoding="utf-8").splitlines()[0] == f"# failed: {drift}"
    assert report(archive)["verdict"] == f"failed: {drift}"
    assert failures(archive) == {canonical_url(e.url): f"suspect: {NO_LEAD}" for e in lost}
    assert snapshot(archive) == before

    # The template still lacks it on the next check: the same pages are not taken for edits.
    crawler = crawl(archive, site)
    assert exit_status(crawler.stats) == 1
    assert report(archive)["counts"]["failed"] == 8
    assert crawler.stats.get_value("suspect/accepted") is None
    assert snapshot(archive) == before


def test_one_page_without_the_lead_its_entry_has_is_suspect_and_not_drift(archive, site, caplog):
    caplog.set_level(logging.INFO)
    before = snapshot(archive)
    one = ENTRIES[3]
    site.routes[path(one)] = without_lead(one)
    crawler = crawl(archive, site)
    assert exit_status(crawler.stats) == 0
    assert "template changed?" not in caplog.text
    assert report(archive)["verdict"] == "ok"
    assert failures(archive) == {canonical_url(one.url): f"suspect: {NO_LEAD}"}
    assert snapshot(archive) == before
    assert crawler.stats.get_value("drift/missing/lead") == 1
    assert crawler.stats.get_value("drift/pages/lead") == 10

    crawl(archive, site)  # the same page again: RFI really dropped this article's lead
    assert report(archive)["counts"]["updated"] == 1
    assert "<p><strong>" not in read_entry(archive / NAMES[3]).html


def test_a_share_block_gone_from_unchanged_pages_is_drift_too(archive, site, caplog):
    before = snapshot(archive)
    for entry in ENTRIES[:6]:
        site.routes[path(entry)] = without_shares(entry)
    crawler = crawl(archive, site)
    drift = "template changed? 6 of 10 pages have no share block (div.t-content__shares)"
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warned if r.name.startswith("newsspider")] == [drift]
    assert exit_status(crawler.stats) == 1
    assert report(archive)["verdict"] == f"failed: {drift}"
    assert report(archive)["counts"]["unchanged"] == 10  # same words: nothing to write
    assert snapshot(archive) == before


COLUMNS = [  # 2023-2024 columns, each ending with its author block
    "duty-machine-news_rfi_1000005.md",
    "duty-machine-news_rfi_1000010.md",
    "duty-machine-news_rfi_1000019.md",
    "duty-machine-news_rfi_999992.md",
    "duty-machine-news_rfi_999995.md",
    "duty-machine-news_rfi_1005350.md",
]


def without_byline(entry: Entry):
    html = compose_page(entry)
    lost = re.sub(r'<div class="m-from-author">.*?</a>\s*</div>', "", html, count=1, flags=re.S)
    assert lost != html
    return lambda n: (200, HTML, lost.encode())


def test_columns_that_lost_their_byline_are_drift(tmp_path):
    archive = make_archive(tmp_path / "columns", COLUMNS)
    before = snapshot(archive)
    columns = [read_entry(ARCHIVE / name) for name in COLUMNS]
    with LiveSite(columns) as site:
        for column in columns:
            site.routes[path(column)] = without_byline(column)
        crawler = crawl(archive, site)
    drift = "template changed? 6 of 6 pages have no author block (.m-from-author)"
    assert report(archive)["verdict"] == f"failed: {drift}"
    assert exit_status(crawler.stats) == 1
    assert set(failures(archive).values()) == {
        "suspect: no author block (a column needs its .m-from-author byline)"
    }
    assert snapshot(archive) == before


WIRES = [  # AFP wire items: no lead, "© 2021 AFP" at the end of the body
    "duty-machine-news_rfi_1028840.md",
    "duty-machine-news_rfi_1030000.md",
    "duty-machine-news_rfi_1030580.md",
    "duty-machine-news_rfi_1034930.md",
    "duty-machine-news_rfi_1037540.md",
    "duty-machine-news_rfi_1038410.md",
]


def todays_wire_item(name: str) -> Entry:
    """A real wire item in today's template: its page has the share bar every page has."""
    wire = read_entry(ARCHIVE / name)
    shares = ENTRIES[0].html[ENTRIES[0].html.index(SHARE_START) :]
    html = FEED_FOOTER.sub("", wire.html) + shares
    return Entry(wire.timestamp, wire.title, canonical_url(wire.url), html)


def test_new_wire_items_without_a_lead_are_new_entries_not_drift(archive, site, caplog):
    caplog.set_level(logging.INFO)
    wires = [todays_wire_item(name) for name in WIRES]
    for wire in wires:
        site.routes[path(wire)] = page(wire)
    crawler = discover(archive, site, wires)
    assert "template changed?" not in caplog.text
    assert exit_status(crawler.stats) == 0
    assert report(archive)["counts"]["new"] == 6
    assert crawler.stats.get_value("drift/missing/lead") is None
    entries = [read_entry(p) for p in archive.iterdir() if p.suffix in (".txt", ".md")]
    written = {entry.url: entry.html for entry in entries}
    for wire in wires:
        assert "<p><strong>" not in written[wire.url] and "© 20" in written[wire.url]


def discover(archive, site, listed: list[Entry]):
    """A run that finds ``listed`` in RFI's feed, as new articles."""
    feed = rss(listed)
    site.routes["/cn/rss"] = lambda n: (200, {"Content-Type": "application/rss+xml"}, feed)
    return crawl(
        archive,
        site,
        RFI_DISCOVERY=True,
        RFI_FEEDS=[FEED],
        RFI_SITEMAPS=[],
        RFI_SECTIONS=[],
        RFI_OLDEST_DAYS=100_000,  # the wire items are from 2020-2021
    )


def test_a_new_page_without_the_share_block_every_page_has_is_suspect(archive, site):
    before = snapshot(archive)
    new = todays_wire_item(WIRES[0])
    site.routes[path(new)] = without_shares(new)
    discover(archive, site, [new])
    assert failures(archive) == {new.url: "suspect: no share block (div.t-content__shares)"}
    assert snapshot(archive) == before


@pytest.fixture
def settings():
    settings = Settings()
    settings.setmodule("newsspider.settings")
    return settings


def stats_of(**values) -> MemoryStatsCollector:
    stats = MemoryStatsCollector(get_crawler())
    for key, value in values.items():
        stats.set_value(key.replace("__", "/"), value)
    return stats


@pytest.mark.parametrize(
    ("missing", "pages", "drift"),
    [(4, 4, False), (5, 10, False), (6, 10, True), (5, 5, True), (37, 40, True)],
    ids=["too-few-pages", "half", "over-half", "all-five", "37-of-40"],
)
def test_drift_needs_more_than_the_share_and_at_least_the_minimum(settings, missing, pages, drift):
    stats = stats_of(drift__missing__lead=missing, drift__pages__lead=pages)
    found = [str(d) for d in drifted_parts(stats, settings)]
    assert found == ([f"{missing} of {pages} pages have {NO_LEAD}"] if drift else [])


def test_the_bounds_are_settings(settings):
    stats = stats_of(drift__missing__image=3, drift__pages__image=10)
    assert drifted_parts(stats, settings) == []
    settings.set("RFI_DRIFT_MAX_SHARE", 0.2)
    settings.set("RFI_DRIFT_MIN_PAGES", 3)
    assert [d.part for d in drifted_parts(stats, settings)] == ["image"]


def test_drift_is_the_verdict_before_the_error_rate(settings):
    stats = stats_of(drift__missing__lead=37, drift__pages__lead=40, drift__missing__share=40)
    stats.set_value("drift/pages/share", 40)
    counts = {"checked": 40, "unchanged": 3, "failed": 37}
    verdict = run_verdict(stats, settings, counts)
    assert str(verdict) == (
        f"failed: template changed? 37 of 40 pages have {NO_LEAD}, "
        "40 of 40 pages have no share block (div.t-content__shares)"
    )
