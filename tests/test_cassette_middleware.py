"""The cassette middleware: record from a real server, replay with it gone.

Recording runs against a loopback HTTP server started here; replay runs with
the server shut down, so any answer seen then came from the cassette.
"""

from __future__ import annotations

import asyncio
import gzip
import shutil

import pytest
import scrapy
from scrapy.crawler import AsyncCrawlerRunner
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode

from tests.conftest import ROOT, crawl_settings, run_scrapy
from tests.loopback import LoopbackServer

GB_TEXT = "白宫：朝鲜已向俄罗斯提供装备"


class EchoSpider(scrapy.Spider):
    """Yields what each response looked like after the whole middleware chain."""

    name = "echo"
    custom_settings = {"ROBOTSTXT_OBEY": False, "HTTPERROR_ALLOW_ALL": True, "RETRY_TIMES": 1}

    def __init__(self, urls, **kwargs):
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response):
        yield {
            "url": response.url,
            "status": response.status,
            "content_type": response.headers.get("Content-Type", b"").decode(),
            "etag": response.headers.get("ETag", b"").decode(),
            "last_modified": response.headers.get("Last-Modified", b"").decode(),
            "text": response.text if hasattr(response, "text") else response.body.decode(),
            "redirected_from": response.meta.get("redirect_urls", []),
        }


def routes():
    html = f"<html><body><p>{GB_TEXT}</p></body></html>"
    return {
        "/utf8-gzip": lambda n: (
            200,
            {
                "Content-Type": "text/html; charset=UTF-8",
                "Content-Encoding": "gzip",
                "ETag": '"abc123"',
                "Last-Modified": "Fri, 20 Nov 2026 08:00:00 GMT",
            },
            gzip.compress(html.encode("utf-8")),
        ),
        "/gb2312": lambda n: (
            200,
            {"Content-Type": "text/html; charset=gb2312"},
            html.encode("gb2312"),
        ),
        "/moved": lambda n: (301, {"Location": "/utf8-gzip"}, b""),
        "/busy": lambda n: (
            (429, {"Retry-After": "1"}, b"")
            if n == 0
            else (200, {"Content-Type": "text/plain; charset=utf-8"}, b"ok after wait")
        ),
        "/missing": lambda n: (404, {"Content-Type": "text/html; charset=utf-8"}, b"gone"),
    }


def crawl(tmp_path, cassette, urls):
    items = []
    (tmp_path / "archive").mkdir(exist_ok=True)

    async def run():
        runner = AsyncCrawlerRunner(crawl_settings(tmp_path / "archive"))
        crawler = runner.create_crawler(EchoSpider)

        def collect(item):
            items.append(item)

        crawler.signals.connect(collect, scrapy.signals.item_scraped, weak=False)
        await runner.crawl(crawler, urls=urls, vcr_cassette=cassette)
        return crawler

    crawler = asyncio.run(run())
    return sorted(items, key=lambda i: i["url"] + str(i["redirected_from"])), crawler


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_record_then_replay_offline_gives_the_same_responses(tmp_path):
    path = str(tmp_path / "cassette.yaml")
    with LoopbackServer(routes()) as server:
        urls = [server.base + p for p in ("/utf8-gzip", "/gb2312", "/moved", "/busy", "/missing")]
        recorder = Cassette.load(path=path, record_mode=RecordMode.ONCE)
        live, recording_crawler = crawl(tmp_path, recorder, urls)
        recorder._save()
        assert server.hits["/busy"] == 2  # the 429 was retried after Retry-After
    assert recording_crawler.stats.get_value("vcr/recorded") == 7
    assert len(live) == 5

    stored = {}
    for request, answer in Cassette.load(path=path).data:
        stored.setdefault(request.uri.rsplit("/", 1)[1], answer)  # the first answer to each
    assert stored["moved"]["headers"]["Location"] == ["/utf8-gzip"]
    assert stored["busy"]["headers"]["Retry-After"] == ["1"]  # the first, 429, answer

    player = Cassette.load(path=path, record_mode=RecordMode.NONE)  # plays 429 then 200, in order
    replayed, crawler = crawl(tmp_path, player, urls)
    assert replayed == live
    assert crawler.stats.get_value("vcr/replayed") == 7
    assert crawler.stats.get_value("retry/count") == 1  # the replayed 429 was retried
    assert not crawler.stats.get_value("vcr/recorded")

    by_path = {
        i["url"].rsplit("/", 1)[1] + ("<-moved" if i["redirected_from"] else ""): i
        for i in replayed
    }
    assert by_path["utf8-gzip"]["etag"] == '"abc123"'
    assert by_path["utf8-gzip"]["last_modified"] == "Fri, 20 Nov 2026 08:00:00 GMT"
    assert GB_TEXT in by_path["utf8-gzip"]["text"]  # gunzipped on replay as on the wire
    assert by_path["gb2312"]["content_type"] == "text/html; charset=gb2312"
    assert GB_TEXT in by_path["gb2312"]["text"]  # decoded with the recorded charset
    assert by_path["utf8-gzip<-moved"]["redirected_from"][0].endswith("/moved")
    assert by_path["busy"]["text"] == "ok after wait"
    assert by_path["missing"]["status"] == 404


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_gzip_bodies_are_stored_compressed(tmp_path):
    path = tmp_path / "c.yaml"
    with LoopbackServer(routes()) as server:
        cassette = Cassette.load(path=str(path), record_mode=RecordMode.ONCE)
        crawl(tmp_path, cassette, [server.base + "/utf8-gzip"])
        cassette._save()
    [response] = Cassette.load(path=str(path), record_mode=RecordMode.NONE).responses
    assert response["body"]["string"][:2] == b"\x1f\x8b"
    assert response["headers"]["Content-Encoding"] == ["gzip"]


def test_unmatched_request_fails_naming_the_url_and_never_touches_the_network(tmp_path, caplog):
    empty = Cassette.load(path=str(tmp_path / "none.yaml"), record_mode=RecordMode.NONE)
    items, crawler = crawl(tmp_path, empty, ["https://www.rfi.fr/cn/never-recorded"])
    assert items == []
    assert crawler.stats.get_value("vcr/unmatched") == 1
    assert any(
        "no recorded response for GET https://www.rfi.fr/cn/never-recorded" in r.getMessage()
        for r in caplog.records
    )


def test_command_line_replay_of_the_demo_cassette(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(ROOT / "seeds", archive)
    before = (archive / "000_fa28d98bcef6ab2a.txt").read_bytes()
    done = run_scrapy(
        "crawl", "rfi", "-s", "VCR_CASSETTE=cassettes/demo.yaml", "-s", f"ARCHIVE_DIR={archive}"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (
        done.stderr.rstrip()
        .splitlines()[-1]
        .endswith("refresh: checked=1 unchanged=1 updated=0 new=0 gone=0 failed=0")
    )
    assert (archive / "000_fa28d98bcef6ab2a.txt").read_bytes() == before
    written = sorted(p.relative_to(archive).parts[0] for p in archive.rglob("*") if p.is_file())
    assert set(written) == {"000_fa28d98bcef6ab2a.txt", "reports", ".newsspider"}


def test_answers_play_in_order_then_the_last_one_repeats(tmp_path):
    from scrapy.utils.test import get_crawler
    from vcr.request import Request as VcrRequest

    from newsspider.middlewares.cassette import CassetteMiddleware

    cassette = Cassette.load(path=str(tmp_path / "seq.yaml"), record_mode=RecordMode.ALL)
    url = "https://www.rfi.fr/cn/busy"
    for status in (429, 200):
        answer = {"status": {"code": status, "message": ""}, "headers": {}, "body": {"string": b""}}
        cassette.append(VcrRequest("GET", url, None, {}), answer)
    cassette._save()
    player = Cassette.load(path=str(tmp_path / "seq.yaml"), record_mode=RecordMode.NONE)
    middleware = CassetteMiddleware(player, get_crawler(), owns_cassette=False)
    statuses = [middleware.process_request(scrapy.Request(url)).status for _ in range(4)]
    assert statuses == [429, 200, 200, 200]
