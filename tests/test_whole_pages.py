"""Only a whole page of this very article replaces its entry.

Each test serves real entries' pages from a loopback www.rfi.fr, spoils one,
and checks what a user sees: the closing counts, the reason in the report,
the archive byte for byte, and no traceback.
"""

from __future__ import annotations

import logging

import pytest

from newsspider.archive import Entry, read_entry
from newsspider.archive.state import CrawlState
from newsspider.archive.urls import canonical_url
from newsspider.items import article_item
from newsspider.pipelines.suspect import suspect
from tests.cassette_factory import SMALL_ARCHIVE, edited
from tests.compose import ARCHIVE
from tests.conftest import make_archive, snapshot
from tests.live_site import (
    LiveSite,
    crawl,
    cut_after_paragraphs,
    page,
    path,
    report,
    without_share_block,
)

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

SEED, SECOND, EMPTY_LEAD, COLUMN = (read_entry(ARCHIVE / name) for name in SMALL_ARCHIVE)
ENTRIES = [SEED, SECOND, EMPTY_LEAD, COLUMN]


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", SMALL_ARCHIVE)


@pytest.fixture
def site():
    with LiveSite(ENTRIES) as server:
        yield server


@pytest.fixture(autouse=True)
def logs(caplog):
    caplog.set_level(logging.INFO)
    yield caplog
    assert "Traceback" not in caplog.text


def counts(archive) -> dict:
    return report(archive)["counts"]


def failure(archive, entry) -> str:
    return report(archive)["failures"][canonical_url(entry.url)]


def test_a_page_cut_after_two_paragraphs_is_suspect_and_leaves_the_entry(archive, site):
    before = snapshot(archive)
    site.routes[path(SEED)] = page(cut_after_paragraphs(SEED, 2))
    crawler = crawl(archive, site)
    assert snapshot(archive) == before
    assert counts(archive) == {
        "checked": 4,
        "unchanged": 3,
        "updated": 0,
        "new": 0,
        "gone": 0,
        "failed": 1,
    }
    assert crawler.stats.get_value("refresh/started") == 4
    assert failure(archive, SEED) == "suspect: body 392 of 1,194 characters"


def test_another_articles_page_at_this_url_is_suspect(archive, site):
    before = snapshot(archive)
    site.routes[path(SEED)] = page(SECOND)  # its canonical link and og:url name SECOND
    crawl(archive, site)
    assert snapshot(archive) == before
    assert counts(archive)["failed"] == 1
    assert failure(archive, SEED) == f"suspect: page is {SECOND.url}"


def test_a_changed_page_without_its_share_block_is_suspect(archive, site):
    before = snapshot(archive)
    site.routes[path(SEED)] = page(without_share_block(edited(SEED)))
    crawl(archive, site)
    assert snapshot(archive) == before
    assert failure(archive, SEED) == "suspect: no share block (div.t-content__shares)"


def test_an_unchanged_page_without_its_share_block_writes_nothing(archive, site):
    before = snapshot(archive)
    site.routes[path(SEED)] = page(without_share_block(SEED))  # same words: nothing to write
    crawl(archive, site)
    assert snapshot(archive) == before
    assert counts(archive)["unchanged"] == 4


def test_a_changed_column_without_its_author_block_is_suspect(archive, site):
    before = snapshot(archive)
    author_at = COLUMN.html.index("<div><div><div><div><span>作者：")
    changed = COLUMN.html[:author_at].replace("以色列", "以国", 1)
    assert changed != COLUMN.html[:author_at]
    site.routes[path(COLUMN)] = page(Entry(COLUMN.timestamp, COLUMN.title, COLUMN.url, changed))
    crawl(archive, site)
    assert snapshot(archive) == before
    assert failure(archive, COLUMN).startswith("suspect: no author block")


def test_the_same_suspect_page_on_the_next_check_is_accepted(archive, site, logs):
    cut = cut_after_paragraphs(SEED, 2)
    original = (archive / SMALL_ARCHIVE[0]).read_bytes()
    site.routes[path(SEED)] = page(cut)
    crawl(archive, site)
    assert counts(archive)["failed"] == 1

    crawl(archive, site)  # RFI really cut it: the same page again
    assert counts(archive) == {
        "checked": 4,
        "unchanged": 3,
        "updated": 1,
        "new": 0,
        "gone": 0,
        "failed": 0,
    }
    current = read_entry(archive / SMALL_ARCHIVE[0])
    assert (current.title, current.html) == (cut.title, cut.html)
    [history] = (archive / "history").rglob("*.txt")
    assert history.read_bytes() == original
    accepted = [r.getMessage() for r in logs.records if "accepted after two checks" in r.message]
    assert accepted == [
        f"accepted after two checks: {canonical_url(SEED.url)} (body 392 of 1,194 characters)"
    ]
    with CrawlState.open(archive) as state:
        assert state.suspects() == {}


def test_a_different_suspect_page_starts_the_count_again(archive, site):
    before = snapshot(archive)
    site.routes[path(SEED)] = page(cut_after_paragraphs(SEED, 2))
    crawl(archive, site)
    site.routes[path(SEED)] = page(cut_after_paragraphs(SEED, 1))
    crawl(archive, site)
    assert snapshot(archive) == before  # two different cut pages: neither is accepted
    assert failure(archive, SEED).startswith("suspect: body ")
    site.routes[path(SEED)] = page(SEED)  # whole again: nothing waits any more
    crawl(archive, site)
    assert counts(archive)["unchanged"] == 4
    with CrawlState.open(archive) as state:
        assert state.suspects() == {}


def test_a_real_edit_is_not_suspect(archive, site):
    site.routes[path(SEED)] = page(edited(SEED))
    crawl(archive, site)
    assert counts(archive)["updated"] == 1
    assert read_entry(archive / SMALL_ARCHIVE[0]).html == edited(SEED).html


def test_the_shrink_bound_is_a_setting(archive, site):
    site.routes[path(SEED)] = page(cut_after_paragraphs(SEED, 2))
    crawl(archive, site, RFI_SUSPECT_SHRINK=0.2)  # 392 of 1,194 is over a fifth
    assert counts(archive)["updated"] == 1


def test_a_page_without_a_date_line_is_suspect():
    dateless = SEED.html.replace("<div>13/10/2023 - 21:02</div>", "", 1)
    item = article_item(SEED.url, title=SEED.title, html=dateless)
    assert (
        suspect(item, archived=None, shrink=0.5)
        == "no date line (.t-content__dates time[datetime])"
    )
    assert suspect(article_item(SEED.url, title=SEED.title, html=SEED.html), None, 0.5) is None
