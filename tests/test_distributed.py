"""A refresh over Redis: the archive's process and two workers, as separate OS processes,
against a loopback copy of the site and a real redis-server.

The site is the discovery cassette served over real sockets (tests/loopback_site.py);
every process runs ``scrapy crawl rfi`` as a user would, with its capture times frozen
to one instant, so that the archive can be compared byte for byte with what a
single-process refresh writes.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from newsspider import settings as project_settings
from newsspider.archive import read_entry
from tests.cassette_factory import DISCOVERED, SMALL_ARCHIVE
from tests.conftest import CASSETTES, SHARED_ARCHIVE, make_archive, run_scrapy
from tests.loopback import LoopbackServer
from tests.loopback_site import SITE, Hits, site_from_cassette, start_crawl

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


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The single-process refresh every distributed one is compared with:
    (archive, the server's hits, the closing line)."""
    archive = make_archive(tmp_path_factory.mktemp("single") / "archive", SMALL_ARCHIVE)
    hits = Hits()
    with LoopbackServer(site_from_cassette(DISCOVERY, hits)) as site:
        settings = settings_for(site.base)
        done = run_scrapy("crawl", "rfi", "-s", f"ARCHIVE_DIR={archive}", *settings)
    assert done.returncode == 0, done.stderr[-3000:]
    return archive, hits, done.stderr.rstrip().splitlines()[-1].split("] ", 1)[1]


def distributed_refresh(tmp_path, redis_url, *, worker_extra=None, delay=0.1, routes=None, **extra):
    """The archive's process and two workers (the first with ``worker_extra`` settings);
    returns the archive, the server's hits, the three processes and their logs."""
    archive = make_archive(tmp_path / "distributed", SMALL_ARCHIVE)
    hits = Hits()
    frontier = {"REDIS_URL": redis_url, **QUICK_FRONTIER, **extra}
    # a worker has no archive: the folder it is given must stay untouched (not even made)
    worker = {**frontier, "ARCHIVE_DIR": tmp_path / "no-archive-here"}
    logs = [tmp_path / f"{name}.log" for name in ("archive", "worker-1", "worker-2")]
    site_routes = site_from_cassette(DISCOVERY, hits, delay=delay, overrides=routes)
    with LoopbackServer(site_routes) as site:
        workers = [
            start_crawl(log, "-a", "role=worker", *settings_for(site.base, **worker, **more))
            for log, more in zip(logs[1:], [worker_extra or {}, {}], strict=True)
        ]
        wait_for_spider_opened(logs[1:])  # the workers are waiting when the run begins
        archive_process = start_crawl(
            logs[0], "-s", f"ARCHIVE_DIR={archive}", *settings_for(site.base, **frontier)
        )
        processes = [archive_process, *workers]
        for process in processes:
            process.wait(timeout=90)
    assert not (tmp_path / "no-archive-here").exists()
    return archive, hits, processes, [log.read_text() for log in logs]


def wait_for_spider_opened(logs: list[Path], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not all("Spider opened" in log.read_text() for log in logs):
        assert time.monotonic() < deadline, "a worker did not start"
        time.sleep(0.05)


def last_line(log: str) -> str:
    return log.rstrip().splitlines()[-1].split("] ", 1)[1]


def test_two_workers_refresh_the_archive_exactly_as_one_process_does(
    tmp_path, redis_server, reference
):
    single, single_hits, single_line = reference
    archive, hits, processes, logs = distributed_refresh(tmp_path, redis_server.url)

    assert [p.returncode for p in processes] == [0, 0, 0], logs[0][-3000:]
    assert snapshot(archive) == snapshot(single)  # byte for byte
    assert (
        last_line(logs[0])
        == single_line
        == ("INFO: refresh: checked=10 unchanged=4 updated=0 new=6 gone=0 failed=0")
    )
    assert "Traceback" not in "".join(logs)

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


def test_a_worker_killed_mid_run_changes_nothing_in_the_result(tmp_path, redis_server, reference):
    single, _, single_line = reference
    killer = {"DOWNLOADER_MIDDLEWARES": {"tests.killer.KillAfterResponses": 100}}
    archive, _, processes, logs = distributed_refresh(
        tmp_path, redis_server.url, worker_extra={**killer, "KILL_AFTER_RESPONSES": 2}
    )
    assert [p.returncode for p in processes] == [0, -signal.SIGKILL, 0], logs[0][-3000:]
    assert snapshot(archive) == snapshot(single)
    assert last_line(logs[0]) == single_line
    assert report(archive)["counts"] == report(single)["counts"]
    # what it held was put back once, after the lease ran out, and done by the others
    dead = str(processes[1].pid)
    [row] = [r for name, r in report(archive)["workers"].items() if name.endswith(":" + dead)]
    assert row["put back"] >= 1
    put_back = [line for line in logs[0].splitlines() if "put back in the frontier" in line]
    assert len(put_back) == row["put back"]
    assert all("WARNING" in line and f":{dead} stopped answering" in line for line in put_back)


def test_a_redis_restart_mid_run_fails_the_run_with_one_line_and_leaves_the_archive_intact(
    tmp_path, redis_server, reference
):
    single = reference[0]
    archive = make_archive(tmp_path / "archive", SMALL_ARCHIVE)
    originals = snapshot(archive)
    hits = Hits()
    frontier = {"REDIS_URL": redis_server.url, **QUICK_FRONTIER}
    with LoopbackServer(site_from_cassette(DISCOVERY, hits, delay=0.4)) as site:
        settings = settings_for(site.base, **frontier)
        worker = start_crawl(tmp_path / "worker.log", "-a", "role=worker", *settings)
        run = start_crawl(tmp_path / "archive.log", "-s", f"ARCHIVE_DIR={archive}", *settings)
        deadline = time.monotonic() + 30
        joined = tmp_path / "worker.log"
        while "joined run" not in joined.read_text() or len(hits.paths()) < 6:
            assert time.monotonic() < deadline, "the run never got going"
            time.sleep(0.05)
        redis_server.stop()
        redis_server.start()  # the same port, empty
        run.wait(timeout=60)
        worker.wait(timeout=60)
    log = (tmp_path / "archive.log").read_text()
    assert run.returncode == 1, log[-3000:]
    assert "Traceback" not in log
    errors = [line.split("] ", 1)[1] for line in log.splitlines() if "] ERROR: " in line]
    where = f"Redis at 127.0.0.1:{redis_server.port}/0"
    assert len(errors) == 2 and errors[0].startswith(f"ERROR: run failed: {where} ")
    assert errors[1].startswith("ERROR: refresh: checked=")
    assert report(archive)["verdict"].startswith(f"failed: {where} ")

    worker_log = (tmp_path / "worker.log").read_text()
    assert worker.returncode == 1 and "Traceback" not in worker_log
    [said] = [line for line in worker_log.splitlines() if "] ERROR: " in line]
    assert where in said and said.endswith("this worker stops")

    # intact: every entry is the one it was, or the one a complete refresh writes
    after, complete = snapshot(archive), snapshot(single)
    assert set(originals) <= set(after) <= set(complete)
    assert all(after[name] in (originals.get(name), complete[name]) for name in after)
    assert not [p for p in archive.rglob("*") if p.name.startswith(".tmp-")]
    check = run_scrapy("archive", "check", str(archive))
    assert check.returncode == 0, check.stdout[-2000:]


def test_redirects_to_a_page_the_run_asked_for_end_as_in_one_process(tmp_path, redis_server):
    """New articles redirect to an archived one: the dupefilter drops the redirects, in
    whichever process they happen, and the run ends with the same result."""
    target = read_entry(SHARED_ARCHIVE / SMALL_ARCHIVE[0]).url.removeprefix(SITE)
    new = sorted({name for names in DISCOVERED.values() for name in names})[:3]
    moved = ["/" + read_entry(SHARED_ARCHIVE / name).url.removeprefix(SITE) for name in new]
    redirect = {
        path: (lambda recorded: lambda count: (301, {"Location": SITE + target}, b""))
        for path in moved
    }
    single = make_archive(tmp_path / "single", SMALL_ARCHIVE)
    with LoopbackServer(site_from_cassette(DISCOVERY, Hits(), overrides=redirect)) as site:
        alone = run_scrapy("crawl", "rfi", "-s", f"ARCHIVE_DIR={single}", *settings_for(site.base))
    assert alone.returncode == 0, alone.stderr[-3000:]

    archive, _, processes, logs = distributed_refresh(tmp_path, redis_server.url, routes=redirect)
    assert [p.returncode for p in processes] == [0, 0, 0], logs[0][-3000:]
    assert last_line(logs[0]) == last_line(alone.stderr)
    assert snapshot(archive) == snapshot(single)
