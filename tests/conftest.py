"""Shared test helpers: real archive samples, temp archives, crawls on cassettes."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.settings import Settings

from newsspider.signals import recording_failed
from newsspider.spiders.rfi import RfiSpider
from tests.redis_server import started

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_ARCHIVE = SHARED / "rfi" / "archive"
CASSETTES = ROOT / "cassettes"


settings.register_profile("newsspider", database=None)  # no examples kept between runs
settings.load_profile("newsspider")


def pytest_configure(config):
    # Hypothesis caches into ./.hypothesis/ as test modules are collected: a temp folder.
    home = tempfile.mkdtemp(prefix="newsspider-hypothesis-")
    set_hypothesis_home_dir(home)
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))


def folder_state(root: Path) -> dict[str, tuple[bool, int, int]]:
    """Every path under ``root`` (itself included) -> (is a folder, size, mtime)."""
    if not root.exists():
        return {}
    state = {}
    for path in [root, *root.rglob("*")]:
        info = path.stat()
        state[str(path.relative_to(root))] = (path.is_dir(), info.st_size, info.st_mtime_ns)
    return state


@pytest.fixture(scope="session", autouse=True)
def read_only_folders(record_mode):
    """Tests write only into their tmp_path: ../shared, seeds/ and (replaying) cassettes/
    are the same, name for name, size for size, mtime for mtime, after the run.

    Root may write into a read-only folder, so permissions alone prove nothing in CI;
    test_shared_read_only.py also runs the tests that read ../shared with it mounted
    read-only.
    """
    folders = [SHARED, ROOT / "seeds"] + ([CASSETTES] if record_mode == "none" else [])
    before = {folder: folder_state(folder) for folder in folders}
    yield
    changed = [str(f) for f in folders if folder_state(f) != before[f]]
    if changed:
        pytest.fail(f"the tests wrote into {', '.join(changed)}", pytrace=False)


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


@pytest.fixture
def default_cassette_name(request):
    """A test that names its cassette (``@pytest.mark.vcr("discovery.yaml")``) records into it.

    pytest-recording would record such a test into a new file named after the
    test and leave the named one as it was; re-recording is meant to renew the
    cassette the tests replay.
    """
    marker = request.node.get_closest_marker("vcr")
    if marker is not None and marker.args:
        return marker.args[0]
    return request.node.name


FAILED_RECORDINGS: dict[str, list[str]] = {}
"""Cassette path -> the downloads that failed while recording into it (see run_crawl)."""


@pytest.fixture
def cassette_files_kept(request, record_mode, vcr_markers, vcr_cassette_dir, default_cassette_name):
    """When recording, keep the bytes of the test's cassette files; put them back if it failed.

    pytest-recording deletes the cassette before a ``--record-mode=rewrite`` test
    and saves whatever was recorded after it: offline, that destroyed the
    recorded material. Set up before pytest-recording's ``vcr`` fixture and torn
    down after it has saved, this restores every file byte for byte (and removes
    files that did not exist) when a download failed while recording, or when a
    cassette is gone because the test stopped before recording anything.
    """
    if not vcr_markers or record_mode == "none":
        yield
        return
    folder = Path(vcr_cassette_dir)
    names = {default_cassette_name, *(name for m in vcr_markers for name in m.args)}
    paths = [folder / (n if n.endswith(".yaml") else n + ".yaml") for n in sorted(names)]
    kept = {path: path.read_bytes() if path.exists() else None for path in paths}
    yield
    failed = [FAILED_RECORDINGS.pop(str(path), None) for path in paths]
    lost = [path for path, data in kept.items() if data is not None and not path.exists()]
    if any(failed) or lost:
        for path, data in kept.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)


@pytest.fixture
def vcr(cassette_files_kept, vcr):
    """pytest-recording's ``vcr`` (the test's Cassette), its files kept safe while recording."""
    return vcr


def shared_copy(tmp_path: Path) -> Path:
    """A writable copy of every real sample in ../shared/rfi/archive (its files only)."""
    folder = tmp_path / "shared-archive"
    folder.mkdir()
    for path in SHARED_ARCHIVE.iterdir():
        if path.is_file():
            shutil.copyfile(path, folder / path.name)
    return folder


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
            "REFRESH_ENABLED": True,  # as `scrapy crawl` sets it
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

    Fails the test, naming the URLs, when the cassette could not answer a request,
    or when a download failed while recording (the cassette files are then
    restored as they were, see ``cassette_files_kept``).
    """
    failed_downloads: list[str] = []

    async def crawl():
        runner = AsyncCrawlerRunner(crawl_settings(archive_dir, **overrides))
        crawler = runner.create_crawler(RfiSpider)
        crawler.signals.connect(
            lambda failures: failed_downloads.extend(failures),
            signal=recording_failed,
            weak=False,
        )
        await runner.crawl(crawler, vcr_cassette=cassette)
        return crawler

    crawler = asyncio.run(crawl())
    if failed_downloads:
        FAILED_RECORDINGS.setdefault(str(cassette._path), []).extend(failed_downloads)
        more = f" (and {len(failed_downloads) - 1} more)" if len(failed_downloads) > 1 else ""
        pytest.fail(
            f"recording into {cassette._path} failed, cassette left as it was: "
            f"{failed_downloads[0]}{more}",
            pytrace=False,
        )
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
