"""The entry format: byte-exact round trips and one clear error type."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsspider.archive.entry import Entry, EntryFormatError, parse_entry, read_entry
from tests.conftest import ROOT, SHARED_ARCHIVE

ALL_SAMPLES = sorted(p for p in SHARED_ARCHIVE.iterdir() if p.suffix in (".md", ".txt"))
SEED = ROOT / "seeds" / "000_fa28d98bcef6ab2a.txt"


def test_the_shared_folder_holds_the_real_samples():
    assert len(ALL_SAMPLES) >= 60


@pytest.mark.parametrize("path", [*ALL_SAMPLES, SEED], ids=lambda p: p.name)
def test_every_real_entry_round_trips_byte_for_byte(path):
    data = path.read_bytes()
    assert parse_entry(data, str(path)).serialize() == data


def test_the_seed_is_the_shared_seed_byte_for_byte():
    assert SEED.read_bytes() == (SHARED_ARCHIVE / "seed_000_fa28d98bcef6ab2a.txt").read_bytes()


def test_seed_fields():
    entry = read_entry(SEED)
    assert entry.timestamp == 1697224501000
    assert entry.title == "白宫：朝鲜已向俄罗斯提供逾1千个集装箱的装备和弹药"
    assert entry.url.startswith("https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/20231013-")
    assert entry.html.startswith("<div>13/10/2023 - 21:02</div><img src=")


def test_title_with_brackets_and_parentheses_splits_on_the_last_link_marker():
    data = b"<!--1-->\n[a](b) [c]](d)](https://www.rfi.fr/cn/x)\n------\n\n<p>x</p>\n"
    entry = parse_entry(data)
    assert (entry.title, entry.url) == ("a](b) [c]](d)", "https://www.rfi.fr/cn/x")


@pytest.mark.parametrize(
    "name",
    [
        "duty-machine-news_rfi_1020000.md",
        "duty-machine-news_rfi_1005000.md",
        "duty-machine-news_rfi_1001000.md",
        "duty-machine-news_rfi_999999.md",
    ],
)
def test_real_damage_that_fits_the_format_is_not_an_error(name):
    # "Array" for the image, glued attributes, empty lead, mojibake, feed footer
    read_entry(SHARED_ARCHIVE / name)


GOOD = SEED.read_bytes()


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"", 1, "empty file"),
        (GOOD.replace(b"<!--1697224501000-->", b"<!--16972245010OO-->"), 1, "epoch"),
        (GOOD.replace(b"<!--1697224501000-->\n", b""), 1, "epoch"),
        (GOOD.replace(b"](https", b"] (https"), 2, "[title](url)"),
        (GOOD.replace(b"\n------\n", b"\n-----\n"), 3, "separator"),
        (GOOD.replace(b"------\n\n", b"------\nx\n"), 4, "empty line"),
        (GOOD.replace("白宫".encode(), b"\xb0\xd7\xb9\xac"), 2, "not UTF-8"),
        (GOOD.replace(b"\n", b"\r\n"), 1, "CR"),
        (GOOD[:-1], 5, "final newline"),
        (GOOD + b"more\n", 6, "extra lines"),
        (GOOD.split(b"\n------")[0] + b"\n", 3, "separator"),
    ],
    ids=[
        "empty",
        "non-numeric",
        "no-timestamp",
        "no-link",
        "separator",
        "no-blank",
        "not-utf8",
        "crlf",
        "no-final-newline",
        "extra-lines",
        "truncated",
    ],
)
def test_format_errors_name_the_file_the_line_and_the_reason(data, line, reason):
    with pytest.raises(EntryFormatError) as caught:
        parse_entry(data, "archive/broken.txt")
    assert caught.value.line == line
    assert str(caught.value).startswith(f"archive/broken.txt:{line}: ")
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


one_line = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)))
titles = st.one_of(
    one_line, st.sampled_from(["[方括号](圆括号)", "  spaces  ", "白宫：朝鲜 (AFP)"])
)
urls = one_line.filter(lambda u: u and "](" not in u)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**15), titles, urls, one_line)
def test_serialize_then_parse_is_the_identity(timestamp, title, url, html):
    entry = Entry(timestamp, title, url, html)
    data = entry.serialize()
    assert parse_entry(data) == entry
    assert parse_entry(data).serialize() == data


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_parse_raises_only_the_format_error_on_arbitrary_bytes(data):
    try:
        entry = parse_entry(data)
    except EntryFormatError:
        return
    assert entry.serialize() == data  # whatever parses, round-trips


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"<!--1-->", b"[t](u)", b"------", b"", b"<p>x</p>", b"\r", b"]("]),
        max_size=7,
    )
)
def test_parse_of_near_miss_entries_raises_only_the_format_error(lines):
    data = b"\n".join(lines) + b"\n"
    with contextlib.suppress(EntryFormatError):
        parse_entry(data)
