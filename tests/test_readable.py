"""The visible text of entries (title, lead, paragraphs), on real samples of every era."""

from __future__ import annotations

import re

import pytest

from newsspider.archive.entry import read_entry
from newsspider.archive.fingerprint import visible_text
from newsspider.archive.readable import article_text, format_paris, format_times
from tests.conftest import SHARED_ARCHIVE

ALL_SAMPLES = sorted(p for p in SHARED_ARCHIVE.iterdir() if p.suffix in (".md", ".txt"))
CHROME = ("分享 :", "举报广告", "继续浏览后续", "获取更多RSS", "feedx", "作者：")


def chrome(paragraphs) -> list[str]:
    """Paragraphs that are page furniture, not the article ("广告" alone is the ad label)."""
    return [p for p in paragraphs if p == "广告" or any(c in p for c in CHROME)]


def text_of(name: str):
    return article_text(read_entry(SHARED_ARCHIVE / name))


def test_the_seed_reads_as_title_lead_and_paragraphs():
    text = text_of("seed_000_fa28d98bcef6ab2a.txt")
    assert text.title == "白宫：朝鲜已向俄罗斯提供逾1千个集装箱的装备和弹药"
    assert text.published == "13/10/2023 - 21:02"
    assert text.lead.startswith("10月13日，美国白宫表示，")
    assert text.lead.endswith("弹药储备。")  # the lead's eight trailing spaces are layout
    assert len(text.paragraphs) == 8
    assert text.paragraphs[0].startswith(
        "白宫国家安全委员会战略沟通协调员约翰·柯比(John Kirby)周五"
    )
    assert text.paragraphs[-1].endswith("所需的支持。")


def test_ads_read_more_widgets_and_glued_tags_are_not_text():
    ad = text_of("duty-machine-news_rfi_1005350.md")  # <divdata-tms-ad-type=…> ad, author block
    assert ad.paragraphs[0].startswith("位于诺曼底 Villers-sur-Mer地方的")
    assert ad.author == "珍妮特"
    read_more = text_of("duty-machine-news_rfi_1006220.md")
    assert read_more.paragraphs[0].startswith("法国内政部长达曼宁 Gérald Darmanin 周五指出")
    for text in (ad, read_more):
        assert not chrome(text.paragraphs)


def test_wire_items_lose_the_era_title_suffix_and_keep_the_copyright_line():
    text = text_of("duty-machine-news_rfi_1030000.md")
    assert not text.title.endswith("RFI")
    assert text.lead == ""
    assert text.paragraphs[-1] == "© 2021 AFP"


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda p: p.name)
def test_paragraphs_hold_exactly_the_text_the_fingerprint_hashes(path):
    """So a diff shows a change exactly when the crawl would store a new revision."""
    entry = read_entry(path)
    text = article_text(entry)
    squeeze = re.compile(r"\s+")
    parts = (text.title, text.lead, "".join(text.paragraphs))
    assert "\n".join(squeeze.sub("", p) for p in parts) == visible_text(entry.title, entry.html)
    assert not chrome(text.paragraphs)
    assert all(p and p == p.strip() for p in text.paragraphs)


def test_capture_times_read_in_utc_and_paris_time():
    assert format_times(1697224501000) == "2023-10-13 19:15:01 UTC (Paris 2023-10-13 21:15:01 CEST)"
    assert format_paris(1700000000000) == "2023-11-14 23:13:20 CET"  # winter time
