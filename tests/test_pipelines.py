"""Pipelines and spider callbacks on single responses: what never reaches the archive."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newsspider.archive import read_entry
from newsspider.items import ArticleItem
from newsspider.pipelines.validate import ValidateArticlePipeline
from newsspider.spiders.rfi import RfiSpider
from tests.compose import ARCHIVE, compose_page

SEED = read_entry(ARCHIVE / "seed_000_fa28d98bcef6ab2a.txt")


@pytest.fixture
def spider(tmp_path):
    crawler = get_crawler(RfiSpider, {"ARCHIVE_DIR": str(tmp_path)})
    spider = RfiSpider.from_crawler(crawler)
    crawler.spider = spider
    return spider


def response(body: str, url: str = SEED.url, status: int = 200) -> HtmlResponse:
    request = Request(url, cb_kwargs={"archived_url": url})
    return HtmlResponse(url, status=status, body=body.encode(), encoding="utf-8", request=request)


def test_validate_drops_articles_without_title_or_body_and_counts_why():
    crawler = get_crawler(RfiSpider)
    pipeline = ValidateArticlePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match="no title"):
        pipeline.process_item(ArticleItem(url="u", title="", html=SEED.html))
    empty_body = "<div>13/10/2023 - 21:02</div><p><strong>lead</strong></p><div>  </div>"
    with pytest.raises(DropItem, match="empty body"):
        pipeline.process_item(ArticleItem(url="u", title="t", html=empty_body))
    assert crawler.stats.get_value("validate/dropped/no title") == 1
    assert crawler.stats.get_value("validate/dropped/empty body") == 1
    item = ArticleItem(url="u", title="t", html=SEED.html)
    assert pipeline.process_item(item) is item


def test_a_page_is_loaded_into_an_item_with_every_field(spider):
    [item] = list(spider.parse_article(response(compose_page(SEED)), SEED.url))
    assert (item["url"], item["title"], item["html"]) == (SEED.url, SEED.title, SEED.html)
    assert item["published"] == "2023-10-13T19:02:00+00:00"
    assert len(item["fingerprint"]) == 32 and item["timestamp"] > SEED.timestamp


def test_a_page_without_the_article_template_is_a_failure_not_an_item(spider):
    failures = []
    spider.fail = lambda url, reason: failures.append((url, reason))
    maintenance = "<html><body><main><p>网站维护中</p></main></body></html>"
    assert list(spider.parse_article(response(maintenance), SEED.url)) == []
    assert failures == [(SEED.url, "no article on the page (template changed?)")]


def test_a_redirect_off_the_article_is_a_failure(spider):
    failures = []
    spider.fail = lambda url, reason: failures.append((url, reason))
    home = response(compose_page(SEED), url="https://www.rfi.fr/cn/")
    assert list(spider.parse_article(home, SEED.url)) == []
    assert "redirected away" in failures[0][1]


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_are_gone_items(spider, status):
    [item] = list(spider.parse_article(response("", status=status), SEED.url))
    assert (type(item).__name__, item["status"]) == ("ArticleGone", status)
