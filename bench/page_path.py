"""The per-page path, in process, against a bare lxml parse of the same pages, in one run.

    .venv/bin/python bench/page_path.py [--runs 3] [--rounds 10]

Pages are whole RFI-template pages (~320 KB) composed from the real entries of
tests/test_page.py by tests/compose.py, handed over as Scrapy hands them (an
HtmlResponse with the page's Content-Type). The path is the work a crawl does
for a page between its download and the archive pipeline: the meta refresh
middleware the project's settings enable, the spider's ``parse_article``
(parse, checks, the loader: entry parts, dates, fingerprint), then the
validate and suspect pipelines on an archive holding the entries.

- unchanged: the page says what its entry says;
- edited: one sentence of the body changed, so the suspect pipeline reads the
  archived entry and compares.

Printed per case: ms a page and the ratio to the bare parse, min / median /
max of ``--runs`` (each the best of ``--rounds``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scrapy.http import HtmlResponse, Request  # noqa: E402
from scrapy.utils.conf import build_component_list  # noqa: E402
from scrapy.utils.misc import build_from_crawler, load_object  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from newsspider import settings as project  # noqa: E402
from newsspider.archive.entry import Entry, read_entry  # noqa: E402
from newsspider.archive.index import ArchiveIndex  # noqa: E402
from newsspider.pipelines.suspect import SuspectPagePipeline  # noqa: E402
from newsspider.pipelines.validate import ValidateArticlePipeline  # noqa: E402
from newsspider.spiders.rfi import RfiSpider  # noqa: E402
from tests.compose import ARCHIVE, compose_page  # noqa: E402
from tests.test_page import DIFFERING, EXACT  # noqa: E402

HEADERS = {b"Content-Type": b"text/html; charset=utf-8"}


def edited(entry: Entry) -> Entry:
    """The entry with its first body sentence changed."""
    cut = entry.html.index("。", entry.html.index("</strong></p>"))
    html = entry.html[:cut] + "（本文已更新）" + entry.html[cut:]
    return Entry(entry.timestamp, entry.title, entry.url, html)


class PagePath:
    """The crawl's components for one page, set up on an archive of ``entries``."""

    def __init__(self, entries: list[Entry], folder: Path):
        for number, entry in enumerate(entries):
            (folder / f"{number:03d}.txt").write_bytes(entry.serialize())
        ArchiveIndex.open(folder).close()
        settings = {name: value for name, value in vars(project).items() if name.isupper()}
        settings.update(ARCHIVE_DIR=str(folder), REFRESH_ENABLED=True)
        crawler = get_crawler(RfiSpider, settings)
        self.spider = RfiSpider.from_crawler(crawler)
        crawler.spider = self.spider
        names = build_component_list(crawler.settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
        self.middlewares = [
            build_from_crawler(load_object(name), crawler)
            for name in names
            if "MetaRefresh" in name
        ]
        self.pipelines = [
            ValidateArticlePipeline.from_crawler(crawler),
            SuspectPagePipeline.from_crawler(crawler),
        ]
        for pipeline in self.pipelines:
            if hasattr(pipeline, "open_spider"):
                pipeline.open_spider()

    def __call__(self, responses: list[HtmlResponse]) -> None:
        for response in responses:
            for middleware in self.middlewares:
                response = middleware.process_response(response.request, response)
            for item in self.spider.parse_article(response, response.url):
                assert item["outcome"] is None, item["reason"]
                for pipeline in self.pipelines:
                    item = pipeline.process_item(item)
                assert item["outcome"] is None, item["reason"]

    def close(self) -> None:
        for pipeline in self.pipelines:
            if hasattr(pipeline, "close_spider"):
                pipeline.close_spider()


def best_of(rounds: int, bodies: list[tuple[str, bytes]], work) -> float:
    """Seconds a page, the best of ``rounds`` (fresh responses each round, built untimed)."""
    times = []
    for _ in range(rounds):
        responses = [
            HtmlResponse(url, body=body, headers=HEADERS, request=Request(url))
            for url, body in bodies
        ]
        start = time.perf_counter()
        work(responses)
        times.append(time.perf_counter() - start)
    return min(times) / len(bodies)


def bare_parse(responses: list[HtmlResponse]) -> None:
    for response in responses:
        lxml.html.document_fromstring(response.body)


def spread(values: list[float], form: str) -> str:
    return " / ".join(form.format(v) for v in (min(values), statistics.median(values), max(values)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    entries = [read_entry(ARCHIVE / name) for name in [*EXACT, *DIFFERING]]
    cases = {
        "unchanged": [(e.url, compose_page(e).encode()) for e in entries],
        "edited": [(e.url, compose_page(edited(e)).encode()) for e in entries],
    }
    size = sum(len(b) for _, b in cases["unchanged"]) / len(entries) / 1024
    print(f"{len(entries)} pages ({size:.0f} KiB each), min / median / max of {args.runs} runs")
    with tempfile.TemporaryDirectory() as folder:
        path = PagePath(entries, Path(folder))
        try:
            results = {case: ([], []) for case in cases}
            for _ in range(args.runs):
                for case, bodies in cases.items():
                    parse = best_of(args.rounds, bodies, bare_parse)
                    ours = best_of(args.rounds, bodies, path)
                    results[case][0].append(ours * 1000)
                    results[case][1].append(ours / parse)
        finally:
            path.close()
    print(f"{'case':10} {'ms a page':>22} {'x a bare lxml parse':>22}")
    for case, (ms, ratios) in results.items():
        print(f"{case:10} {spread(ms, '{:.2f}'):>22} {spread(ratios, '{:.2f}'):>22}")


if __name__ == "__main__":
    main()
