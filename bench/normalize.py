"""Page -> entry speed against a bare lxml parse of the same pages, in one run.

    .venv/bin/python bench/normalize.py [--rounds 30]

Pages are whole RFI-template pages (head, menus, footer: ~320 KB, of which the
real RFI head's inline CSS is ~115 KB) composed from real entries by
tests/compose.py, measured as they are and without that CSS (~205 KB).
Three paths, each against the parse:

- entry parts: parse + page.entry_html (the page rules alone);
- spider: what a crawl does per page, from the downloaded response to an item
  that passed validation: RfiSpider.parse_article (page checks, the loader,
  the fingerprint) and ValidateArticlePipeline;
- + meta refresh: the same, after MetaRefreshMiddleware looked at the body,
  as every downloaded page is.

Target: the spider's path <= 1.5x the parse.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import lxml.html
import scrapy
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsspider.archive.entry import read_entry
from newsspider.page import article as page
from newsspider.pipelines.validate import ValidateArticlePipeline
from newsspider.spiders.rfi import RfiSpider
from tests.compose import ARCHIVE, compose_page
from tests.test_page import DIFFERING, EXACT

HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def best_of(rounds: int, work) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def without_inline_css(page: bytes) -> bytes:
    """The same page less the <style> blocks of its head (~205 KB instead of ~320 KB)."""
    text = page.decode()
    end = text.index("</head>")
    return (re.sub(r"<style[^>]*>.*?</style>", "", text[:end], flags=re.S) + text[end:]).encode()


def measure(pages: list[tuple[str, bytes]], rounds: int) -> list[float]:
    """Seconds per page: the parse, entry parts, the spider's path, with meta refresh."""
    crawler = get_crawler(RfiSpider, {"ARCHIVE_DIR": "/nonexistent"})
    spider = RfiSpider.from_crawler(crawler)
    validation = ValidateArticlePipeline.from_crawler(crawler)
    meta_refresh = MetaRefreshMiddleware.from_crawler(crawler)

    def parse_only():
        for _, body in pages:
            lxml.html.document_fromstring(body)

    def to_entry():
        for _, body in pages:
            tree = page.parse_page(body)
            page.entry_html(tree, page.article_root(tree))

    def spider_path(refresh: bool):
        for url, body in pages:
            request = scrapy.Request(url)
            response = HtmlResponse(url, headers=HEADERS, body=body, request=request)
            if refresh:
                response = meta_refresh.process_response(request, response)
            [item] = spider.parse_article(response, archived_url=url)
            validation.process_item(item)

    work = (parse_only, to_entry, lambda: spider_path(False), lambda: spider_path(True))
    return [best_of(rounds, each) / len(pages) for each in work]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    entries = [read_entry(ARCHIVE / name) for name in [*EXACT, *DIFFERING]]
    whole = [(e.url, compose_page(e).encode()) for e in entries]
    print(f"{len(whole)} pages composed from real entries, best of {args.rounds} rounds")
    columns = ("entry parts", "spider", "+ meta refresh")
    print(f"{'ms per page':40} {'lxml parse':>10}" + "".join(f" {c:>16}" for c in columns))
    for label, pages in (
        ("whole template + RFI head", whole),
        ("same, head without inline CSS", [(u, without_inline_css(p)) for u, p in whole]),
    ):
        size = sum(len(p) for _, p in pages) / len(pages) / 1024
        baseline, *paths = measure(pages, args.rounds)
        figures = "".join(f" {t * 1000:8.2f} {t / baseline:5.2f}x" for t in paths)
        print(f"{label + f' ({size:.0f} KiB)':40} {baseline * 1000:10.2f}{figures}")
    print("target: the spider's path <= 1.50x the parse")


if __name__ == "__main__":
    main()
