"""Canonical URLs: every form of one article is one string."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsspider.archive.entry import read_entry
from newsspider.archive.urls import canonical_url, is_rfi_article_url
from tests.conftest import SHARED_ARCHIVE

CANONICAL = "https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/20231013-%E7%99%BD%E5%AE%AB"


@pytest.mark.parametrize(
    "form",
    [
        CANONICAL,
        "http://www.rfi.fr//cn/%E5%9B%BD%E9%99%85/20231013-%E7%99%BD%E5%AE%AB",
        "https://WWW.RFI.FR/cn/%e5%9b%bd%e9%99%85/20231013-%e7%99%bd%e5%ae%ab",
        "https://www.rfi.fr/cn/国际/20231013-白宫",
        "https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/20231013%2D%E7%99%BD%E5%AE%AB",
        f"{CANONICAL}?utm_source=twitter#comments",
        "//www.rfi.fr/cn/国际/20231013-白宫",
        "/cn/国际/20231013-白宫",
        "  https://rfi.fr/cn/国际/20231013-白宫  ",
    ],
)
def test_every_form_maps_to_one_canonical_url(form):
    assert canonical_url(form) == CANONICAL


def test_escaped_slash_and_percent_stay_escaped():
    assert canonical_url("https://www.rfi.fr/cn/a%2fb%25c") == "https://www.rfi.fr/cn/a%2Fb%25c"


def test_canonical_is_idempotent_on_every_archived_url():
    for path in SHARED_ARCHIVE.glob("*.md"):
        url = canonical_url(read_entry(path).url)
        assert canonical_url(url) == url


def test_modern_archived_urls_are_already_canonical():
    # The archive's writer serialized URLs as a WHATWG href: https, uppercase hex.
    entry = read_entry(SHARED_ARCHIVE / "duty-machine-news_rfi_1000005.md")
    assert canonical_url(entry.url) == entry.url


def test_old_http_double_slash_urls_match_their_modern_form():
    entry = read_entry(SHARED_ARCHIVE / "duty-machine-news_rfi_1042000.md")
    assert entry.url.startswith("http://www.rfi.fr//cn/")
    assert canonical_url(entry.url) == "https://www.rfi.fr/cn/" + entry.url.split("//cn/", 1)[1]


def test_cn_rfi_fr_is_not_silently_aliased():
    assert canonical_url("http://cn.rfi.fr/政治/x").startswith("https://cn.rfi.fr/") is False
    assert canonical_url("http://cn.rfi.fr/政治/x").startswith("http://cn.rfi.fr/")


@pytest.mark.parametrize("bad", ["", "mailto:a@b", "javascript:alert(1)", "ftp://www.rfi.fr/cn/x"])
def test_non_http_urls_are_refused(bad):
    with pytest.raises(ValueError):
        canonical_url(bad)


def test_article_url_filter_keeps_cn_articles_only():
    assert is_rfi_article_url(CANONICAL)
    assert not is_rfi_article_url("https://www.rfi.fr/cn/")
    assert not is_rfi_article_url("https://www.rfi.fr/en/france/20240131-x")
    assert not is_rfi_article_url("https://example.com/cn/x")


pieces = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=3),
    st.sampled_from(["%", "%2F", "%e5%9B", "/", "//", "?", "#", " ", "%25", "%GG"]),
)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["http://www.rfi.fr//cn/", "https://WWW.rfi.fr/cn/", "//rfi.fr/cn/", "/cn/"]),
    st.lists(pieces, max_size=10).map("".join),
)
def test_canonical_url_is_idempotent_and_ascii(prefix, path):
    url = canonical_url(prefix + path)
    assert canonical_url(url) == url
    assert url.isascii() and url.startswith("https://www.rfi.fr/")  # "/cn/../x" is "/x"
    assert "?" not in url and "#" not in url and "//" not in url[len("https://") :]


def by_the_full_rules(url: str) -> str:
    """canonical_url without its shortcut for URLs already canonical."""
    from unittest import mock

    from newsspider.archive import urls

    with mock.patch.object(urls, "_ALREADY_CANONICAL", re.compile(r"(?!)")):
        try:
            return urls.canonical_url(url)
        except ValueError as exc:
            return f"ValueError: {exc}"


def outcome(url: str) -> str:
    try:
        return canonical_url(url)
    except ValueError as exc:
        return f"ValueError: {exc}"


# Pieces of paths near the canonical form: escapes in either case, of ASCII and not,
# dot segments, doubled slashes, reserved and non-ASCII characters.
PIECES = st.one_of(
    st.sampled_from([*"Az09._~-/%;:@!$&'()*+,=?#[]|^\\ ", "..", "%2e", "%2E", "%2F", "%41"]),
    st.integers(0x80, 0xFF).map(lambda byte: f"%{byte:02X}"),
    st.integers(0x80, 0xFF).map(lambda byte: f"%{byte:02x}"),
    st.characters(min_codepoint=0x80, max_codepoint=0x9FFF),
)


@settings(max_examples=400)
@given(
    st.sampled_from(["https://www.rfi.fr/", "http://www.rfi.fr/", "https://www.rfi.fr//"]),
    st.lists(PIECES, max_size=30),
)
def test_the_shortcut_for_canonical_urls_gives_what_the_full_rules_give(start, pieces):
    url = start + "".join(pieces)
    assert outcome(url) == by_the_full_rules(url)


def test_every_archived_url_in_canonical_form_takes_the_shortcut():
    from newsspider.archive import urls

    for path in SHARED_ARCHIVE.glob("*.md"):
        url = by_the_full_rules(read_entry(path).url)
        assert urls._ALREADY_CANONICAL.fullmatch(url), url
        assert canonical_url(url) == url == by_the_full_rules(url)
