"""Test-only: serve www.rfi.fr from a loopback server, to several crawl processes.

``LoopbackSite`` (a downloader middleware, first in line) sends every request for
``https://www.rfi.fr/…`` to ``TEST_LOOPBACK_BASE`` instead, and hands the responses back
under their www.rfi.fr URLs, so the spider reads them as RFI's. ``site_from_cassette``
turns a shipped cassette into the server's routes: the pages the other tests replay,
now over real sockets, with the server counting who asked for what, and when.

A middleware, not tests/reroute.py's download handler: with REDIS_URL the add-on puts
its paced handler (the shared politeness budget) in DOWNLOAD_HANDLERS over everything,
and that handler must see the downloads these tests and bench/distributed.py count.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import yaml
from scrapy.exceptions import NotConfigured

SITE = "https://www.rfi.fr/"
ROOT = Path(__file__).resolve().parents[1]


class LoopbackSite:
    def __init__(self, base: str):
        if not base.startswith("http://127.0.0.1:"):
            raise ValueError(f"TEST_LOOPBACK_BASE must be a loopback URL, not {base!r}")
        self.base = base.rstrip("/") + "/"

    @classmethod
    def from_crawler(cls, crawler):
        base = crawler.settings.get("TEST_LOOPBACK_BASE")
        if not base:
            raise NotConfigured
        return cls(base)

    def process_request(self, request):
        if request.url.startswith(self.base):
            request.meta["allow_offsite"] = True  # robots.txt of the loopback "site"
            return None
        if request.url.startswith(SITE):
            url = self.base + request.url[len(SITE) :]
            return request.replace(url=url, meta={**request.meta, "allow_offsite": True})
        return None

    def process_response(self, request, response):
        if response.url.startswith(self.base):
            return response.replace(url=SITE + response.url[len(self.base) :])
        return response


class Hits:
    """What the server was asked, in order: (monotonic time, path)."""

    def __init__(self):
        self.log: list[tuple[float, str]] = []

    def count(self, path: str) -> int:
        return sum(1 for _, p in self.log if p == path)

    def paths(self) -> list[str]:
        return [p for _, p in self.log]


def site_from_cassette(cassette: Path, hits: Hits, delay: float = 0.0, overrides=None) -> dict:
    """LoopbackServer routes answering as the cassette does; article pages after ``delay``
    seconds (so that several processes share the work); ``overrides`` maps a path to a
    function that makes its route from the recorded one (or from None)."""
    recorded = yaml.safe_load(cassette.read_text(encoding="utf-8"))
    routes = {}
    for interaction in recorded["interactions"]:
        url = interaction["request"]["uri"]
        path = "/" + url[len(SITE) :]
        answer = interaction["response"]
        status = answer["status"]["code"]
        headers = {name: values[0] for name, values in answer["headers"].items()}
        body = answer["body"]["string"]
        body = body.encode() if isinstance(body, str) else body
        wait = delay if path.startswith("/cn/") else 0.0
        routes[path] = _route(status, headers, body, wait)
    for path, override in (overrides or {}).items():
        routes[path] = override(routes.get(path))
    return {path: _counted(path, route, hits) for path, route in routes.items()}


def _route(status, headers, body, wait):
    def answer(count):
        if wait:
            time.sleep(wait)
        return status, headers, body

    return answer


def _counted(path, route, hits: Hits):
    def answer(count):
        hits.log.append((time.monotonic(), path))
        return route(count)

    return answer


def start_crawl(log: Path, *args: str) -> subprocess.Popen:
    """``scrapy crawl rfi`` of this checkout in the background, its log in ``log``."""
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "rfi", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
