"""changes.atom and site/: built from the archive, valid, escaped, published after a crawl."""

from __future__ import annotations

import logging

import feedparser
import lxml.html
import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newsspider.archive.changes import archive_changes
from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.lock import ArchiveLock
from newsspider.archive.writer import ArchiveWriter
from newsspider.extensions import publish as publish_extension
from newsspider.extensions.publish import PublishChanges
from newsspider.publish.site import publish
from tests.cassette_factory import SMALL_ARCHIVE
from tests.changes_archive import GONE, NEW, SEED, build_changes_archive
from tests.conftest import CASSETTES, make_archive, run_crawl, run_scrapy

PAGES = {f"site/articles/{n.rsplit('.', 1)[0]}.html" for n in (SEED, NEW, GONE)}


@pytest.fixture
def archive(tmp_path):
    return build_changes_archive(tmp_path / "archive")


@pytest.fixture(scope="module")
def vcr_cassette_dir():
    return str(CASSETTES / "test_refresh")  # the refresh tests' real edit and no-change runs


def published_files(archive) -> set[str]:
    return {
        str(p.relative_to(archive))
        for p in [archive / "changes.atom", *archive.glob("site/**/*")]
        if p.is_file()
    }


def test_the_feed_validates_and_has_one_entry_per_change(archive):
    result = publish(str(archive), entries=50)
    assert (result.changes, result.pages, result.problems) == (5, 3, [])
    feed = feedparser.parse(archive / "changes.atom")
    assert (feed.bozo, feed.version) == (0, "atom10")
    log = archive_changes(str(archive)).changes
    assert [e.title for e in feed.entries] == [f"{c.kind}: {c.title}" for c in log]
    assert [e.link for e in feed.entries] == [c.url for c in log]
    assert [e.updated_parsed[:6] for e in feed.entries][2] == (2023, 10, 13, 20, 15, 1)
    assert [e.tags[0].term for e in feed.entries] == ["new", "gone", "updated", "new", "new"]
    assert len({e.id for e in feed.entries}) == 5
    assert all(e.id.startswith("tag:www.rfi.fr,2020:/cn/") for e in feed.entries)
    edit = feed.entries[2]
    assert edit.summary == (
        "lead edited: “上个” → “九”; paragraph 1 edited: “周五” → “13日”; "
        "paragraph 3 edited: “材料” → “物资”"
    )
    assert feed.entries[1].summary.startswith("the page answered 404 Not Found since 2023-10-13")
    related = [link.href for e in feed.entries for link in e.links if link.rel == "related"]
    assert {r for r in related} == PAGES
    assert published_files(archive) == {"changes.atom", "site/index.html", *PAGES}


def test_ids_are_stable_and_an_unchanged_archive_rewrites_nothing(archive):
    publish(str(archive), entries=50)
    before = {p: (archive / p).read_bytes() for p in published_files(archive)}
    again = publish(str(archive), entries=50)
    assert (again.written, again.removed) == ([], [])
    assert {p: (archive / p).read_bytes() for p in published_files(archive)} == before


def test_the_last_n_changes_are_published_and_older_pages_removed(archive):
    publish(str(archive), entries=50)
    result = publish(str(archive), entries=2)
    feed = feedparser.parse(archive / "changes.atom")
    assert [e.tags[0].term for e in feed.entries] == ["new", "gone"]
    assert result.removed == [f"site/articles/{SEED.removesuffix('.txt')}.html"]
    index = lxml.html.parse(str(archive / "site" / "index.html")).getroot()
    assert len(index.cssselect("ol.changes > li")) == 2


def test_article_text_is_data_never_markup_of_the_page(tmp_path):
    archive = make_archive(tmp_path / "a", [SEED])
    entry = read_entry(archive / SEED)
    hostile = '<script>alert("t")</script> & “引号”'
    html = entry.html.replace("上个月", "&lt;img src=x onerror=alert(1)&gt;上个月", 1)
    with ArchiveIndex.open(archive) as index:
        ArchiveWriter(index).revise(SEED, Entry(entry.timestamp + 1, hostile, entry.url, html))
    publish(str(archive), entries=10)
    page_path = archive / "site" / "articles" / f"{SEED.removesuffix('.txt')}.html"
    for path in (page_path, archive / "site" / "index.html"):
        page = lxml.html.parse(str(path)).getroot()
        assert page.xpath("//script | //img | //*[@onerror]") == []
        assert hostile in page.text_content()
    page = lxml.html.parse(str(page_path)).getroot()
    assert "<img src=x onerror=alert(1)>" in page.xpath(
        "//div[contains(@class, 'lead')]/ins/text()"
    )
    feed = feedparser.parse(archive / "changes.atom")
    assert (feed.bozo, feed.entries[0].title) == (0, f"updated: {hostile}")


# --- after a crawl ------------------------------------------------------------------


@pytest.fixture
def small_archive(tmp_path):
    return make_archive(tmp_path / "archive", SMALL_ARCHIVE)


@pytest.mark.vcr("test_edited_page_adds_exactly_one_revision.yaml")
def test_a_crawl_that_edits_publishes_under_the_run_lock(small_archive, vcr, monkeypatch):
    lock_was_free = []

    def publish_and_probe(root, entries):
        probe = ArchiveLock(root)
        lock_was_free.append(probe.acquire())
        probe.release()
        return publish(root, entries)

    monkeypatch.setattr(publish_extension, "publish", publish_and_probe)
    crawler = run_crawl(small_archive, vcr, RFI_DISCOVERY=False, ARCHIVE_FEED_ENTRIES=3)
    assert lock_was_free == [False]  # the crawl still held the archive
    feed = feedparser.parse(small_archive / "changes.atom")
    assert feed.bozo == 0
    updated = [e for e in feed.entries if e.tags[0].term == "updated"]
    assert [e.link for e in updated] == [read_entry(small_archive / SEED).url]
    assert len(feed.entries) == 3
    assert (small_archive / "site" / "articles" / f"{SEED.removesuffix('.txt')}.html").is_file()
    assert crawler.stats.get_value("publish/written") == len(published_files(small_archive))


@pytest.mark.vcr("test_nothing_changed_writes_nothing.yaml")
def test_a_crawl_that_changes_nothing_publishes_nothing(small_archive, vcr):
    run_crawl(small_archive, vcr, RFI_DISCOVERY=False)
    assert published_files(small_archive) == set()


@pytest.mark.vcr("test_edited_page_adds_exactly_one_revision.yaml")
def test_publishing_can_be_turned_off(small_archive, vcr):
    run_crawl(small_archive, vcr, RFI_DISCOVERY=False, ARCHIVE_PUBLISH=False)
    assert len(list((small_archive / "history").rglob("*.txt"))) == 1
    assert published_files(small_archive) == set()


def test_a_bad_feed_size_is_one_error_naming_the_setting(caplog):
    caplog.set_level(logging.ERROR)
    with pytest.raises(NotConfigured):
        PublishChanges.from_crawler(
            get_crawler(
                settings_dict={
                    "REFRESH_ENABLED": True,
                    "ARCHIVE_PUBLISH": True,
                    "ARCHIVE_FEED_ENTRIES": "ten",
                }
            )
        )
    assert [r.getMessage() for r in caplog.records] == [
        "ARCHIVE_FEED_ENTRIES must be a whole number of at least 1, not 'ten': "
        "changes are not published"
    ]


# --- by hand ------------------------------------------------------------------------


def test_archive_publish_by_hand(archive):
    done = run_scrapy("archive", "publish", "--archive", str(archive))
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"published the last 5 changes to {archive}/changes.atom and {archive}/site/ "
        "(3 article pages): 5 files written, 0 removed\n"
    )
    lock = ArchiveLock(archive)
    assert lock.acquire()
    try:
        busy = run_scrapy("archive", "publish", "--archive", str(archive))
    finally:
        lock.release()
    assert busy.returncode == 2
    assert busy.stderr.startswith(f"archive publish: {archive}: a refresh is running (pid ")
