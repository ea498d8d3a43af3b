"""A page is parsed once: the loader, the fingerprint and the pipelines share its reading.

The whole page is one lxml tree (the loader's selector wraps it); the entry HTML
it gives is read once, for the fingerprint, and validation reads the same
reading. The fingerprint stays what the index computes from an entry file: the
page's equals that of the entry written from it, for every real sample and every
page in the cassettes.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from urllib.parse import unquote

import lxml.etree
import pytest
import yaml
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newsspider.archive import Entry, read_entry
from newsspider.archive.entry import is_entry_file
from newsspider.archive.fingerprint import entry_text
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.writer import ArchiveWriter
from newsspider.spiders.rfi import RfiSpider
from tests.compose import compose_page
from tests.conftest import CASSETTES, SHARED_ARCHIVE, make_archive
from tests.live_site import LiveSite, changed, crawl, page, path, report

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

UNCHANGED = [  # pages that give their entry back byte for byte (tests/test_page.py)
    "seed_000_fa28d98bcef6ab2a.txt",
    "duty-machine-news_rfi_1000005.md",  # a column, with its author block
    "duty-machine-news_rfi_1000013.md",  # an empty lead
]
EDITED = "duty-machine-news_rfi_1000000.md"
ARTICLE_PATH = re.compile(r"^https://www\.rfi\.fr/(cn|tw)/.+/\d{8}-")


@pytest.fixture
def parses(monkeypatch):
    """Everything lxml parses from a string while the test runs (pages, fragments, parsel)."""
    seen: list[str | bytes] = []
    real = lxml.etree.fromstring

    def counting(text, *args, **kwargs):
        seen.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(lxml.etree, "fromstring", counting)
    return seen


def test_a_crawl_parses_each_page_once_and_each_entry_html_once(tmp_path, parses):
    archive = make_archive(tmp_path / "archive", [*UNCHANGED, EDITED])
    entries = {name: read_entry(archive / name) for name in [*UNCHANGED, EDITED]}
    site = LiveSite(list(entries.values()))
    edited = changed(entries[EDITED])
    site.routes[path(edited)] = page(edited)
    ArchiveIndex.open(archive).close()  # the index as a previous run left it: nothing to read
    entry_text.cache_clear()
    parses.clear()
    with site:
        crawl(archive, site, ARCHIVE_PUBLISH=False)  # publishing reads entries for the site
    counts = report(archive)["counts"]
    assert (counts["unchanged"], counts["updated"]) == (3, 1)

    served = [compose_page(e).encode() for e in [*(entries[n] for n in UNCHANGED), edited]]
    pages = [text for text in parses if isinstance(text, bytes) and len(text) > 100_000]
    assert sorted(pages) == sorted(served)  # each page once: no second tree, no parsel copy
    for name in UNCHANGED:
        html = entries[name].html
        readings = [t for t in parses if isinstance(t, str) and html in t]
        assert len(readings) == 1, f"the entry HTML of {name} read {len(readings)} times"


def spider(tmp_path) -> RfiSpider:
    crawler = get_crawler(RfiSpider, {"ARCHIVE_DIR": str(tmp_path)})
    crawler.spider = RfiSpider.from_crawler(crawler)
    return crawler.spider


def page_items(spider: RfiSpider, answers: list[tuple[str, dict, bytes]]) -> list:
    """The items of whole pages the spider makes of (url, headers, body) answers."""
    items = []
    for url, headers, body in answers:
        response = HtmlResponse(url, body=body, headers=headers, request=Request(url))
        [item] = spider.parse_article(response, url)
        if item["outcome"] is None:
            items.append(item)
    return items


def assert_index_agrees(items: list, archive: Path) -> None:
    """Write each item's entry, then open the index cold: it reads the same fingerprints."""
    archive.mkdir()
    with ArchiveIndex.open(archive) as index:
        writer = ArchiveWriter(index)
        names = {}
        for item in items:
            entry = Entry(item["timestamp"], item["title"], item["url"], item["html"])
            names[writer.add(entry)] = item
    (archive / ".newsspider" / "archive.sqlite3").unlink()
    entry_text.cache_clear()  # what the index knows, it computes from the files
    with ArchiveIndex.open(archive) as index:
        found = {name: index.lookup(item["url"]) for name, item in names.items()}
    assert {n: (f.name, f.fingerprint) for n, f in found.items()} == {
        n: (n, item["fingerprint"]) for n, item in names.items()
    }


def test_every_real_sample_fingerprints_alike_as_a_page_and_as_the_entry_written(tmp_path):
    samples = [read_entry(p) for p in sorted(SHARED_ARCHIVE.iterdir()) if is_entry_file(p.name)]
    html = {b"Content-Type": b"text/html; charset=utf-8"}
    answers = {e.url: (e.url, html, compose_page(e).encode()) for e in samples}  # one per URL
    items = page_items(spider(tmp_path), list(answers.values()))
    assert len(items) >= len(answers) - 2  # two columns whose entries lost their byline
    assert_index_agrees(items, tmp_path / "archive")


def cassette_pages() -> list[tuple[str, dict, bytes]]:
    """Every article page answered 200 in the shipped cassettes (each version once), as
    Scrapy receives it."""
    answers = {}
    for cassette in sorted(CASSETTES.rglob("*.yaml")):
        for interaction in yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]:
            url, response = interaction["request"]["uri"], interaction["response"]
            headers = {k: v[0] for k, v in response["headers"].items()}
            if response["status"]["code"] != 200 or not ARTICLE_PATH.search(unquote(url)):
                continue
            body = response["body"]["string"]
            body = body.encode() if isinstance(body, str) else body
            if headers.pop("Content-Encoding", None) == "gzip":
                body = gzip.decompress(body)
            answers[body] = (url, headers, body)
    return list(answers.values())


def test_every_cassette_page_fingerprints_alike_as_a_page_and_as_the_entry_written(tmp_path):
    answers = cassette_pages()
    assert len(answers) >= 12
    items = page_items(spider(tmp_path), answers)
    assert len(items) == len(answers)
    versions: dict[str, list] = {}  # an archive holds one entry per article: one per round
    for item in items:
        versions.setdefault(item["url"], []).append(item)
    for round in range(max(map(len, versions.values()))):
        batch = [v[round] for v in versions.values() if len(v) > round]
        assert_index_agrees(batch, tmp_path / f"archive-{round}")


def test_validation_reads_the_fingerprints_reading_of_the_entry(tmp_path, parses):
    from newsspider.pipelines.validate import problem

    seed = read_entry(SHARED_ARCHIVE / UNCHANGED[0])
    headers = {b"Content-Type": b"text/html; charset=utf-8"}
    [item] = page_items(spider(tmp_path), [(seed.url, headers, compose_page(seed).encode())])
    before = len(parses)
    assert problem(item) is None
    assert len(parses) == before
