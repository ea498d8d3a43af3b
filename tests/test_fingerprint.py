"""Content fingerprints: equal across eras and copies, different after an edit."""

from __future__ import annotations

from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.fingerprint import fingerprint, visible_text
from tests.conftest import SHARED_ARCHIVE


def entry(name: str) -> Entry:
    return read_entry(SHARED_ARCHIVE / name)


def fp(e: Entry) -> str:
    return fingerprint(e.title, e.html)


def test_the_two_copies_of_1000019_fingerprint_equal():
    a = entry("duty-machine-news_rfi_1000019.md")
    b = entry("dutymachine-news_rfi_1000019.md")
    assert a.html != b.html  # one carries a feed footer
    assert fp(a) == fp(b)


def test_changing_one_sentence_changes_the_fingerprint():
    a = entry("duty-machine-news_rfi_1000000.md")
    sentence = a.html.split("<p>")[3].split("</p>")[0]
    edited = a.html.replace(sentence, sentence[:-3] + "，周五。")
    assert fp(a) != fingerprint(a.title, edited)


def test_a_changed_title_changes_the_fingerprint():
    a = entry("duty-machine-news_rfi_1000000.md")
    assert fp(a) != fingerprint(a.title + "（更新）", a.html)


def test_era_markup_image_size_and_share_block_are_ignored():
    a = entry("duty-machine-news_rfi_1000000.md")
    html = a.html.replace(
        "</strong></p><div>", '</strong></p><div class="t-content__body u-clearfix" >', 1
    )
    html = html.replace("/w:1280/", "/w:310/")
    share = html.index("<div><div>分享 :</div>")
    assert fingerprint(a.title, html[:share]) == fp(a)
    assert fingerprint(a.title, html) == fp(a)


def test_whitespace_runs_nbsp_and_ideographic_spaces_are_ignored():
    a = entry("duty-machine-news_rfi_1000000.md")
    html = a.html.replace("<p>", "<p>\u00a0\u3000 ", 3)
    assert fingerprint(a.title, html) == fp(a)


def test_ads_read_more_and_feed_footer_are_not_text():
    a = entry("duty-machine-news_rfi_1006220.md")
    text = visible_text(a.title, a.html)
    assert "广告" not in text and "继续浏览后续" not in text and "RSS" not in text
    assert "法国内政部长" in text  # the body after the glued ad markup is kept


def test_author_block_is_not_text():
    a = entry("duty-machine-news_rfi_1000005.md")
    assert "作者" not in visible_text(a.title, a.html)


def test_every_sample_has_a_distinct_fingerprint_except_the_known_pair():
    prints = {}
    for path in SHARED_ARCHIVE.iterdir():
        if path.suffix in (".md", ".txt"):
            e = read_entry(path)
            prints.setdefault(fp(e), []).append(path.name)
    shared = [sorted(names) for names in prints.values() if len(names) > 1]
    assert shared == [["duty-machine-news_rfi_1000019.md", "dutymachine-news_rfi_1000019.md"]]
