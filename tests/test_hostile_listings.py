"""Hostile listings: bombs, broken XML and traversal URLs are read safely.

Each faulty feed, sitemap or section page, served live on loopback (the
crawl's www.rfi.fr requests are rerouted there, tests/reroute.py), gives one
WARNING ``listing <url> not read: <reason>`` and changes nothing else: no
traceback, the same closing line, the archive untouched. Nothing a listing
says ever reaches the file system or makes the crawler read a local file.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import json
import logging
import re

import pytest
import scrapy
from scrapy.crawler import AsyncCrawlerRunner

from newsspider import rfi_sources
from newsspider.archive import canonical_url, read_entry
from newsspider.archive.urls import SITE as RFI_SITE
from newsspider.discovery import ListingError, sitemap_listing
from tests.compose import ARCHIVE, compose_page, compose_section_page
from tests.conftest import crawl_settings, make_archive, run_scrapy, snapshot
from tests.loopback import LoopbackServer
from tests.reroute import reroute_args, run_rerouted_crawl

CN = rfi_sources.EDITIONS["cn"]

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ARCHIVED = "seed_000_fa28d98bcef6ab2a.txt"
NEW = "duty-machine-news_rfi_999990.md"
FEED = "https://www.rfi.fr/cn/rss"
SITEMAP = "https://www.rfi.fr/sitemaps/cn/news.xml"
SECTION = "https://www.rfi.fr/cn/section/"
MAX_SIZE = 1024 * 1024
UNCHANGED = "refresh: checked=1 unchanged=1 updated=0 new=0 gone=0 failed=0"
ROBOTS = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n")
XML = {"Content-Type": "application/xml; charset=UTF-8"}
SECRET = "https://www.rfi.fr/cn/leaked/20240101-secret"
"""What the local file an external entity points at holds: an article URL, so a
leak would show as a request for it."""


def path_of(url: str) -> str:
    return canonical_url(url).removeprefix(RFI_SITE)


def page_route(entry):
    body = compose_page(entry).encode("utf-8")
    return lambda _n: (200, {"Content-Type": "text/html; charset=UTF-8"}, body)


def archived_routes() -> dict:
    return {"/robots.txt": lambda _n: ROBOTS, path_of(archived().url): page_route(archived())}


def archived():
    return read_entry(ARCHIVE / ARCHIVED)


def news_sitemap(locs: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def billion_laughs(root: str, inner: str) -> bytes:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (f'<?xml version="1.0"?><!DOCTYPE {root} [{"".join(levels)}]>{inner}'.encode()).replace(
        b"LAUGH", b"&lol9;"
    )


def hostile_listings(secret_file) -> dict[str, tuple[str, tuple, str]]:
    """Case -> (listing URL, its answer, the reason the warning must give)."""
    spaces = b" " * (2 * MAX_SIZE)
    gzip_bomb = gzip.compress(b"<urlset>" + spaces + b"</urlset>", compresslevel=9)
    external = f"file://{secret_file}"
    return {
        "sitemap gzip bomb, raw .gz body": (
            SITEMAP,
            (200, {"Content-Type": "application/x-gzip"}, gzip_bomb),
            re.escape(f"gzip body larger than DOWNLOAD_MAXSIZE ({MAX_SIZE} B) once decompressed"),
        ),
        "sitemap gzip bomb, Content-Encoding": (
            SITEMAP,
            (200, {**XML, "Content-Encoding": "gzip"}, gzip_bomb),
            r"Ignored response <200 \S+> because its body \(\d+ B compressed, \d+ B"
            rf" decompressed so far\) exceeded DOWNLOAD_MAXSIZE \({MAX_SIZE} B\)",
        ),
        "page gzip bomb as a section page": (
            SECTION,
            (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, gzip_bomb),
            r"Ignored response .* exceeded DOWNLOAD_MAXSIZE",
        ),
        "sitemap over DOWNLOAD_MAXSIZE": (
            SITEMAP,
            (200, XML, b"<urlset>" + spaces + b"</urlset>"),
            r"page larger than DOWNLOAD_MAXSIZE",
        ),
        "billion laughs in RSS": (
            FEED,
            (
                200,
                XML,
                billion_laughs(
                    "rss",
                    "<rss><channel><item><title>LAUGH</title>"
                    "<link>https://www.rfi.fr/cn/a/20240101-LAUGH</link>"
                    "</item></channel></rss>",
                ),
            ),
            re.escape("has a DTD (<!DOCTYPE>): refused, listings have none"),
        ),
        "billion laughs in a sitemap": (
            SITEMAP,
            (200, XML, billion_laughs("urlset", "<urlset><url><loc>LAUGH</loc></url></urlset>")),
            re.escape("has a DTD (<!DOCTYPE>): refused, listings have none"),
        ),
        "external entity in a sitemap": (
            SITEMAP,
            (
                200,
                XML,
                f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{external}">]>'
                "<urlset><url><loc>&xxe;</loc></url></urlset>".encode(),
            ),
            re.escape("has a DTD (<!DOCTYPE>): refused, listings have none"),
        ),
        "external DTD in RSS": (
            FEED,
            (
                200,
                XML,
                f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{external}">'
                "<rss><channel><item><link>&xxe;</link></item></channel></rss>".encode(),
            ),
            re.escape("has a DTD (<!DOCTYPE>): refused, listings have none"),
        ),
        "malformed XML feed": (
            FEED,
            (200, XML, b"<rss><channel><item><link>https://www.rfi.fr/cn/a/20240101-x</link>"),
            r"not well-formed XML: .*line 1",
        ),
        "HTML served as the feed": (
            FEED,
            (200, {"Content-Type": "text/html"}, b"<html><body><p>maintenance</p></body></html>"),
            re.escape("not an RSS feed: its root element is <html>"),
        ),
        "empty sitemap": (SITEMAP, (200, XML, b""), "empty body"),
        "empty feed": (FEED, (200, XML, b"  \n"), "empty body"),
        "empty section page": (SECTION, (200, {"Content-Type": "text/html"}, b""), "empty body"),
        "section page without article links": (
            SECTION,
            (200, {"Content-Type": "text/html"}, b"<html><body><main></main></body></html>"),
            re.escape("no article links on the page (template changed?)"),
        ),
    }


def listing_settings(url: str | None = None, **more) -> dict:
    kinds = {"RFI_FEEDS": FEED, "RFI_SITEMAPS": SITEMAP, "RFI_SECTIONS": SECTION}
    return {
        **{name: [u] if u == url else [] for name, u in kinds.items()},
        "DOWNLOAD_MAXSIZE": MAX_SIZE,
        "RFI_RECHECK_EVERYTHING": True,
        "RETRY_TIMES": 0,
        **more,
    }


def closing_line(caplog) -> str:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("refresh:")][-1]


def assert_no_traceback(caplog, crawler):
    assert not [r for r in caplog.records if r.exc_info or r.exc_text]
    assert not [k for k in crawler.stats.get_stats() if k.startswith("spider_exceptions/")]
    assert crawler.stats.get_value("log_count/ERROR") is None


CASES = list(hostile_listings("/nonexistent"))


@pytest.mark.parametrize("case", CASES)
def test_hostile_listing_is_one_warning_and_changes_nothing(tmp_path, caplog, case):
    caplog.set_level(logging.INFO)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET)
    url, answer, reason = hostile_listings(secret_file)[case]
    archive = make_archive(tmp_path / "archive", [ARCHIVED])
    before = snapshot(archive)
    with LoopbackServer({**archived_routes(), path_of(url): lambda _n: answer}) as server:
        crawler = run_rerouted_crawl(archive, server.base, **listing_settings(url))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    warnings = [w for w in warnings if "AiohttpDownloadHandler is experimental" not in w]
    shown = re.escape(url) + "|" + re.escape(server.base + path_of(url))  # errbacks: rerouted
    assert len(warnings) == 1, warnings
    assert re.match(rf"listing ({shown}) not read: {reason}", warnings[0]), warnings[0]
    assert crawler.stats.get_value("discovery/failed_listings") == 1
    assert_no_traceback(caplog, crawler)
    assert closing_line(caplog) == UNCHANGED
    assert not crawler.stats.get_value("refresh/run_failed")
    assert snapshot(archive) == before
    assert set(server.hits) == {"/robots.txt", path_of(archived().url), path_of(url)}
    assert not [r for r in caplog.records if SECRET in r.getMessage()]  # no local file read


HOSTILE_URLS = [
    "https://www.rfi.fr/cn/../../etc/passwd",
    "https://www.rfi.fr/cn/%2e%2e/%2E%2E/etc/passwd",
    "https://www.rfi.fr/cn/%2e%2e/",
    "https://www.rfi.fr/cn/..\\..\\etc\\passwd",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://evil.example/cn/20240101-x",
    "//evil.example/cn/20240101-x",
    "https://www.rfi.fr.evil.example/cn/20240101-x",
    "http://127.0.0.1:9/cn/20240101-x",
]


def test_listed_urls_off_rfi_cn_are_never_requested(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    archive = make_archive(tmp_path / "archive", [ARCHIVED])
    new = read_entry(ARCHIVE / NEW)
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(
            f"<sitemap><loc>{u}</loc></sitemap>"
            for u in (
                "file:///etc/passwd",
                "https://evil.example/s.xml",
                "javascript:x()",
                "https://www.rfi.fr/sitemaps/cn/contents_202401.xml",
            )
        )
        + "</sitemapindex>"
    ).encode()
    routes = {
        **archived_routes(),
        path_of(SITEMAP): lambda _n: (200, XML, news_sitemap([*HOSTILE_URLS, new.url])),
        "/sitemaps/cn/index.xml": lambda _n: (200, XML, index),
        "/sitemaps/cn/contents_202401.xml": lambda _n: (200, XML, news_sitemap([])),
        path_of(new.url): page_route(new),
    }
    settings = listing_settings(SITEMAP, RFI_OLDEST_DAYS=36500)
    settings["RFI_SITEMAPS"].append("https://www.rfi.fr/sitemaps/cn/index.xml")
    with LoopbackServer(routes) as server:
        crawler = run_rerouted_crawl(archive, server.base, **settings)
    assert set(server.hits) == {
        "/robots.txt",
        path_of(archived().url),
        path_of(SITEMAP),
        "/sitemaps/cn/index.xml",
        "/sitemaps/cn/contents_202401.xml",  # the one child sitemap on www.rfi.fr
        path_of(new.url),  # the one real article listed: discovery did run
    }
    assert crawler.stats.get_value("discovery/new") == 1
    assert crawler.stats.get_value("offsite/filtered") is None  # none even got that far
    assert closing_line(caplog) == "refresh: checked=2 unchanged=1 updated=0 new=1 gone=0 failed=0"


def test_hostile_title_and_url_cannot_create_a_file_outside_the_archive(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    # Deep enough that the "../" below, if ever used in a path, would land inside tmp_path.
    archive = make_archive(tmp_path / "a" / "b" / "c" / "d" / "e" / "archive", [ARCHIVED])
    listed = "https://www.rfi.fr/cn/x/../%E4%B8%AD%E5%9B%BD/20240102-..%2F..%2F..%2Fescape.txt"
    hostile = dataclasses.replace(
        read_entry(ARCHIVE / NEW),
        url=canonical_url(listed),
        title="../../../escape-title/../../etc/passwd \\..\\..\\escape-title.txt",
    )
    beside = sorted(p for p in tmp_path.rglob("*") if archive not in p.parents and p != archive)
    routes = {
        **archived_routes(),
        path_of(SITEMAP): lambda _n: (200, XML, news_sitemap([listed])),
        path_of(hostile.url): page_route(hostile),
    }
    with LoopbackServer(routes) as server:
        crawler = run_rerouted_crawl(
            archive, server.base, **listing_settings(SITEMAP, RFI_OLDEST_DAYS=36500)
        )
    assert path_of(hostile.url) in server.hits
    assert crawler.stats.get_value("refresh/new") == 1  # the hostile article was archived
    after = sorted(p for p in tmp_path.rglob("*") if archive not in p.parents and p != archive)
    assert after == beside  # nothing new outside the archive
    assert not list(tmp_path.rglob("*escape*"))  # nor inside it, under a name from the page
    names = [p.name for p in archive.iterdir() if p.suffix in (".txt", ".md")]  # entries
    [added] = [n for n in names if n != ARCHIVED]
    assert re.fullmatch(r"[0-9a-f]{16}\.txt", added)  # named by a hash of the URL
    assert read_entry(archive / added).url == hostile.url


def test_page_gzip_bomb_fails_that_article_only(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    archive = make_archive(tmp_path / "archive", [ARCHIVED])
    before = snapshot(archive)
    bomb = gzip.compress(b"<html>" + b" " * (2 * MAX_SIZE) + b"</html>", compresslevel=9)
    routes = {
        "/robots.txt": lambda _n: ROBOTS,
        path_of(archived().url): lambda _n: (
            200,
            {"Content-Type": "text/html; charset=UTF-8", "Content-Encoding": "gzip"},
            bomb,
        ),
    }
    with LoopbackServer(routes) as server:
        run_rerouted_crawl(archive, server.base, **listing_settings())
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    lines = [r.getMessage() for r in lines if "AiohttpDownloadHandler" not in r.getMessage()]
    assert len(lines) == 3, lines  # the article, "run failed", the closing line
    assert lines[0].startswith(f"failed {archived().url}: Ignored response <200 ")
    assert "exceeded DOWNLOAD_MAXSIZE" in lines[0]
    assert lines[-1] == "refresh: checked=1 unchanged=0 updated=0 new=0 gone=0 failed=1"
    assert not [r for r in caplog.records if r.exc_info or r.exc_text]
    assert snapshot(archive) == before


def test_command_line_gzip_bomb_sitemap_warns_once_and_exits_0(tmp_path):
    """The issue's case, as cron runs it: default listings, one of them a gzip bomb."""
    archive = make_archive(tmp_path / "archive", [ARCHIVED])
    before = snapshot(archive)
    empty_rss = b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>'
    empty_index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'
    section = compose_section_page([archived()]).encode("utf-8")
    bomb = gzip.compress(b"<urlset>" + b" " * (9 * 1024 * 1024) + b"</urlset>", compresslevel=9)
    routes = {
        **archived_routes(),
        **{path_of(u): (lambda _n: (200, XML, empty_rss)) for u in CN.feeds},
        **{
            path_of(u): (lambda _n: (200, {"Content-Type": "text/html"}, section))
            for u in CN.listing_pages
        },
        path_of(CN.news_sitemap): lambda _n: (
            200,
            {"Content-Type": "application/x-gzip"},
            bomb,
        ),
        path_of(CN.sitemap_index): lambda _n: (200, XML, empty_index),
    }
    with LoopbackServer(routes) as server:
        done = run_scrapy(
            "crawl",
            "rfi",
            "-L",
            "WARNING",
            "-s",
            f"ARCHIVE_DIR={archive}",
            *reroute_args(server.base),
            "-s",
            "RFI_RECHECK_EVERYTHING=True",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "DOWNLOAD_DELAY=0",
        )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.splitlines()
        == [  # -L WARNING, as in cron: only this line
            done.stderr.split("] ", 1)[0]
            + "] WARNING: listing https://www.rfi.fr/sitemaps/cn/news.xml"
            " not read: gzip body larger than DOWNLOAD_MAXSIZE (8388608 B) once decompressed"
        ]
    )
    [report] = (archive / "reports").glob("*.json")
    assert json.loads(report.read_text())["counts"] == {
        "checked": 1,
        "unchanged": 1,
        "updated": 0,
        "new": 0,
        "gone": 0,
        "failed": 0,
    }
    assert snapshot(archive) == before


# --- the listing readers themselves -------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE urlset [<!ENTITY a "b">]>'
            "<urlset><url><loc>&a;</loc></url></urlset>".encode("utf-16"),
            "has a DTD (<!DOCTYPE>): refused, listings have none",
        ),
        (
            b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- a comment -->\n<!DOCTYPE urlset><urlset/>',
            "has a DTD (<!DOCTYPE>): refused, listings have none",
        ),
        (gzip.compress(b"<urlset/>")[:10] + b"\xff" * 40, "not a valid gzip body: "),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "not a sitemap: its root element"),
    ],
    ids=["DTD in UTF-16", "DTD after BOM and comment", "corrupt gzip", "Atom as sitemap"],
)
def test_sitemap_reader_refuses_with_a_reason(body, reason):
    with pytest.raises(ListingError) as refused:
        sitemap_listing(body, MAX_SIZE)
    assert str(refused.value).startswith(reason)
    assert "\n" not in str(refused.value)


def test_sitemap_index_keeps_only_child_sitemaps_on_www_rfi_fr():
    children = [
        "file:///etc/passwd",
        "https://evil.example/s.xml",
        "http://rfi.fr/sitemaps/cn/contents_202401.xml",
        "ftp://www.rfi.fr/s.xml",
    ]
    body = (
        "<sitemapindex>" + "".join(f"<sitemap><loc>{c}</loc></sitemap>" for c in children)
    ).encode() + b"</sitemapindex>"
    kind, listed = sitemap_listing(body)
    assert kind == "sitemapindex"
    assert [s.url for s in listed] == ["https://www.rfi.fr/sitemaps/cn/contents_202401.xml"]


def test_the_crawler_cannot_read_local_files(tmp_path):
    """Defence in depth: even a file: request that got past the listing readers fails."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    outcome = {}

    class FileSpider(scrapy.Spider):
        name = "file-probe"

        async def start(self):
            yield scrapy.Request(f"file://{secret}", callback=self.read, errback=self.refused)

        def read(self, response):
            outcome["read"] = response.body

        def refused(self, failure):
            outcome["refused"] = failure.getErrorMessage()

    async def crawl():
        settings = crawl_settings(tmp_path, EXTENSIONS={}, ITEM_PIPELINES={})
        await AsyncCrawlerRunner(settings).crawl(FileSpider)

    asyncio.run(crawl())
    assert "read" not in outcome
    assert "Unsupported URL scheme 'file'" in outcome["refused"]
