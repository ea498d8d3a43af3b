"""Shared test helpers: real archive samples, temp archives, crawls on cassettes."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.settings import Settings

from newsspider.spiders.rfi import RfiSpider
from tests.redis_server import started

ROOT = Path(__file__).resolve().parents[1]
SHARED_ARCHIVE = ROOT.parent / "shared" / "rfi" / "archive"
CASSETTES = ROOT / "cassettes"


@pytest.fixture
def redis_server(tmp_path):
    """A real redis-server on a free loopback port (tests/redis_server.py)."""
    yield from started(tmp_path / "redis")


@pytest.fixture(scope="session")
def vcr_config():
    # VCR.py's own patch of aiohttp would record Scrapy's downloads a second time.
    return {"skip_patchers": ("aiohttp",)}


@pytest.fixture(scope="module")
def vcr_cassette_dir(request):
    return str(CASSETTES / request.module.__name__.split(".")[-1])


def make_archive(folder: Path, names: list[str]) -> Path:
    """A writable copy of some real archive entries."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = folder / name
        shutil.copyfile(SHARED_ARCHIVE / name, target)
        target.chmod(0o644)
    return folder


def crawl_settings(archive_dir: Path, **overrides) -> Settings:
    settings = Settings()
    settings.setmodule("newsspider.settings", priority="project")
    settings.update(
        {
            "TWISTED_REACTOR_ENABLED": False,
            "ARCHIVE_DIR": str(archive_dir),
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "LOG_LEVEL": "INFO",
            **overrides,
        },
        priority="cmdline",
    )
    return settings


def run_crawl(archive_dir: Path, cassette, **overrides):
    """Run the rfi spider to the end through the real engine; return its crawler.

    Fails the test, naming the URLs, when the cassette could not answer a request.
    """

    async def crawl():
        runner = AsyncCrawlerRunner(crawl_settings(archive_dir, **overrides))
        crawler = runner.create_crawler(RfiSpider)
        await runner.crawl(crawler, vcr_cassette=cassette)
        return crawler

    crawler = asyncio.run(crawl())
    unmatched = crawler.stats.get_value("vcr/unmatched", 0)
    if unmatched:
        pytest.fail(
            f"{unmatched} request(s) had no recorded answer in {cassette._path}; see the log"
        )
    return crawler


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every archive file (entries, history, gone records) with its bytes."""
    skip = {".newsspider", "reports"}
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] not in skip
    }


def run_scrapy(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the ``scrapy`` command from the project folder, as a user (or cron) would."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
