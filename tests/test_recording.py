"""Recording never destroys recorded material.

A recording that cannot reach the site (offline: every connection goes to a
closed loopback port through ``https_proxy``) leaves every cassette byte for
byte as it was and fails naming the URL, from pytest and from the command line.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys

import pytest
import scrapy
from scrapy.crawler import AsyncCrawlerRunner

from tests.conftest import CASSETTES, ROOT, SHARED, crawl_settings, run_scrapy
from tests.loopback import LoopbackServer


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def offline_env() -> dict[str, str]:
    """Every download refused at once, whatever network the machine has."""
    proxy = f"http://127.0.0.1:{closed_port()}"
    return {"https_proxy": proxy, "http_proxy": proxy, "no_proxy": ""}


def files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


QUICK = ("-s", "RETRY_TIMES=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0")


def test_offline_rewrite_of_every_cassette_changes_no_cassette(tmp_path):
    """The README's "re-record all" command, run where rfi.fr cannot be reached."""
    project = tmp_path / "newsspider"
    project.mkdir()
    for folder in ("tests", "cassettes", "seeds"):
        shutil.copytree(ROOT / folder, project / folder)
    for name in ("pyproject.toml", "scrapy.cfg"):
        shutil.copyfile(ROOT / name, project / name)
    (tmp_path / "shared").symlink_to(SHARED)  # read, never written
    before = files(project / "cassettes")
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "vcr", "--collect-only", "-q"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    replaying = {line for line in listed.stdout.splitlines() if "::" in line}
    assert replaying, listed.stdout[-3000:]

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "vcr", "--record-mode=rewrite", "-rf", "-vv"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **offline_env()},
    )

    assert files(project / "cassettes") == before  # byte for byte, and no new file
    assert done.returncode == 1, done.stdout[-3000:]
    summary = [line for line in done.stdout.splitlines() if line.startswith("FAILED ")]
    recorded_tests = {line.split()[1] for line in summary}
    assert recorded_tests == replaying  # every test that replays a cassette
    for line in summary:
        assert "recording into " in line and "failed, cassette left as it was: GET https://" in line


def test_command_line_recording_offline_keeps_the_cassette_and_exits_1(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(ROOT / "seeds", archive)
    cassette = tmp_path / "demo.yaml"
    shutil.copyfile(CASSETTES / "demo.yaml", cassette)
    before = cassette.read_bytes()
    done = run_scrapy(
        "crawl",
        "rfi",
        *("-s", f"VCR_CASSETTE={cassette}", "-s", "VCR_RECORD_MODE=all"),
        *("-s", f"ARCHIVE_DIR={archive}", *QUICK),
        env=offline_env(),
    )
    assert done.returncode == 1
    assert cassette.read_bytes() == before
    [line] = [line for line in done.stderr.splitlines() if "recording failed" in line]
    assert line.split("] ERROR: ", 1)[1].startswith(
        f"recording failed, cassette {cassette} not saved, left as it was: "
        "GET https://www.rfi.fr/robots.txt: "
    )
    assert "Traceback" not in done.stderr


def test_command_line_recording_of_a_new_cassette_offline_creates_no_file(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(ROOT / "seeds", archive)
    cassette = tmp_path / "new.yaml"
    done = run_scrapy(
        "crawl",
        "rfi",
        *("-s", f"VCR_CASSETTE={cassette}", "-s", "VCR_RECORD_MODE=once"),
        *("-s", f"ARCHIVE_DIR={archive}", *QUICK),
        env=offline_env(),
    )
    assert done.returncode == 1
    assert not cassette.exists()
    assert "recording failed, cassette " in done.stderr


class FetchSpider(scrapy.Spider):
    name = "fetch"
    custom_settings = {"ROBOTSTXT_OBEY": False, "RETRY_TIMES": 0}

    def __init__(self, urls, **kwargs):
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed)

    def parse(self, response):
        yield {"url": response.url}

    def failed(self, failure):
        pass


def record(tmp_path, cassette, urls):
    async def run():
        settings = crawl_settings(
            tmp_path, VCR_CASSETTE=str(cassette), VCR_RECORD_MODE="new_episodes"
        )
        runner = AsyncCrawlerRunner(settings)
        crawler = runner.create_crawler(FetchSpider)
        await runner.crawl(crawler, urls=urls)
        return crawler

    return asyncio.run(run())


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_one_failed_download_while_recording_saves_nothing(tmp_path):
    page = {"/page": lambda n: (200, {"Content-Type": "text/plain"}, b"recorded")}
    cassette = tmp_path / "c.yaml"
    with LoopbackServer(page) as server:
        unreachable = f"http://127.0.0.1:{closed_port()}/page"
        crawler = record(tmp_path, cassette, [server.base + "/page", unreachable])
        assert crawler.stats.get_value("vcr/recorded") == 1
        assert crawler.stats.get_value("vcr/record_failed") == 1
        assert not cassette.exists()  # the page it got is not worth a cassette missing one

        record(tmp_path, cassette, [server.base + "/page"])  # and when nothing fails:
        assert b"recorded" in cassette.read_bytes()
        before = cassette.read_bytes()
        crawler = record(tmp_path, cassette, [server.base + "/other", unreachable])
        assert crawler.stats.get_value("vcr/recorded") == 1  # the 404 of /other
    assert cassette.read_bytes() == before  # an existing cassette keeps its bytes
