"""Throughput of a refresh over Redis with 1, 2 and 4 workers, next to one process.

    .venv/bin/python bench/distributed.py [--copies 13] [--latency 0.05] [--delay 0.05]

A loopback server plays www.rfi.fr: the real entries of ../shared/rfi/archive whose
composed pages the page tests vouch for (bench/e2e_site.py), ``--copies`` times under
distinct URLs, each page composed from the real template (tests/compose.py) and answered
after ``--latency`` seconds. Each run refreshes a fresh copy of that archive
(RFI_RECHECK_EVERYTHING, no discovery): every page is fetched, normalized and found
unchanged. A redis-server runs on a free loopback port.

1. Politeness off (DOWNLOAD_DELAY=0, no AutoThrottle): pages per second, single process
   and the archive's process with 1, 2, 4 workers, and the ratio to the single process.
2. Politeness on (DOWNLOAD_DELAY=``--delay``): requests per second at the server, which
   must stay flat as workers are added (one budget for the site, in Redis).

Rates are taken at the server, from the first page asked for to the last; wall time is
the archive's process from start to exit (about 1.5 s of it is Scrapy starting up).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsspider import settings as project_settings
from newsspider.archive import Entry
from newsspider.archive.writer import entry_file_name
from tests.compose import compose_page
from tests.loopback import LoopbackServer
from tests.loopback_site import SITE, Hits, start_crawl
from tests.redis_server import RedisServer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e2e_site import sample_entries

ROOT = Path(__file__).resolve().parents[1]
ROBOTS = b"User-agent: *\nDisallow:\n"


def entries(copies: int) -> list[Entry]:
    real = sample_entries()  # a page composed from any other entry is not whole: held back
    return [
        Entry(e.timestamp, e.title, f"{e.url}-{copy}", e.html)
        for copy in range(copies)
        for e in real
    ]


def site(articles: list[Entry], latency: float, hits: Hits) -> dict:
    def page(body: bytes):
        def answer(count):
            hits.log.append((time.monotonic(), "page"))
            time.sleep(latency)
            headers = {"Content-Type": "text/html; charset=UTF-8", "Content-Encoding": "gzip"}
            return 200, headers, body

        return answer

    routes = {"/robots.txt": lambda count: (200, {"Content-Type": "text/plain"}, ROBOTS)}
    for entry in articles:
        body = gzip.compress(compose_page(entry).encode("utf-8"), mtime=0)
        routes["/" + entry.url[len(SITE) :]] = page(body)
    return routes


def write_archive(folder: Path, articles: list[Entry]) -> Path:
    folder.mkdir(parents=True)
    for entry in articles:
        (folder / entry_file_name(entry.url)).write_bytes(entry.serialize())
    return folder


def settings(base: str, download_delay: float, **extra) -> list[str]:
    middlewares = {
        **project_settings.DOWNLOADER_MIDDLEWARES,
        "tests.loopback_site.LoopbackSite": 40,
    }
    values = {
        "TEST_LOOPBACK_BASE": base,
        "DOWNLOADER_MIDDLEWARES": json.dumps(middlewares),
        "RFI_DISCOVERY": False,
        "RFI_RECHECK_EVERYTHING": True,
        "RFI_MAX_CHECKS_PER_RUN": 1_000_000,
        "DOWNLOAD_DELAY": download_delay,
        "AUTOTHROTTLE_ENABLED": False,
        "ARCHIVE_CAPTURES": "none",
        "REDIS_POLL_INTERVAL": 0.05,
        "LOG_LEVEL": "INFO",
        **extra,
    }
    return [arg for name, value in values.items() for arg in ("-s", f"{name}={value}")]


def one_run(work: Path, articles, latency, download_delay, workers, redis_url) -> dict:
    """workers=None: a single process without Redis."""
    name = "single" if workers is None else f"workers-{workers}"
    archive = write_archive(work / name / "archive", articles)
    hits = Hits()
    with LoopbackServer(site(articles, latency, hits)) as server:
        frontier = {} if workers is None else {"REDIS_URL": redis_url}
        helpers = [
            start_crawl(
                work / name / f"worker-{n}.log",
                "-a",
                "role=worker",
                *settings(server.base, download_delay, **frontier),
            )
            for n in range(workers or 0)
        ]
        if helpers:
            time.sleep(2)  # workers started and waiting
        began = time.monotonic()
        main = start_crawl(
            work / name / "archive.log",
            "-s",
            f"ARCHIVE_DIR={archive}",
            *settings(server.base, download_delay, **frontier),
        )
        main.wait()
        wall = time.monotonic() - began
        for helper in helpers:
            helper.wait(timeout=60)
    log = (work / name / "archive.log").read_text()
    closing = log.rstrip().splitlines()[-1].split("refresh: ", 1)[-1]
    if main.returncode != 0:
        raise SystemExit(f"{name}: the run failed:\n{log[-2000:]}")
    pages = [t for t, _ in hits.log]
    span = pages[-1] - pages[0]
    return {"name": name, "pages": len(pages), "span": span, "wall": wall, "closing": closing}


def table(title: str, rows: list[dict], rate_label: str) -> None:
    if len({row["closing"] for row in rows}) != 1:
        raise SystemExit("the runs ended differently: " + "; ".join(r["closing"] for r in rows))
    single = rows[0]["pages"] / rows[0]["span"]
    print(f"\n{title}; every run: {rows[0]['closing']}")
    print(f"| run | pages | server span s | wall s | {rate_label} | ratio to single |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        rate = row["pages"] / row["span"]
        print(
            f"| {row['name']} | {row['pages']} | {row['span']:.2f} | {row['wall']:.2f} "
            f"| {rate:.1f} | {rate / single:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=13)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--delay", type=float, default=0.05)
    args = parser.parse_args()
    articles = entries(args.copies)
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        redis = RedisServer(work / "redis").start()
        try:
            print(f"{len(articles)} pages, {args.latency * 1000:.0f} ms each, 2 CPU cores here")
            runs = [None, 1, 2, 4]
            fast = [one_run(work / "fast", articles, args.latency, 0, n, redis.url) for n in runs]
            table("Politeness off (DOWNLOAD_DELAY=0)", fast, "pages/s")
            polite_articles = articles[: len(articles) // 5]
            polite = [
                one_run(work / "polite", polite_articles, args.latency, args.delay, n, redis.url)
                for n in runs
            ]
            table(
                f"Politeness on (DOWNLOAD_DELAY={args.delay}: at most {1 / args.delay:.0f}/s)",
                polite,
                "requests/s",
            )
        finally:
            redis.stop()


if __name__ == "__main__":
    main()
