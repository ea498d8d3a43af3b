"""A refresh over Redis: the archive's process and two workers, as separate OS processes,
against a loopback copy of the site and a real redis-server.

The site is the discovery cassette served over real sockets (tests/loopback_site.py);
every process runs ``scrapy crawl rfi`` as a user would, with its capture times frozen
to one instant, so that the archive can be compared byte for byte with what a
single-process refresh writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsspider import settings as project_settings
from tests.cassette_factory import SMALL_ARCHIVE
from tests.conftest import CASSETTES, ROOT, make_archive, run_scrapy
from tests.loopback import LoopbackServer
from tests.loopback_site import Hits, site_from_cassette

DISCOVERY = CASSETTES / "test_discovery" / "discovery.yaml"
NOW_MS = 1_800_000_000_000
WIDE_OPEN = {"RFI_OLDEST_DAYS": 36500, "RFI_MAX_SITEMAPS": 1}
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RFI_PROGRESS_INTERVAL": 0}
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

QUICK_FRONTIER = {"REDIS_LEASE_TIMEOUT": 2, "REDIS_POLL_INTERVAL": 0.05, "REDIS_JOIN_TIMEOUT": 30}


def settings_for(base: str, **extra) -> list[str]:
    middlewares = {
        **project_settings.DOWNLOADER_MIDDLEWARES,
        "tests.loopback_site.LoopbackSite": 40,
        **extra.pop("DOWNLOADER_MIDDLEWARES", {}),
    }
    extensions = {**project_settings.EXTENSIONS, "tests.frozen_clock.FrozenClock": 0}
    values = {
        **WIDE_OPEN,
        **FAST,
        "TEST_LOOPBACK_BASE": base,
        "TEST_NOW_MS": NOW_MS,
        "DOWNLOADER_MIDDLEWARES": json.dumps(middlewares),
        "EXTENSIONS": json.dumps(extensions),
        **extra,
    }
    return [arg for name, value in values.items() for arg in ("-s", f"{name}={value}")]


def start(log: Path, *args: str) -> subprocess.Popen:
    """``scrapy crawl rfi`` in the background, its log in ``log``."""
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "rfi", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file a refresh writes for people to read: entries, history, gone records."""
    skip = {".newsspider", "reports", "captures"}
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] not in skip
    }


def report(archive: Path) -> dict:
    [path] = (archive / "reports").glob("*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def single_process_refresh(tmp_path, **extra) -> tuple[Path, Hits, str]:
    archive = make_archive(tmp_path / "single", SMALL_ARCHIVE)
    hits = Hits()
    with LoopbackServer(site_from_cassette(DISCOVERY, hits)) as site:
        done = run_scrapy(
            "crawl", "rfi", "-s", f"ARCHIVE_DIR={archive}", *settings_for(site.base, **extra)
        )
    assert done.returncode == 0, done.stderr[-3000:]
    return archive, hits, done.stderr.rstrip().splitlines()[-1]


def distributed_refresh(tmp_path, redis_url, *, worker_extra=(), delay=0.1, **extra):
    """The archive's process and two workers; returns the archive, the server's hits,
    the three processes and their logs."""
    archive = make_archive(tmp_path / "distributed", SMALL_ARCHIVE)
    hits = Hits()
    frontier = {"REDIS_URL": redis_url, **QUICK_FRONTIER, **extra}
    # a worker has no archive: the folder it is given must stay untouched (not even made)
    worker = {**frontier, "ARCHIVE_DIR": tmp_path / "no-archive-here"}
    logs = [tmp_path / f"{name}.log" for name in ("archive", "worker-1", "worker-2")]
    with LoopbackServer(site_from_cassette(DISCOVERY, hits, delay=delay)) as site:
        workers = [
            start(log, "-a", "role=worker", *settings_for(site.base, **worker, **dict(more)))
            for log, more in zip(logs[1:], [worker_extra, ()], strict=True)
        ]
        time.sleep(1)  # the workers are waiting when the run begins
        archive_process = start(
            logs[0], "-s", f"ARCHIVE_DIR={archive}", *settings_for(site.base, **frontier)
        )
        processes = [archive_process, *workers]
        for process in processes:
            process.wait(timeout=90)
    return archive, hits, processes, [log.read_text() for log in logs]


def test_two_workers_refresh_the_archive_exactly_as_one_process_does(tmp_path, redis_server):
    single, single_hits, single_line = single_process_refresh(tmp_path)
    archive, hits, processes, logs = distributed_refresh(tmp_path, redis_server.url)

    assert [p.returncode for p in processes] == [0, 0, 0], logs[0][-3000:]
    assert snapshot(archive) == snapshot(single)  # byte for byte
    assert logs[0].rstrip().splitlines()[-1].endswith(single_line.split("] ", 1)[1])
    assert "Traceback" not in "".join(logs)
    assert not (tmp_path / "no-archive-here").exists()

    # each page fetched once across the processes; robots.txt once by each
    pages = [p for p in hits.paths() if p != "/robots.txt"]
    assert sorted(pages) == sorted(p for p in single_hits.paths() if p != "/robots.txt")
    assert len(pages) == len(set(pages))
    assert hits.count("/robots.txt") == 3

    # both workers got work, and the archive's process counted it
    workers = report(archive)["workers"]
    handed_back = {name: row["requests"] for name, row in workers.items()}
    worker_names = [n for n in handed_back if not n.endswith("(archive)")]
    assert len(worker_names) == 2 and all(handed_back[n] > 0 for n in worker_names)
    assert sum(handed_back.values()) == len(pages)
    assert report(archive)["counts"] == report(single)["counts"]
