"""Meta refresh: followed as Scrapy follows it, without decoding pages that declare none."""

from __future__ import annotations

import pytest
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newsspider.archive import read_entry
from newsspider.middlewares.metarefresh import BytesFirstMetaRefreshMiddleware
from newsspider.spiders.rfi import RfiSpider
from tests.compose import compose_page
from tests.conftest import SHARED_ARCHIVE, make_archive
from tests.live_site import HTML, LiveSite, crawl, path, report

SEED_FILE = "seed_000_fa28d98bcef6ab2a.txt"
SEED = read_entry(SHARED_ARCHIVE / SEED_FILE)
PAGE = compose_page(SEED)
ELSEWHERE = "https://www.rfi.fr/cn/法国/20230925-马克龙承诺将设法抑制电价"


class DecodeCountingResponse(HtmlResponse):
    decoded = 0

    @property
    def text(self) -> str:
        type(self).decoded += 1
        return super().text


def middlewares():
    crawler = get_crawler(RfiSpider)
    ours = BytesFirstMetaRefreshMiddleware.from_crawler(crawler)
    return ours, MetaRefreshMiddleware.from_crawler(crawler)


def with_refresh(page: str, tag: str, end_of_head: bool = False) -> str:
    if end_of_head:  # past the RFI head's ~115 KB of inline CSS
        return page.replace("</head>", tag + "</head>", 1)
    return page.replace("<head>", "<head>" + tag, 1)


def answer(body: bytes, headers: dict | None = None) -> DecodeCountingResponse:
    request = Request(SEED.url)
    headers = headers or {"Content-Type": "text/html; charset=utf-8"}
    return DecodeCountingResponse(SEED.url, body=body, headers=headers, request=request)


def outcome(result) -> str:
    return f"follow {result.url}" if isinstance(result, Request) else "keep the page"


def test_a_whole_page_without_a_refresh_is_kept_and_never_decoded():
    ours, _ = middlewares()
    response = answer(PAGE.encode())
    DecodeCountingResponse.decoded = 0
    assert ours.process_response(response.request, response) is response
    assert DecodeCountingResponse.decoded == 0


REFRESH = f'<meta http-equiv="refresh" content="0;url={ELSEWHERE}">'
CASES = {
    "refresh at the top of the head": (with_refresh(PAGE, REFRESH), None),
    "upper case, unquoted": (
        with_refresh(PAGE, f"<META HTTP-EQUIV=REFRESH CONTENT='0; URL={ELSEWHERE}'>"),
        None,
    ),
    "inside <noscript> (ignored)": (with_refresh(PAGE, f"<noscript>{REFRESH}</noscript>"), None),
    "after the first 4,096 characters (not looked at)": (
        with_refresh(PAGE, REFRESH, end_of_head=True),
        None,
    ),
    "delay over METAREFRESH_MAXDELAY (kept)": (
        with_refresh(PAGE, f'<meta http-equiv="refresh" content="200;url={ELSEWHERE}">'),
        None,
    ),
    "UTF-16 page": (
        f"<html><head>{REFRESH}</head><body>页</body></html>",
        {"Content-Type": "text/html; charset=utf-16"},
    ),
    "a refresh mentioned in a script, none declared": (
        with_refresh(PAGE, "<script>var meta = '<meta>'; refresh();</script>"),
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_refresh_is_followed_exactly_when_scrapys_middleware_follows_it(case):
    page, headers = CASES[case]
    body = page.encode("utf-16" if headers else "utf-8")
    ours, scrapys = middlewares()
    mine = ours.process_response(Request(SEED.url), answer(body, headers))
    theirs = scrapys.process_response(Request(SEED.url), answer(body, headers))
    assert outcome(mine) == outcome(theirs)
    if "refresh at the top" in case or "UTF-16" in case:
        assert outcome(mine) == f"follow {Request(ELSEWHERE).url}"


def test_metarefresh_enabled_off_turns_it_off():
    crawler = get_crawler(RfiSpider, {"METAREFRESH_ENABLED": False})
    with pytest.raises(NotConfigured):
        BytesFirstMetaRefreshMiddleware.from_crawler(crawler)


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_an_article_page_that_refreshes_to_another_article_fails_as_redirected(tmp_path):
    archive = make_archive(tmp_path / "archive", [SEED_FILE])
    site = LiveSite([SEED])
    body = with_refresh(PAGE, REFRESH).encode()
    site.routes[path(SEED)] = lambda n: (200, HTML, body)
    site.routes[path(ELSEWHERE)] = lambda n: (200, HTML, b"<html><body>RFI</body></html>")
    with site:
        crawl(archive, site)
    [failed] = report(archive)["articles"]["failed"]
    assert failed["reason"] == f"redirected to {Request(ELSEWHERE).url}"
