"""The 304 path at 5,000 and 100,000 due articles: rate, garbage collection, peak RSS.

    .venv/bin/python bench/frontier.py [--sizes 5000,100000] [--runs 3] [--dir DIR]

For each size N an archive of N entries is built directly (real samples' titles
and dates, each with its own URL and a short body), with a crawl state holding an
ETag per article, and its index is built once. Each run is then a real
``scrapy crawl rfi`` (a child process: the project's settings, the Twisted reactor,
Scrapy's HTTP/1.1 client) with every article due, politeness off (no
AutoThrottle, no delay, 16 requests at a time), against a loopback server (another
process) that answers robots.txt and then ``304 Not Modified`` to everything.

Printed per size: pages/s over the whole run (the report's started..finished) and
over the crawl alone (first to last article answered), min / median / max of
``--runs``; full (generation 2) garbage collections and the seconds they took;
peak RSS of the crawl. Target: the crawl-alone rate at 100,000 within 10% of the
rate at 5,000, and peak RSS under 250 MiB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsspider.archive.entry import Entry, is_entry_file, read_entry  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "rfi" / "archive"
POLITENESS_OFF = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
}

REROUTE = "tests.reroute.LoopbackRerouteHandler"
"""Sends the crawl's www.rfi.fr downloads to the loopback server (Scrapy's own HTTP client)."""

SERVER = r"""
import asyncio

ROBOTS = b"User-agent: *\nDisallow:\n"
ANSWERS = {
    b"/robots.txt": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
    + str(len(ROBOTS)).encode() + b"\r\n\r\n" + ROBOTS,
}
NOT_MODIFIED = b'HTTP/1.1 304 Not Modified\r\nETag: "bench"\r\n\r\n'


async def answer(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1]
            writer.write(ANSWERS.get(path, NOT_MODIFIED))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()


async def main():
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
"""

CRAWL = r"""
import gc, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
collections = {"count": 0, "seconds": 0.0}
started = {}


def timed(phase, info):
    if info["generation"] != 2:
        return
    if phase == "start":
        started["at"] = time.perf_counter()
    else:
        collections["count"] += 1
        collections["seconds"] += time.perf_counter() - started.pop("at")


gc.callbacks.append(timed)
from scrapy.cmdline import execute

try:
    execute(["scrapy", "crawl", "rfi", *sys.argv[3:]])
except SystemExit:
    pass
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
with open(sys.argv[2], "a", encoding="utf-8") as out:
    out.write(json.dumps({"peak_mib": peak, "gc2": collections}) + "\n")
"""


class Clock:
    """Extension (``-s EXTENSIONS=…``): when the first and last articles were answered."""

    def __init__(self, crawler, path: str):
        self.path = path
        self.first = self.last = None
        self.answers = 0
        from scrapy import signals

        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings["BENCH_CLOCK_FILE"])

    def response_received(self, response, request):
        if response.status == 304:
            self.last = time.perf_counter()
            self.first = self.first or self.last
            self.answers += 1

    def spider_closed(self, reason):
        seconds = (self.last or 0) - (self.first or 0)
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"answers": self.answers, "seconds": seconds}) + "\n")


def build(folder: Path, count: int) -> None:
    """An archive of ``count`` entries, its index, and a crawl state with an ETag for each."""
    from newsspider.archive.index import ArchiveIndex
    from newsspider.archive.state import CrawlState
    from newsspider.archive.urls import canonical_url

    samples = [read_entry(p) for p in sorted(SAMPLES.iterdir()) if is_entry_file(p.name)]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    urls = []
    for i in range(count):
        base = samples[i % len(samples)]
        date_line = base.html[: base.html.index("</div>") + len("</div>")]
        url = f"{base.url.rstrip('/')}-{i}"
        html = f"{date_line}<p><strong>{base.title}</strong></p><div><p>第{i}号</p></div>"
        entry = Entry(base.timestamp + i, f"{base.title}（{i}）", url, html)
        (folder / f"{i:06d}.txt").write_bytes(entry.serialize())
        urls.append(canonical_url(url))
    ArchiveIndex.open(folder).close()
    CrawlState.open(folder).close()
    db = sqlite3.connect(folder / ".newsspider" / "state.sqlite3")
    with db:
        db.executemany(
            "INSERT INTO checks (url, etag, last_checked_ms) VALUES (?, ?, ?)",
            [(url, '"bench"', 1_000_000) for url in urls],
        )
    db.close()


def crawl_once(folder: Path, base: str, count: int) -> dict:
    from newsspider import settings as project

    for old in (folder / "reports").glob("*"):
        old.unlink()
    results = folder.parent / f"{folder.name}-results.jsonl"
    results.unlink(missing_ok=True)
    settings = {
        "ARCHIVE_DIR": str(folder),
        "RFI_DISCOVERY": "False",
        "RFI_RECHECK_EVERYTHING": "True",
        "RFI_MAX_CHECKS_PER_RUN": str(count),
        "ARCHIVE_PUBLISH": "False",
        "LOOPBACK_BASE": base,
        "DOWNLOAD_HANDLERS": json.dumps(
            {**project.DOWNLOAD_HANDLERS, **dict.fromkeys(["https", "http"], REROUTE)}
        ),
        "EXTENSIONS": json.dumps({**project.EXTENSIONS, "bench.frontier.Clock": 0}),
        "BENCH_CLOCK_FILE": str(results),
        "LOG_FILE": str(folder.parent / f"{folder.name}.log"),
        **POLITENESS_OFF,
    }
    args = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
    subprocess.run(
        [sys.executable, "-c", CRAWL, str(ROOT), str(results), *args], cwd=ROOT, check=True
    )
    clock, process = (json.loads(line) for line in results.read_text().splitlines())
    [report] = (folder / "reports").glob("*.json")
    facts = json.loads(report.read_text(encoding="utf-8"))
    checked = facts["counts"]["checked"]
    assert facts["counts"]["unchanged"] == checked == count, facts["counts"]
    whole = _seconds(facts["started"], facts["finished"])
    return {
        "whole": checked / whole,
        "crawl": clock["answers"] / clock["seconds"],
        "gc2": process["gc2"]["count"],
        "gc2_seconds": process["gc2"]["seconds"],
        "peak_mib": process["peak_mib"],
    }


def _seconds(started: str, finished: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()


def spread(values: list[float], form: str = "{:.0f}") -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return "/".join(form.format(v) for v in (low, mid, high))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/newsspider-bench/frontier"))
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        print(f"304 path, politeness off, min/median/max of {args.runs} runs")
        print(
            f"{'due':>8} {'pages/s run':>14} {'pages/s crawl':>14} {'gen-2 GCs':>10} "
            f"{'GC s':>10} {'peak MiB':>12}"
        )
        rates = {}
        for size in (int(s) for s in args.sizes.split(",")):
            folder = args.dir / f"archive-{size}"
            started = time.perf_counter()
            build(folder, size)
            print(
                f"  (built {size:,} entries in {time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
            )
            runs = [crawl_once(folder, base, size) for _ in range(args.runs)]
            rates[size] = statistics.median(r["crawl"] for r in runs)
            print(
                f"{size:>8,} {spread([r['whole'] for r in runs]):>14} "
                f"{spread([r['crawl'] for r in runs]):>14} "
                f"{spread([r['gc2'] for r in runs]):>10} "
                f"{spread([r['gc2_seconds'] for r in runs], '{:.1f}'):>10} "
                f"{spread([r['peak_mib'] for r in runs]):>12}",
                flush=True,
            )
        sizes = sorted(rates)
        if len(sizes) > 1:
            base = 5000 if 5000 in rates else sizes[0]
            ratio = rates[sizes[-1]] / rates[base]
            print(f"crawl rate at {sizes[-1]:,} / at {base:,}: {ratio:.2f} (target >= 0.90)")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
