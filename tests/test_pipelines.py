"""Pipelines and spider callbacks on single responses: what never reaches the archive."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newsspider.archive import read_entry
from newsspider.items import FIELDS, article_item
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


def test_validate_fails_articles_without_title_or_body_and_counts_why():
    crawler = get_crawler(RfiSpider)
    pipeline = ValidateArticlePipeline.from_crawler(crawler)
    untitled = pipeline.process_item(article_item("u", status=200, title="", html=SEED.html))
    assert (untitled["outcome"], untitled["reason"]) == ("failed", "no title")
    empty_body = "<div>13/10/2023 - 21:02</div><p><strong>lead</strong></p><div>  </div>"
    bodiless = pipeline.process_item(article_item("u", status=200, title="t", html=empty_body))
    assert (bodiless["outcome"], bodiless["reason"]) == ("failed", "empty body")
    assert crawler.stats.get_value("validate/failed/no title") == 1
    assert crawler.stats.get_value("validate/failed/empty body") == 1
    item = article_item("u", status=200, title="t", html=SEED.html)
    assert pipeline.process_item(item) is item
    assert item["outcome"] is None  # still to be decided by the archive pipeline


def test_a_page_is_loaded_into_an_item_with_every_field(spider):
    [item] = list(spider.parse_article(response(compose_page(SEED)), SEED.url))
    # every export field, then the parts found, which the suspect pipeline takes out
    assert tuple(item.keys()) == (*FIELDS, "parts")
    assert item["parts"] == dict.fromkeys(("title", "date", "image", "lead", "body", "share"), True)
    assert (item["url"], item["title"], item["html"]) == (SEED.url, SEED.title, SEED.html)
    assert item["published"] == "2023-10-13T19:02:00+00:00"
    assert len(item["fingerprint"]) == 32 and item["timestamp"] > SEED.timestamp


def test_a_page_without_the_article_template_is_a_failed_item(spider):
    maintenance = "<html><body><main><p>网站维护中</p></main></body></html>"
    [item] = list(spider.parse_article(response(maintenance), SEED.url))
    assert (item["url"], item["outcome"], item["reason"]) == (
        SEED.url,
        "failed",
        "no article on the page (template changed?)",
    )
    assert tuple(item.keys()) == FIELDS


def test_a_redirect_off_the_article_is_a_failure(spider):
    home = response(compose_page(SEED), url="https://www.rfi.fr/cn/")
    [item] = list(spider.parse_article(home, SEED.url))
    assert item["outcome"] == "failed"
    assert item["reason"] == "redirected away from the article, to https://www.rfi.fr/cn/"


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_are_items_for_the_archive_to_mark_gone(spider, status):
    [item] = list(spider.parse_article(response("", status=status), SEED.url))
    assert (item["url"], item["status"], item["outcome"]) == (SEED.url, status, None)


def test_parse_article_without_an_archived_url_reads_the_requested_one(spider):
    # as `scrapy parse --spider=rfi URL` calls it
    request = Request(SEED.url)
    page = HtmlResponse(
        SEED.url, body=compose_page(SEED).encode(), encoding="utf-8", request=request
    )
    [item] = list(spider.parse_article(page))
    assert (item["url"], item["title"], item["outcome"]) == (SEED.url, SEED.title, None)
    [same] = list(spider.parse(page))  # `scrapy parse` without -c
    assert (same["url"], same["html"]) == (item["url"], item["html"])
