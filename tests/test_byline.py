"""The byline: found by .m-from-author whatever wraps it, written in the archive's layout."""

from __future__ import annotations

import re

import pytest
from scrapy.http import HtmlResponse

from newsspider.archive import read_entry
from newsspider.page import article as page
from tests.compose import compose_page
from tests.conftest import SHARED_ARCHIVE

COLUMN = read_entry(SHARED_ARCHIVE / "duty-machine-news_rfi_999992.md")  # 专栏检索, by 弗林
ORDINARY = read_entry(SHARED_ARCHIVE / "duty-machine-news_rfi_1000000.md")  # 国际, share block
BYLINE = re.compile(r"<div><div><div><div><span>作者：</span>.*</div></div></div></div>$")


def entry_html(html: str) -> str:
    tree = page.parse_page(html)
    return page.entry_html(tree, page.article_root(tree))


def rewrap(html: str, wrapper: str) -> str:
    """The template's byline wrapper renamed, and its two inner divs dropped (France 24)."""
    html = html.replace('<div class="t-content__authors-tts">', f'<div class="{wrapper}">', 1)
    html = html.replace('<div class="m-author-n-reading-time">', "<section>", 1)
    return html.replace('<div class="m-author-n-reading-time__authors">', "<section>", 1)


def plain_name(html: str) -> str:
    return re.sub(
        r'<a href="[^"]*" class="m-from-author__name" title="[^"]*">\s*([^<]*?)\s*</a>',
        r'<span class="m-from-author__name">\1</span>',
        html,
    )


def test_a_column_ends_with_its_byline_exactly_as_archived():
    ours = entry_html(compose_page(COLUMN))
    expected = BYLINE.search(COLUMN.html).group(0)
    assert ours.endswith(expected)


@pytest.mark.parametrize("wrapper", ["t-content__authors-tts", "t-content__authors"])
def test_the_byline_is_found_whatever_wraps_it(wrapper):
    ours = entry_html(rewrap(compose_page(COLUMN), wrapper))
    assert ours.endswith('title="弗林">弗林</a></div></div></div></div>')


def test_a_plain_text_name_is_kept_in_the_archive_layout():
    ours = entry_html(plain_name(compose_page(COLUMN)))
    assert ours.endswith(
        "<div><div><div><div><span>作者：</span><span>弗林</span></div></div></div></div>"
    )


def test_an_ordinary_article_keeps_its_share_block_even_with_a_byline():
    html = compose_page(ORDINARY)
    byline = re.search(
        r'<div class="t-content__authors-tts">.*?(?=<div class="t-content__body)',
        compose_page(COLUMN),
        re.S,
    ).group(0)
    html = html.replace('<div class="t-content__body', byline + '<div class="t-content__body', 1)
    ours = entry_html(html)
    assert "作者" not in ours and "<div>分享 :</div>" in ours


def test_a_column_page_without_a_byline_is_failed_not_written(spider):
    without = re.sub(
        r'<div class="m-from-author">.*?</div>',
        "<div></div>",
        compose_page(COLUMN),
        count=1,
        flags=re.S,
    )
    response = HtmlResponse(COLUMN.url, body=without.encode(), encoding="utf-8")
    [item] = spider.parse_article(response, COLUMN.url)
    assert (item["url"], item["outcome"], item["html"]) == (COLUMN.url, "failed", None)
    assert item["reason"] == "suspect: no author block (a column needs its .m-from-author byline)"


@pytest.fixture
def spider():
    from scrapy.utils.test import get_crawler

    from newsspider.spiders.rfi import RfiSpider

    crawler = get_crawler(RfiSpider, settings_dict={"RFI_EDITION": "cn"})
    return RfiSpider.from_crawler(crawler)
