"""robots.txt: every request obeys it, and its Crawl-delay spaces the requests.

Live, on a loopback server; the crawl's www.rfi.fr requests are rerouted there
(tests/reroute.py), so robots.txt is the server's.
"""

from __future__ import annotations

import logging
import time
from itertools import pairwise

import pytest

from newsspider.archive import read_entry
from tests.compose import ARCHIVE, compose_page
from tests.conftest import make_archive
from tests.loopback import LoopbackServer
from tests.reroute import SITE, run_rerouted_crawl

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ARTICLES = [
    "seed_000_fa28d98bcef6ab2a.txt",
    "duty-machine-news_rfi_1000000.md",
    "duty-machine-news_rfi_1000001.md",
    "duty-machine-news_rfi_1000002.md",
    "duty-machine-news_rfi_1000004.md",
    "duty-machine-news_rfi_1000005.md",
]
STOCK = "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"
OURS = "newsspider.middlewares.robots.RobotsTxtForEveryRequest"
JITTER = 0.05
"""Seconds a gap measured at the server may fall short of the delay (timers, threads)."""
REFRESH_ALL = {"RFI_DISCOVERY": False, "RFI_RECHECK_EVERYTHING": True, "RETRY_TIMES": 0}


def article_routes(names: list[str], arrivals: list[tuple[float, str]] | None = None) -> dict:
    """The real pages of archive entries, at their URL's path; arrivals noted."""
    routes = {}
    for name in names:
        entry = read_entry(ARCHIVE / name)
        path = "/" + entry.url.removeprefix(SITE)
        body = compose_page(entry).encode("utf-8")

        def page(_count, path=path, body=body):
            if arrivals is not None:
                arrivals.append((time.monotonic(), path))
            return 200, {"Content-Type": "text/html; charset=UTF-8"}, body

        routes[path] = page
    return routes


def robots_route(text: bytes, arrivals: list | None = None, wait: float = 0):
    def robots(_count):
        if arrivals is not None:
            arrivals.append((time.monotonic(), "/robots.txt"))
        time.sleep(wait)
        return 200, {"Content-Type": "text/plain"}, text

    return robots


def crawl_disallowed(tmp_path, middlewares: dict):
    archive = make_archive(tmp_path / "archive", ARTICLES)
    # A slow robots.txt: meanwhile every article request is waiting for it.
    robots = robots_route(b"User-agent: *\nDisallow: /\n", wait=0.5)
    routes = {"/robots.txt": robots, **article_routes(ARTICLES)}
    with LoopbackServer(routes) as server:
        crawler = run_rerouted_crawl(
            archive,
            server.base,
            CONCURRENT_REQUESTS=8,
            CONCURRENT_REQUESTS_PER_DOMAIN=8,
            DOWNLOADER_MIDDLEWARES=middlewares,
            **REFRESH_ALL,
        )
    return crawler, dict(server.hits)


def test_disallow_all_stops_every_waiting_request(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    crawler, hits = crawl_disallowed(tmp_path, {})
    assert hits == {"/robots.txt": 1}  # not one article fetched
    assert crawler.stats.get_value("robotstxt/forbidden") == len(ARTICLES)
    failed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("failed ")]
    assert len(failed) == len(ARTICLES)
    assert all(m.endswith(": forbidden by robots.txt") for m in failed)
    assert any(
        r.getMessage() == f"refresh: checked={len(ARTICLES)} unchanged=0 updated=0 new=0 gone=0"
        f" failed={len(ARTICLES)}"
        for r in caplog.records
    )


def test_upstream_bug_stock_middleware_lets_waiting_requests_through(tmp_path):
    """Documents Scrapy 2.19's bug that newsspider.middlewares.robots works around.

    When this fails, Scrapy has fixed it: drop RobotsTxtForEveryRequest.robot_parser.
    """
    _, hits = crawl_disallowed(tmp_path, {STOCK: 100, OURS: None})
    fetched = [path for path in hits if path != "/robots.txt"]
    assert fetched, (
        "Scrapy's own RobotsTxtMiddleware now stops every request waiting for robots.txt:"
        " the upstream bug is fixed, remove the workaround in newsspider/middlewares/robots.py"
    )


@pytest.mark.parametrize("autothrottle", [False, True], ids=["fixed-delay", "autothrottle"])
def test_crawl_delay_spaces_requests_to_the_site(tmp_path, caplog, autothrottle):
    caplog.set_level(logging.INFO)
    names = ARTICLES[:3]
    archive = make_archive(tmp_path / "archive", names)
    arrivals: list[tuple[float, str]] = []
    routes = {
        "/robots.txt": robots_route(b"User-agent: *\nCrawl-delay: 1\n", arrivals),
        **article_routes(names, arrivals),
    }
    with LoopbackServer(routes) as server:
        crawler = run_rerouted_crawl(
            archive,
            server.base,
            CONCURRENT_REQUESTS=8,
            CONCURRENT_REQUESTS_PER_DOMAIN=8,
            # Without the Crawl-delay nothing would wait: AutoThrottle would bring the
            # delay down to the server's latency (milliseconds), and jitter would halve it.
            DOWNLOAD_DELAY=0,
            AUTOTHROTTLE_ENABLED=autothrottle,
            AUTOTHROTTLE_START_DELAY=0,
            DOWNLOAD_DELAY_JITTER=0.5,
            **REFRESH_ALL,
        )
    times = [when for when, _ in arrivals]
    paths = [path for _, path in arrivals]
    assert paths[0] == "/robots.txt" and sorted(paths[1:]) == sorted(article_routes(names))
    # Between article requests, as the server saw them; the slack is for timers and
    # threads (robots.txt -> first article is left out: its new connection's setup
    # time shifts the server's clock for robots.txt alone).
    gaps = [later - earlier for earlier, later in pairwise(times[1:])]
    assert len(gaps) == 2 and min(gaps) >= 1.0 - JITTER, gaps
    assert crawler.stats.get_value("refresh/unchanged") == len(names)
    applied = [r for r in caplog.records if "Crawl-delay" in r.getMessage()]
    assert [(r.levelname, r.getMessage()) for r in applied] == [
        (
            "INFO",
            "robots.txt of www.rfi.fr: Crawl-delay 1 s, the least wait between requests",
        )
    ]


def test_absurd_crawl_delay_is_capped_with_one_warning(tmp_path, caplog):
    names = ARTICLES[:2]
    archive = make_archive(tmp_path / "archive", names)
    arrivals: list[tuple[float, str]] = []
    routes = {
        "/robots.txt": robots_route(b"User-agent: *\nCrawl-delay: 86400\n", arrivals),
        **article_routes(names, arrivals),
    }
    with LoopbackServer(routes) as server:
        run_rerouted_crawl(archive, server.base, ROBOTSTXT_CRAWL_DELAY_MAX=1, **REFRESH_ALL)
    paths = [path for _, path in arrivals]
    assert paths[0] == "/robots.txt" and sorted(paths[1:]) == sorted(article_routes(names))
    assert 1.0 - JITTER <= arrivals[2][0] - arrivals[1][0] < 10
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("newsspider")
    ]
    assert warnings == [
        "robots.txt of www.rfi.fr asks a Crawl-delay of 86400 s, over"
        " ROBOTSTXT_CRAWL_DELAY_MAX: waiting 1 s between requests instead"
    ]
