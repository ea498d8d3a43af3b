"""The traditional-Chinese edition /tw/: a second archive of the same format, from data."""

from __future__ import annotations

import pytest

from newsspider.archive import read_entry
from newsspider.archive.urls import is_rfi_article_url
from newsspider.rfi_sources import EDITIONS
from tests.cassette_factory import CASSETTES, TW, TW_ARCHIVE, TW_NEW, entry, in_edition
from tests.conftest import run_crawl


def replay(path):
    from vcr.cassette import Cassette
    from vcr.record_mode import RecordMode

    return Cassette.load(path=str(path), record_mode=RecordMode.NONE)


@pytest.fixture
def tw_archive(tmp_path):
    folder = tmp_path / "tw"
    folder.mkdir()
    for name in TW_ARCHIVE:
        (folder / name).write_bytes(in_edition(entry(name), TW).serialize())
    return folder


def test_a_tw_refresh_checks_its_articles_and_discovers_only_tw_ones(tw_archive):
    crawler = run_crawl(
        tw_archive,
        replay(CASSETTES / "test_editions" / "tw.yaml"),
        RFI_EDITION="tw",
        RFI_OLDEST_DAYS=36500,
        RFI_MAX_SITEMAPS=1,
    )
    stats = crawler.stats
    assert (stats.get_value("archive/unchanged"), stats.get_value("archive/new")) == (2, 1)
    assert stats.get_value("discovery/feeds") == len(TW.feeds)
    new = [read_entry(p) for p in tw_archive.glob("*.txt") if p.name not in TW_ARCHIVE]
    assert [e.url for e in new] == [in_edition(entry(TW_NEW), TW).url]
    assert new[0].serialize().startswith(b"<!--")  # the archive's own format


def test_an_edition_is_data_with_its_own_listings():
    cn, tw = EDITIONS["cn"], EDITIONS["tw"]
    assert cn.feeds[0] == "https://www.rfi.fr/cn/rss" and tw.feeds[0] == "https://www.rfi.fr/tw/rss"
    assert tw.sitemap_index == "https://www.rfi.fr/sitemaps/tw/index.xml"
    assert len(tw.listing_pages) == len(cn.listing_pages) == 11
    assert (tw.locale, tw.twitter) == ("zh_TW", "@RFI_TradCn")


def test_a_url_of_the_other_edition_is_not_an_article_of_this_one():
    cn_url = entry(TW_NEW).url
    tw_url = in_edition(entry(TW_NEW), TW).url
    assert is_rfi_article_url(cn_url, "/cn/") and not is_rfi_article_url(cn_url, TW.path)
    assert is_rfi_article_url(tw_url, TW.path) and not is_rfi_article_url(tw_url, "/cn/")
