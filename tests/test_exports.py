"""Feed exports: one item shape for every outcome, so -O out.csv and -O out.jsonl just work."""

from __future__ import annotations

import csv
import json

import pytest

from newsspider.archive import read_entry
from newsspider.archive.urls import canonical_url
from newsspider.items import FIELDS
from tests.cassette_factory import SMALL_ARCHIVE, rss
from tests.compose import ARCHIVE
from tests.conftest import make_archive, run_scrapy
from tests.live_site import HTML, LiveSite, changed, command_line, page, path

UNCHANGED, UPDATED, GONE, FAILED = (read_entry(ARCHIVE / name) for name in SMALL_ARCHIVE)
NEW = read_entry(ARCHIVE / "duty-machine-news_rfi_999998.md")
FEED = "https://www.rfi.fr/cn/rss"


@pytest.fixture
def site():
    """One article of each outcome: unchanged, updated, gone, failed, and a new one listed."""
    with LiveSite([UNCHANGED, NEW]) as server:
        server.routes[path(UPDATED)] = page(changed(UPDATED))
        server.routes[path(GONE)] = lambda n: (410, HTML, b"")
        server.routes[path(FAILED)] = lambda n: (403, HTML, b"")
        server.routes["/cn/rss"] = lambda n: (
            200,
            {"Content-Type": "application/rss+xml"},
            rss([NEW]),
        )
        yield server


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_every_outcome_exports_with_the_same_fields_and_no_warning(tmp_path, site, suffix):
    archive = make_archive(tmp_path / "archive", SMALL_ARCHIVE)
    out = tmp_path / f"out.{suffix}"
    listings = {"RFI_DISCOVERY": True, "RFI_FEEDS": FEED, "RFI_SITEMAPS": "", "RFI_SECTIONS": ""}
    options = command_line(archive, site, RFI_OLDEST_DAYS=36500, **listings)
    done = run_scrapy("crawl", "rfi", "-O", str(out), *options)
    assert done.returncode == 0, done.stderr[-3000:]
    warnings = [line for line in done.stderr.splitlines() if "] WARNING:" in line]
    assert [w for w in warnings if "gone:" not in w] == []  # the 410 is the one warning
    assert "Traceback" not in done.stderr

    if suffix == "csv":
        with out.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            assert tuple(reader.fieldnames) == FIELDS
            rows = list(reader)
        empty = ""
    else:
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert all(tuple(row) == FIELDS for row in rows)
        empty = None
    by_outcome = {row["outcome"]: row for row in rows}
    assert sorted(by_outcome) == ["failed", "gone", "new", "unchanged", "updated"]
    assert len(rows) == 5
    for outcome, entry in (
        ("unchanged", UNCHANGED),
        ("updated", UPDATED),
        ("gone", GONE),
        ("failed", FAILED),
        ("new", NEW),
    ):
        assert by_outcome[outcome]["url"] == canonical_url(entry.url)
    assert by_outcome["failed"]["reason"] == "HTTP 403"
    assert by_outcome["unchanged"]["reason"] == empty
    assert by_outcome["updated"]["html"] == changed(UPDATED).html
    assert by_outcome["new"]["entry"].endswith(".txt")
    assert str(by_outcome["gone"]["status"]) == "410"
    assert by_outcome["gone"]["entry"] == SMALL_ARCHIVE[2]
