"""End to end: `scrapy crawl rfi` against real-size pages on a loopback HTTPS server.

    sudo .venv/bin/python bench/e2e.py [--quick] [--sizes 500,5000] [--big 100000] [--runs 3]

The script re-runs itself in a private network and mount namespace (``unshare
-n -m``; ``-r`` too when not root), where /etc/hosts maps www.rfi.fr to
127.0.0.1 and a TLS server on port 443 serves ~310 KB pages composed on the
real template (bench/e2e_site.py). So the crawl runs as a user runs it: the
real command, the project's settings and URLs, real sockets; only politeness
is off (no AutoThrottle, no delay, 16 requests at a time; robots.txt is read
and allows everything).

For each size N: ``new`` (an empty archive, N articles listed in a feed) three
times; the last run's archive is then crawled with every article due:
``unchanged`` (same pages), ``edited`` (every lead changed, a new edit each
run), ``304`` (every request answered Not Modified), ``replay`` (the unchanged
pages recorded once, gzip-encoded as RFI sends them, into a VCR.py cassette,
then replayed from it as ``-s VCR_CASSETTE=…`` does; compared with
``unchanged``, it pays a gunzip the loopback pages do not). ``--big`` adds ``304`` on
an archive of that many entries (built directly, its crawl state holding an
ETag per article). Baselines measured in the same run: `scrapy bench` (a
crawl doing nothing per page) and a bare lxml parse of the same pages.

Printed per case: pages/s (min / median / max of ``--runs``), the median's
ratio to `scrapy bench`, the cost of a page in bare lxml parses (median
crawl time per page / parse time per page), and the peak RSS of the crawl.
Pages/s = articles checked / (report's finished - started).

``--profile`` runs each crawl once under cProfile instead (slower: its rates are
not comparable) and prints where each case's time goes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import e2e_site  # noqa: E402
from bench.e2e_site import Site  # noqa: E402
from newsspider.archive.index import ArchiveIndex  # noqa: E402
from newsspider.archive.state import CrawlState  # noqa: E402
from newsspider.archive.urls import canonical_url  # noqa: E402
from newsspider.archive.writer import entry_file_name  # noqa: E402

INSIDE = "NEWSSPIDER_BENCH_NAMESPACE"
PEAK_FILE = "NEWSSPIDER_BENCH_PEAK_FILE"
# `python -m scrapy`, writing the crawl's own peak RSS (VmHWM, KiB) at exit: the
# ru_maxrss of wait4() would also count the bench's pages, copied by the fork.
RUN_SCRAPY = f"""
import atexit, os, runpy, sys
def peak():
    with open("/proc/self/status") as status, open(os.environ["{PEAK_FILE}"], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM")).split()[1])
atexit.register(peak)
sys.argv[0] = "scrapy"
runpy.run_module("scrapy", run_name="__main__", alter_sys=True)
"""
POLITENESS_OFF = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
}
EXPECTED = {"new": "new", "edited": "updated", "304": "unchanged"}
REPLAYS = {"record": "all", "replay": "none"}
"""VCR record mode of the crawls through a cassette (the pages of ``unchanged``)."""


def enter_namespace() -> None:
    """Re-run this script in its own network and mount namespace (never returns)."""
    flags = ["-n", "-m"] if os.geteuid() == 0 else ["-r", "-n", "-m"]
    command = ["unshare", *flags, sys.executable, *sys.argv]
    try:
        done = subprocess.run(command, env={**os.environ, INSIDE: "1"})
    except FileNotFoundError:
        sys.exit("bench/e2e.py needs unshare(1) (util-linux)")
    sys.exit(done.returncode)


def route_rfi_to_loopback(work: Path) -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    hosts = work / "hosts"
    hosts.write_text("127.0.0.1 localhost www.rfi.fr\n::1 localhost\n")
    subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)


class Crawls:
    def __init__(self, site: Site, work: Path, profile: bool = False):
        self.site = site
        self.work = work
        self.profile = profile
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def run(self, archive: Path, mode: str, n: int, label: str) -> dict:
        """One `scrapy crawl rfi` with every archived article (or N listed ones) due."""
        self.site.mode = "unchanged" if mode in REPLAYS else mode
        self.site.gzip = mode == "record"  # a cassette of RFI holds its gzip bodies
        self.site.generation += 1
        settings = {
            **POLITENESS_OFF,
            "ARCHIVE_DIR": str(archive),
            "RFI_RECHECK_EVERYTHING": "True",
            "RFI_MAX_CHECKS_PER_RUN": str(n),
            "RFI_DISCOVERY": str(mode == "new"),
        }
        if mode in REPLAYS:
            settings.update(
                VCR_CASSETTE=str(archive.parent / f"cassette-{n}.yaml"),
                VCR_RECORD_MODE=REPLAYS[mode],
            )
        if mode == "new":
            self.site.listed = n
            settings.update(
                RFI_FEEDS=f"https://www.rfi.fr{e2e_site.FEED_PATH}",
                RFI_SITEMAPS="",
                RFI_SECTIONS="",
                RFI_MAX_NEW_ARTICLES=str(n),
            )
        profile, peak = self.logs / f"{label}.prof", self.logs / f"{label}.peak"
        if self.profile:
            command = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "scrapy"]
        else:
            command = [sys.executable, "-c", RUN_SCRAPY]
        command += ["crawl", "rfi", "-L", "WARNING"]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        log = self.logs / f"{label}.log"
        env = {**os.environ, PEAK_FILE: str(peak)}
        with open(log, "wb") as out:
            child = subprocess.run(command, cwd=ROOT, stdout=out, stderr=out, env=env)
        report = json.loads(sorted((archive / "reports").glob("*.json"))[-1].read_text())
        counts = report["counts"]
        seconds = _seconds(report["finished"]) - _seconds(report["started"])
        expected = EXPECTED.get(mode, "unchanged")
        ok = child.returncode == 0 and n == counts["checked"]
        if mode != "record":  # the pages it records may differ from the archive (edited)
            ok = ok and counts.get(expected) == n
        if not ok:
            tail = log.read_text(errors="replace").splitlines()[-5:]
            print(f"  !! {label}: exit {child.returncode}, counts {counts}", *tail, sep="\n  ")
        if self.profile:
            print(f"profile of {label} ({seconds:.1f} s under cProfile):\n{top(profile)}")
        return {
            "rate": counts["checked"] / seconds,
            "seconds": seconds,
            "rss_mib": int(peak.read_text()) / 1024 if peak.exists() else 0.0,
            "ok": ok,
        }


def top(profile: Path, lines: int = 25) -> str:
    """The functions that took most time themselves, and the callers of the top few."""
    out = io.StringIO()
    stats = pstats.Stats(str(profile), stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)
    return "\n".join(line for line in out.getvalue().splitlines() if line.strip())


def _seconds(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def scrapy_bench(work: Path) -> dict:
    """Pages/s of `scrapy bench` (run outside the project, so with Scrapy's defaults)."""
    folder = work / "scrapy-bench"
    folder.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "bench"],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    count = int(re.search(r"'response_received_count': (\d+)", done.stderr)[1])
    seconds = float(re.search(r"'elapsed_time_seconds': ([0-9.]+)", done.stderr)[1])
    return {"rate": count / seconds, "seconds": seconds, "rss_mib": 0.0, "ok": True}


def lxml_parse(site: Site, pages: int = 400) -> dict:
    """Pages/s of a bare lxml parse of the pages the crawl gets."""
    site.mode, site.generation = "unchanged", 0
    bodies = [site.page(i) for i in range(pages)]
    start = time.perf_counter()
    for body in bodies:
        lxml.html.document_fromstring(body)
    seconds = time.perf_counter() - start
    return {"rate": pages / seconds, "seconds": seconds, "rss_mib": 0.0, "ok": True}


def build_big_archive(folder: Path, site: Site, count: int) -> None:
    """``count`` entries of the served articles, each with an ETag in the crawl state."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    urls = []
    for i in range(count):
        entry = e2e_site.numbered(site.samples[i % len(site.samples)], str(i))
        (folder / entry_file_name(entry.url)).write_bytes(entry.serialize())
        urls.append(canonical_url(entry.url))
    assert urls[:3] == [canonical_url(e2e_site.article_url(site.samples, i)) for i in range(3)]
    now = int(time.time() * 1000)
    with CrawlState.open(folder) as state, state.db:
        state.db.executemany(
            "INSERT INTO checks (url, etag, last_checked_ms, last_changed_ms) VALUES (?, ?, ?, ?)",
            [(url, f'"{i}"', now, now) for i, url in enumerate(urls)],
        )
    started = time.perf_counter()
    ArchiveIndex.open(folder).close()
    print(f"  built {count} entries; cold index open {time.perf_counter() - started:.1f} s")


def summary(name: str, runs: list[dict], bench: float, parse: float) -> str:
    rates = sorted(r["rate"] for r in runs)
    median = statistics.median(rates)
    flag = "" if all(r["ok"] for r in runs) else "  (counts wrong: see above)"
    return (
        f"{name:16} {rates[0]:7.1f} {median:7.1f} {rates[-1]:7.1f}   {median / bench:6.2f}x"
        f" {parse / median:7.1f}x {max(r['rss_mib'] for r in runs):8.0f} MiB{flag}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,5000", help="archive sizes, comma-separated")
    parser.add_argument("--big", type=int, default=100_000, help="304 case size (0: skip)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="new,unchanged,edited,304,replay")
    parser.add_argument("--quick", action="store_true", help="sizes 200, big 2000")
    parser.add_argument("--profile", action="store_true", help="each crawl once, under cProfile")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/newsspider-bench/e2e"))
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.big = "200", 2000
    if args.profile:
        args.runs = 1
    if not os.environ.get(INSIDE):
        enter_namespace()
    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    route_rfi_to_loopback(args.dir)
    site = Site(e2e_site.sample_entries())
    e2e_site.serve(site, *e2e_site.self_signed(args.dir))
    crawls = Crawls(site, args.dir, args.profile)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    modes = args.modes.split(",")
    print(f"{len(site.samples)} page templates, {len(site.page(0)) / 1024:.0f} KiB a page")

    parse = [lxml_parse(site) for _ in range(args.runs)]
    bench = [scrapy_bench(args.dir) for _ in range(args.runs)]
    bench_rate = statistics.median(r["rate"] for r in bench)
    parse_rate = statistics.median(r["rate"] for r in parse)
    rows = [
        summary("scrapy bench", bench, bench_rate, parse_rate),
        summary("lxml parse", parse, bench_rate, parse_rate),
    ]
    print(rows[0], rows[1], sep="\n", flush=True)
    for n in sizes:
        base = args.dir / f"archive-{n}"
        news = []
        for k in range(args.runs):
            shutil.rmtree(base, ignore_errors=True)
            base.mkdir()
            news.append(crawls.run(base, "new", n, f"new-{n}-{k}"))
        if "new" in modes:
            rows.append(summary(f"new {n}", news, bench_rate, parse_rate))
            print(rows[-1], flush=True)
        unchanged = None
        for mode in ("unchanged", "edited", "304", "replay"):
            if mode in modes:
                if mode == "replay":  # through a cassette of the unchanged pages
                    crawls.run(base, "record", n, f"record-{n}")
                runs = [crawls.run(base, mode, n, f"{mode}-{n}-{k}") for k in range(args.runs)]
                rows.append(summary(f"{mode} {n}", runs, bench_rate, parse_rate))
                if mode == "unchanged":
                    unchanged = statistics.median(r["rate"] for r in runs)
                if mode == "replay" and unchanged:
                    over = statistics.median(r["rate"] for r in runs) / unchanged
                    rows[-1] += f"  ({over:.2f}x unchanged {n} over loopback)"
                print(rows[-1], flush=True)
    if args.big and "304" in modes:
        big = args.dir / f"archive-{args.big}"
        build_big_archive(big, site, args.big)
        runs = [crawls.run(big, "304", args.big, f"304-{args.big}-{k}") for k in range(args.runs)]
        rows.append(summary(f"304 {args.big}", runs, bench_rate, parse_rate))
        print(rows[-1], flush=True)

    print(f"\nmin/median/max of {args.runs} runs, {os.cpu_count()} CPUs")
    header = f"{'case':16} {'min':>7} {'median':>7} {'max':>7}   {'/bench':>7} {'/parse':>8}"
    print(header, " peak RSS")
    print(*rows, sep="\n")


if __name__ == "__main__":
    main()
