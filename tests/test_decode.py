"""Reading a page's bytes: the HTML rule picks the encoding, bad text is refused.

Pages are real RFI-template pages composed from real entries (tests/compose.py);
their ``<head>`` says ``<meta charset="UTF-8" />``, as RFI's does, so a page
sent in another encoding is exactly the issue's "lying meta".
"""

from __future__ import annotations

import codecs
import json
from functools import cache

import pytest
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode
from vcr.request import Request

from newsspider.archive import read_entry
from newsspider.page import article as page
from newsspider.page.decode import PageError, choose_charset, parse_response
from tests.cassette_factory import SMALL_ARCHIVE, page_response, request_headers, response, robots
from tests.compose import ARCHIVE, compose_page
from tests.conftest import make_archive, run_crawl, snapshot

SEED = read_entry(ARCHIVE / SMALL_ARCHIVE[0])
UTF8 = "text/html; charset=UTF-8"
GB = "text/html; charset=GB18030"


@cache
def seed_page() -> str:
    page_text = compose_page(SEED)
    assert '<meta charset="UTF-8" />' in page_text  # the meta every test below contradicts
    return page_text


def entry_of(tree) -> tuple[str, str]:
    article = page.article_root(tree)
    return page.title(tree, article), page.entry_html(tree, article)


@cache
def expected() -> tuple[str, str]:
    return entry_of(parse_response(seed_page().encode("utf-8"), UTF8))


def test_the_utf8_page_gives_the_archived_entry():
    assert expected() == (SEED.title, SEED.html)


def test_gb18030_page_with_a_lying_utf8_meta_is_read_by_the_http_charset():
    body = seed_page().encode("gb18030")
    assert entry_of(parse_response(body, GB)) == expected()
    assert entry_of(parse_response(body, GB.encode())) == expected()  # Scrapy's bytes header


def test_gb2312_and_gbk_labels_read_as_gb18030():
    body = seed_page().encode("gb18030")
    for label in ("gb2312", "GBK", '"gbk"'):
        assert entry_of(parse_response(body, f"text/html; charset={label}")) == expected()


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_a_byte_order_mark_wins_over_the_http_charset(bom, codec):
    body = bom + seed_page().encode(codec)
    assert entry_of(parse_response(body, GB)) == expected()
    assert choose_charset(body, GB)[0].source == "byte order mark"


def test_the_meta_charset_is_read_when_http_names_none():
    body = seed_page().replace('charset="UTF-8"', 'charset="gb18030"').encode("gb18030")
    for content_type in ("text/html", None, "text/html; charset=utf-7", "text/html; charset=nope"):
        assert entry_of(parse_response(body, content_type)) == expected()
        assert choose_charset(body, content_type)[0].source == "<meta> charset"


def test_without_any_declaration_the_page_is_utf8():
    body = seed_page().replace('<meta charset="UTF-8" />', "").encode("utf-8")
    assert choose_charset(body, "text/html")[0].source == "default"
    assert entry_of(parse_response(body, "text/html")) == expected()


def test_gb18030_reads_a_lone_0x80_as_the_euro_sign_like_browsers():
    body = (
        seed_page()
        .replace("<p>白宫", "<p>白宫\u20ac", 1)
        .encode("gb18030")
        .replace(b"\xa2\xe3", b"\x80")
    )
    assert body.count(b"\x80") == 1
    assert "<p>白宫€" in entry_of(parse_response(body, GB))[1]


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (
            "<html><body><h1>白宫</h1></body></html>".encode("gb18030"),
            UTF8,
            "page is not valid UTF-8 (HTTP charset): 2 undecodable bytes, the first at byte 16",
        ),
        (
            '<meta charset="utf-8"><p>白宫</p>'.encode("gb18030"),
            None,
            "page is not valid UTF-8 (<meta> charset): 2 undecodable bytes, the first at byte 25",
        ),
        (
            "<p>白宫</p>".encode() + b"\xff",
            GB,
            "page is not valid GB18030 (HTTP charset): 1 undecodable byte, the first at byte 13",
        ),
        (
            codecs.BOM_UTF8 + b"<p>\xb0\xd7</p>",
            GB,
            "page is not valid UTF-8 (byte order mark): 2 undecodable bytes, the first at byte 6",
        ),
        (
            "<p>RFI</p>".encode("utf-16-le"),
            UTF8,
            "page is not text in UTF-8 (HTTP charset): 10 NUL characters, the first at byte 1",
        ),
        (b"", UTF8, "empty page"),
        (b" \r\n\t", UTF8, "empty page (4 bytes)"),
        (b"<!-- nothing -->", UTF8, "lxml cannot parse the page: Document is empty"),
    ],
    ids=[
        "gb-as-utf8",
        "gb-as-meta-utf8",
        "utf8-as-gb",
        "bom-utf8",
        "utf16-as-utf8",
        "empty",
        "blank",
        "comment",
    ],
)
def test_a_page_that_cannot_become_an_entry_is_refused_with_one_line(body, content_type, reason):
    with pytest.raises(PageError) as refused:
        parse_response(body, content_type)
    assert str(refused.value) == reason
    assert isinstance(refused.value, ValueError)  # the spider's one except clause


def test_one_bad_byte_in_a_whole_page_is_refused():
    body = seed_page().encode("utf-8")
    middle = body.index("平壤".encode())
    broken = body[:middle] + b"\xff" + body[middle + 1 :]  # one byte of one character damaged
    with pytest.raises(PageError, match=r"^page is not valid UTF-8 \(HTTP charset\): "):
        parse_response(broken, UTF8)


def test_parse_page_refuses_an_empty_document_with_a_page_error():
    with pytest.raises(PageError, match="lxml cannot parse the page"):
        page.parse_page("")


# --- through the real spider ---------------------------------------------------------


def cassette_with(tmp_path, answers: list[tuple[str, dict]]) -> Cassette:
    recorder = Cassette.load(path=str(tmp_path / "pages.yaml"), record_mode=RecordMode.ALL)
    for request, answer in [
        robots(),
        *((Request("GET", u, None, request_headers()), a) for u, a in answers),
    ]:
        recorder.append(request, answer)
    recorder._save()
    return Cassette.load(path=str(tmp_path / "pages.yaml"), record_mode=RecordMode.NONE)


def test_mislabeled_and_empty_pages_fail_and_leave_the_archive_intact(tmp_path):
    archive = make_archive(tmp_path / "archive", SMALL_ARCHIVE)
    seed, second, empty_lead, column = (read_entry(ARCHIVE / name) for name in SMALL_ARCHIVE)
    mislabeled = compose_page(second).encode("gb18030")
    with pytest.raises(PageError) as refused:
        parse_response(mislabeled, UTF8)
    assert str(refused.value).startswith("page is not valid UTF-8 (HTTP charset): ")
    answers = [
        # a GB18030 page labelled so in HTTP, its meta lying: the same article, unchanged
        (seed.url, response(200, {"Content-Type": [GB]}, compose_page(seed).encode("gb18030"))),
        # a GB18030 page labelled UTF-8: refused, never archived as mojibake
        (second.url, response(200, {"Content-Type": [UTF8]}, mislabeled)),
        # an empty 200
        (empty_lead.url, response(200, {"Content-Type": [UTF8]}, b"")),
        (column.url, page_response(column)),
    ]
    before = snapshot(archive)
    run_crawl(archive, cassette_with(tmp_path, answers), RFI_DISCOVERY=False)
    assert snapshot(archive) == before  # every entry byte for byte, no history, no new file
    [report_file] = (archive / "reports").glob("*.json")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["counts"] == {
        "checked": 4,
        "unchanged": 2,
        "updated": 0,
        "new": 0,
        "gone": 0,
        "failed": 2,
    }
    assert report["failures"] == {
        second.url: f"page does not parse: {refused.value}",
        empty_lead.url: "page does not parse: empty page",
    }
