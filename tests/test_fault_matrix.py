"""The fault matrix: `scrapy crawl rfi`, as cron runs it, against servers and disks that misbehave.

Each case runs the real command in a subprocess against a real loopback server
(tests/faultserver.py: raw sockets, so answers can be cut, reset, dripped or
not HTTP at all), with the crawl's www.rfi.fr requests rerouted there by the
test-only tests/reroute.py. Every case asserts what cron and a reader of the
archive would notice: the exit status, the closing line's counts, every
archived byte intact (or kept in history/), no temp debris, no file outside
the archive, and no traceback.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsspider import settings as project_settings
from newsspider.archive import read_entry
from newsspider.archive.entry import Entry
from tests import faultserver as fs
from tests.cassette_factory import SMALL_ARCHIVE, entry, news_sitemap, rss
from tests.compose import compose_page
from tests.conftest import ROOT, make_archive
from tests.reroute import reroute_args
from tests.small_disk import fill, remount_read_only, small_disk_fixture  # noqa: F401

SEED, SECOND, EMPTY_LEAD, COLUMN = (entry(name) for name in SMALL_ARCHIVE)
OTHER = entry("duty-machine-news_rfi_999990.md")  # not archived: another article
ROBOTS_OK = b"User-agent: *\nDisallow:\n"
CLOSING = re.compile(
    r"refresh: checked=(\d+) unchanged=(\d+) updated=(\d+) new=(\d+) gone=(\d+) failed=(\d+)$"
)


def path_of(url: str) -> str:
    return urlsplit(url).path


def page(item: Entry = SEED) -> bytes:
    return compose_page(item).encode("utf-8")


def normal_routes() -> dict:
    """robots.txt and every archived article as archived: unchanged."""
    routes = {"/robots.txt": fs.answer(200, ROBOTS_OK, Content_Type="text/plain")}
    for item in (SEED, SECOND, EMPTY_LEAD, COLUMN):
        routes[path_of(item.url)] = fs.html(page(item))
    return routes


def seed_route(behaviour) -> dict:
    return {path_of(SEED.url): behaviour}


# --- pages that are not what they claim ------------------------------------------------


def cut_after_two_paragraphs(item: Entry) -> bytes:
    html = page(item).decode()
    body = html.index('<div class="t-content__body')
    paragraphs = [m.end() for m in re.finditer(r"</p>", html[body:])]
    cut = body + paragraphs[2]
    end = html.index("</div>", html.index('<div class="t-content__shares', body))
    shares = html[html.index('<div class="t-content__shares', body) : end]
    return (html[:cut] + "</div>" + shares + "</div></article></body></html>").encode()


def hostile_markup(item: Entry) -> bytes:
    html = page(item).decode()
    attack = (
        '<p><a href="java\nscript:alert(1)">a</a><a href="\tvbscript:msgbox(1)">b</a>'
        '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>'
        '<svg><a><animate attributeName="href" to="javascript:alert(1)"/>c</a></svg>'
        '<span style="background:url(javascript:alert(1))">d</span>'
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'
        '<img src="x" onerror="alert(1)"></p>'
    )
    marker = '<div class="t-content__body u-clearfix">'
    return html.replace(marker, marker + attack, 1).encode()


def script_in_title(item: Entry) -> bytes:
    html = page(item).decode()
    marker = '<h1 class="t-content__title a-page-title">'
    return html.replace(marker, marker + "<script>document.title='pwned'</script>", 1).encode()


def mislabeled(item: Entry, sent_as: str, meta: str) -> fs.Behaviour:
    """The page encoded ``sent_as`` and labelled so in HTTP, while its <meta> says ``meta``."""
    html = page(item).decode().replace('charset="UTF-8"', f'charset="{meta}"')
    html = re.sub(r"<meta charset=[^>]*>", f'<meta charset="{meta}">', html, count=1)
    return fs.answer(
        200, html.encode(sent_as), Content_Type=f"text/html; charset={sent_as.upper()}"
    )


def undecodable(item: Entry) -> fs.Behaviour:
    """Labelled UTF-8 in HTTP and <meta>, sent as GB18030: mojibake if stored."""
    return fs.answer(
        200, page(item).decode().encode("gb18030"), Content_Type="text/html; charset=utf-8"
    )


# --- the cases ------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    routes: dict = field(default_factory=dict)
    """Overrides of normal_routes()."""
    exit: int = 0
    counts: tuple = (4, 4, 0, 0, 0, 0)
    """checked, unchanged, updated, new, gone, failed"""
    settings: dict = field(default_factory=dict)
    log: str | None = None
    """A regular expression one log line must match."""
    prepare: object = None
    """Called with the archive folder before the run."""
    check: object = None
    """Called with (archive, result) after the common assertions."""
    may_change: frozenset = frozenset()
    """Entry files whose bytes may change (their old bytes must then be in history/)."""


def unchanged(name: str, **more) -> Case:
    return Case(name, **more)


def failed(name: str, behaviour, log: str, extra_routes: dict | None = None, **more) -> Case:
    routes = {**seed_route(behaviour), **(extra_routes or {})}
    return Case(name, routes=routes, counts=(4, 3, 0, 0, 0, 1), log=log, **more)


CASES = [
    unchanged("every page as archived"),
    failed("403", fs.answer(403), r"failed .*: HTTP 403"),
    Case("404", routes=seed_route(fs.answer(404)), counts=(4, 3, 0, 0, 1, 0), log=r"gone: "),
    Case("410", routes=seed_route(fs.answer(410)), counts=(4, 3, 0, 0, 1, 0), log=r"gone: "),
    unchanged(
        "429 with Retry-After, then the page",
        routes=seed_route([fs.answer(429, Retry_After="1"), fs.html(page())]),
    ),
    failed("503 every time", fs.answer(503), r"failed .*: HTTP 503"),
    failed("500 every time", fs.answer(500), r"failed .*: HTTP 500"),
    failed(
        "no answer within the timeout",
        fs.silent(6),
        r"failed .*",
        settings={"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 1},
    ),
    failed("reset mid-body", fs.reset_mid_body(page(), 20000), r"failed .*"),
    failed("truncated body", fs.truncated(page(), 20000), r"failed .*"),
    failed("closed before any answer", fs.close_at_once(), r"failed .*"),
    failed("not HTTP", fs.not_http(), r"failed .*"),
    failed(
        "slow drip",
        fs.drip(page(), every=0.3, chunk=2048),
        r"failed .*",
        settings={"DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 0},
    ),
    failed(
        "body over DOWNLOAD_MAXSIZE",
        fs.html(page() + b"<!--" + b"x" * 600_000 + b"-->"),
        r"failed .*DOWNLOAD_MAXSIZE",
        settings={"DOWNLOAD_MAXSIZE": 500_000},
    ),
    failed("gzip bomb page", fs.gzip_bomb(64, "text/html; charset=utf-8"), r"failed .*"),
    failed("empty 200 body", fs.answer(200, b"", Content_Type="text/html"), r"failed .*"),
    unchanged(
        "GB18030 labelled in HTTP, UTF-8 in <meta>",
        routes=seed_route(mislabeled(SEED, "gb18030", "UTF-8")),
    ),
    failed("bytes that do not decode as labelled", undecodable(SEED), r"failed .*"),
    failed(
        "a complete answer cut after two paragraphs",
        fs.html(cut_after_two_paragraphs(SEED)),
        r"failed .*suspect",
    ),
    failed("another article's page", fs.html(page(OTHER)), r"failed .*suspect"),
    failed(
        "redirect loop",
        fs.redirect("/cn/loop-b"),
        r"failed .*redirect",
        extra_routes={"/cn/loop-b": fs.redirect(path_of(SEED.url))},
    ),
    failed("redirect to itself", fs.redirect(path_of(SEED.url)), r"failed .*redirect"),
    failed("redirect off the site", fs.redirect("http://example.com/cn/x"), r"failed .*"),
    failed("redirect to a local file", fs.redirect("file:///etc/passwd"), r"failed .*"),
    Case(
        "hostile markup in the body",
        routes=seed_route(fs.html(hostile_markup(SEED))),
        counts=(4, 3, 1, 0, 0, 0),
        may_change=frozenset({SMALL_ARCHIVE[0]}),
        check=lambda archive, _: assert_no_active_content(archive / SMALL_ARCHIVE[0]),
    ),
    unchanged("a script inside the title", routes=seed_route(fs.html(script_in_title(SEED)))),
    Case(
        "robots.txt forbids everything",
        routes={"/robots.txt": fs.answer(200, b"User-agent: *\nDisallow: /\n")},
        counts=(4, 0, 0, 0, 0, 4),
        exit=1,
        log=r"robots",
    ),
    Case(
        "a truncated gone record",
        routes=seed_route(fs.answer(404)),
        counts=(4, 3, 0, 0, 1, 0),
        prepare=lambda archive: (archive / gone_name(SMALL_ARCHIVE[0])).write_text('{"url": "ht'),
        check=lambda archive, _: json.loads((archive / gone_name(SMALL_ARCHIVE[0])).read_text()),
    ),
    Case(
        "a damaged index",
        prepare=lambda archive: damage(archive / ".newsspider" / "archive.sqlite3"),
        log=r"WARNING.*archive\.sqlite3",
    ),
    Case(
        "a damaged crawl state",
        prepare=lambda archive: damage(archive / ".newsspider" / "state.sqlite3"),
        log=r"WARNING.*state\.sqlite3",
        check=lambda archive, _: assert_moved_aside(archive),
    ),
    Case(
        "debris of a killed run",
        prepare=lambda archive: debris(archive),
        check=lambda archive, _: None,  # the common no-debris assertion is the point
    ),
    Case(
        "a file that is not an entry",
        prepare=lambda archive: (archive / "notes.md").write_text("my notes\n"),
        log=r"WARNING.*notes\.md",
    ),
]


def gone_name(name: str) -> str:
    return os.path.splitext(name)[0] + ".gone.json"


def damage(path: Path) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(3000))


def debris(archive: Path) -> None:
    (archive / ".tmp-abc123.part").write_bytes(b"half an entry")
    history = archive / "history" / os.path.splitext(SMALL_ARCHIVE[1])[0]
    history.mkdir(parents=True)
    (history / ".tmp-def456.part").write_bytes(b"half a revision")


def assert_moved_aside(archive: Path) -> None:
    aside = list((archive / ".newsspider").glob("state.sqlite3.corrupt-*"))
    assert len(aside) == 1, "the damaged state is kept aside, not deleted"


def assert_no_active_content(path: Path) -> None:
    html = read_entry(path).html.lower()
    for banned in (
        "javascript:",
        "vbscript:",
        "data:text/html",
        "onerror",
        "<meta",
        "url(",
        "animate",
    ):
        assert banned not in html, banned


# --- running a case ------------------------------------------------------------------------


def crawl(archive: Path, base: str, *settings: str, **popen) -> subprocess.CompletedProcess:
    args = [
        sys.executable, "-m", "scrapy", "crawl", "rfi",
        "-s", f"ARCHIVE_DIR={archive}",
        *reroute_args(base),
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
        "-s", "RETRY_TIMES=1",
        *settings,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


def closing_counts(stderr: str) -> tuple:
    lines = [line for line in stderr.splitlines() if "refresh: checked=" in line]
    assert lines, f"no closing line in:\n{stderr[-3000:]}"
    return tuple(int(n) for n in CLOSING.search(lines[-1]).groups())


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def archived_entries(archive: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in archive.iterdir() if p.suffix in (".txt", ".md")}


def assert_trustworthy(tmp_path: Path, archive: Path, before: dict, outside: dict, done, case):
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    after = archived_entries(archive)
    for name, data in before.items():
        if after.get(name) == data:
            continue
        assert name in case.may_change, f"{name} changed"
        history = archive / "history" / os.path.splitext(name)[0]
        kept = [p.read_bytes() for p in history.iterdir()] if history.is_dir() else []
        assert data in kept, f"the previous version of {name} is not in history/"
    debris = [p for p in archive.rglob(".tmp-*")]
    assert not debris, f"temp debris: {debris}"
    now_outside = {k: v for k, v in files_under(tmp_path).items() if not k.startswith("archive/")}
    assert now_outside == outside, "a file outside the archive changed"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault(tmp_path, case):
    archive = make_archive(tmp_path / "archive", SMALL_ARCHIVE)
    if case.prepare:
        case.prepare(archive)
    before = archived_entries(archive)
    outside = {k: v for k, v in files_under(tmp_path).items() if not k.startswith("archive/")}
    routes = {**normal_routes(), **case.routes}
    settings = [arg for k, v in case.settings.items() for arg in ("-s", f"{k}={v}")]
    with fs.FaultServer(routes) as server:
        done = crawl(archive, server.base, "-s", "RFI_DISCOVERY=False", *settings)
    assert done.returncode == case.exit, done.stderr[-3000:]
    assert closing_counts(done.stderr) == case.counts, done.stderr[-3000:]
    if case.log:
        assert any(re.search(case.log, line) for line in done.stderr.splitlines()), (
            f"no line matching {case.log!r}:\n{done.stderr[-3000:]}"
        )
    assert_trustworthy(tmp_path, archive, before, outside, done, case)
    if case.check:
        case.check(archive, done)


# --- listings that are bombs or lies (discovery on, archive = the seed) ------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
    )
    + b']><rss version="2.0"><channel><item><link>&i;</link></item></channel></rss>'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<rss version="2.0"><channel><item><link>https://www.rfi.fr/cn/&x;</link></item>'
    b"</channel></rss>"
)
TRAVERSAL = [
    "https://www.rfi.fr/cn/../../etc/passwd",
    "https://www.rfi.fr/cn/%2e%2e/%2e%2e/etc/passwd",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://evil.example/cn/x",
]


@dataclass
class Listing:
    name: str
    feed: fs.Behaviour | None = None
    sitemap: fs.Behaviour | None = None
    log: str | None = r"listing .* not read"


def traversal_feed() -> bytes:
    items = "".join(
        f"<item><title>../../../tmp/x</title><link>{u}</link></item>" for u in TRAVERSAL
    )
    return f'<rss version="2.0"><channel>{items}</channel></rss>'.encode()


LISTINGS = [
    Listing("gzip bomb sitemap (.gz body)", sitemap=fs.gzip_bomb(64, "application/x-gzip", False)),
    Listing("gzip bomb sitemap (Content-Encoding)", sitemap=fs.gzip_bomb(64, "application/xml")),
    Listing("billion laughs feed", feed=fs.answer(200, BILLION_LAUGHS, Content_Type="text/xml")),
    Listing("external entity feed", feed=fs.answer(200, EXTERNAL_ENTITY, Content_Type="text/xml")),
    Listing(
        "broken XML sitemap", sitemap=fs.answer(200, b"<urlset><url><loc>", Content_Type="text/xml")
    ),
    Listing(
        "path traversal and other sites in a feed",
        feed=fs.answer(200, traversal_feed(), Content_Type="application/rss+xml"),
        log=None,
    ),
]


@pytest.mark.parametrize("listing", LISTINGS, ids=[c.name for c in LISTINGS])
def test_hostile_listing(tmp_path, listing):
    archive = make_archive(tmp_path / "archive", [SMALL_ARCHIVE[0]])
    before = archived_entries(archive)
    outside = {k: v for k, v in files_under(tmp_path).items() if not k.startswith("archive/")}
    routes = {
        "/robots.txt": fs.answer(200, ROBOTS_OK, Content_Type="text/plain"),
        path_of(SEED.url): fs.html(page()),
        "/feed": listing.feed or fs.answer(200, rss([SEED]), Content_Type="application/rss+xml"),
        "/sitemap.xml": listing.sitemap
        or fs.answer(200, news_sitemap([SEED]), Content_Type="text/xml"),
    }
    with fs.FaultServer(routes) as server:
        done = crawl(
            archive, server.base,
            "-s", "RFI_FEEDS=https://www.rfi.fr/feed",
            "-s", "RFI_SITEMAPS=https://www.rfi.fr/sitemap.xml",
            "-s", "RFI_SECTIONS=",
            "-s", "RFI_OLDEST_DAYS=36500",
        )  # fmt: skip
        asked = set(server.hits)
    assert done.returncode == 0, done.stderr[-3000:]
    assert closing_counts(done.stderr) == (1, 1, 0, 0, 0, 0)
    if listing.log:
        warnings = [line for line in done.stderr.splitlines() if re.search(listing.log, line)]
        assert len(warnings) == 1, done.stderr[-3000:]
    assert asked <= {"/robots.txt", path_of(SEED.url), "/feed", "/sitemap.xml"}
    assert_trustworthy(tmp_path, archive, before, outside, done, Case("listing"))
    assert not Path("/tmp/x").exists()


# --- the run as a whole -----------------------------------------------------------------


@pytest.fixture
def served():
    with fs.FaultServer(normal_routes()) as server:
        yield server


def test_a_second_concurrent_run_exits_0_and_changes_nothing(tmp_path, served):
    from newsspider.archive.lock import ArchiveLock

    archive = make_archive(tmp_path / "archive", SMALL_ARCHIVE)
    before = files_under(archive)
    holder = ArchiveLock(archive)
    assert holder.acquire()
    try:
        done = crawl(archive, served.base, "-s", "RFI_DISCOVERY=False")
    finally:
        holder.release()
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "refresh: checked=" not in done.stderr
    assert {k: v for k, v in files_under(archive).items() if "refresh.lock" not in k} == {
        k: v for k, v in before.items()
    }


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stopped_run_says_so_and_exits_non_zero(tmp_path, signum, status):
    archive = make_archive(tmp_path / "archive", SMALL_ARCHIVE)
    before = archived_entries(archive)
    routes = {**normal_routes(), path_of(COLUMN.url): fs.silent(30)}
    with fs.FaultServer(routes) as server:
        args = [
            sys.executable, "-m", "scrapy", "crawl", "rfi",
            "-s", f"ARCHIVE_DIR={archive}", *reroute_args(server.base),
            "-s", "RFI_DISCOVERY=False",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True) as run:
            deadline = time.monotonic() + 60
            while server.hits.get(path_of(COLUMN.url), 0) == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)
            run.send_signal(signum)
            stderr = run.communicate(timeout=60)[1]
    assert run.returncode == status, stderr[-3000:]
    assert re.search(r"run interrupted: checked \d+ of 4 due", stderr), stderr[-3000:]
    assert "Traceback" not in stderr
    assert archived_entries(archive) == before
    assert not list(archive.rglob(".tmp-*"))


def edited(item: Entry) -> bytes:
    return page(item).decode().replace("。", "。补充。", 1).encode()


def filling(disk: Path, then: fs.Behaviour) -> fs.Behaviour:
    """Fills the disk (mid-run: the crawl is under way), then answers."""

    def send(conn):
        fill(disk)
        then(conn)

    return send


def test_a_disk_that_fills_mid_run_fails_the_run_and_keeps_every_entry(small_disk):
    archive = make_archive(small_disk / "archive", SMALL_ARCHIVE)
    with fs.FaultServer(normal_routes()) as server:  # state and index exist, as in cron
        assert crawl(archive, server.base, "-s", "RFI_DISCOVERY=False").returncode == 0
    before = archived_entries(archive)
    routes = {
        **normal_routes(),
        path_of(SEED.url): filling(small_disk, fs.html(edited(SEED))),
        path_of(SECOND.url): fs.html(edited(SECOND)),
    }
    with fs.FaultServer(routes) as server:
        done = crawl(
            archive,
            server.base,
            "-s", "RFI_DISCOVERY=False",
            "-s", "RFI_RECHECK_EVERYTHING=True",
            "-s", "CONCURRENT_REQUESTS=1",
        )  # fmt: skip
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-5000:]
    assert re.search(r"run failed: .*ENOSPC", done.stderr), done.stderr[-3000:]
    checked, *_, failed_ = closing_counts(done.stderr)
    assert checked == 4 and failed_ >= 1
    after = archived_entries(archive)
    for name, data in before.items():  # each entry is its old self or a whole new version
        history = archive / "history" / os.path.splitext(name)[0]
        kept = [p.read_bytes() for p in history.iterdir()] if history.is_dir() else []
        assert after[name] == data or data in kept
    assert not list(archive.rglob(".tmp-*"))


def test_a_full_disk_is_one_line_not_a_traceback(small_disk):
    archive = make_archive(small_disk / "archive", SMALL_ARCHIVE)
    before = archived_entries(archive)
    fill(small_disk)
    with fs.FaultServer(normal_routes()) as server:
        done = crawl(archive, server.base, "-s", "RFI_DISCOVERY=False")
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert archived_entries(archive) == before


def test_a_read_only_archive_is_one_line_and_exit_1(small_disk, served):
    archive = make_archive(small_disk / "archive", SMALL_ARCHIVE)
    before = files_under(archive)
    remount_read_only(small_disk)
    done = crawl(archive, served.base, "-s", "RFI_DISCOVERY=False")
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if "not writable" in line]
    assert files_under(archive) == before


def test_kill_9_inside_a_write_leaves_whole_entries_and_the_next_run_finishes(tmp_path):
    archive = make_archive(tmp_path / "archive", SMALL_ARCHIVE)
    before = archived_entries(archive)
    routes = {**normal_routes(), **{path_of(e.url): fs.html(edited(e)) for e in (SEED, SECOND)}}
    with fs.FaultServer(routes) as server:
        killed = crawl(
            archive, server.base, "-s", "RFI_DISCOVERY=False",
            "-s", "EXTENSIONS=" + json.dumps(
                {**project_settings.EXTENSIONS, "tests.killer.KillInsideWrite": 900}
            ),
        )  # fmt: skip
        assert killed.returncode == -signal.SIGKILL
        middle = archived_entries(archive)
        for name, data in middle.items():
            assert data == before[name] or read_entry(archive / name)  # whole, old or new
        done = crawl(archive, server.base, "-s", "RFI_DISCOVERY=False")
    assert done.returncode == 0, done.stderr[-3000:]
    assert not list(archive.rglob(".tmp-*"))
    for name in (SMALL_ARCHIVE[0], SMALL_ARCHIVE[1]):
        history = archive / "history" / os.path.splitext(name)[0]
        revisions = [p.read_bytes() for p in history.iterdir() if p.suffix == ".txt"]
        assert revisions == [before[name]], "exactly one history revision: the old version"


@pytest.mark.parametrize(
    "setting", ["RFI_MAX_NEW_ARTICLES=abc", "RFI_MAX_ERROR_RATE=2", "RFI_DISCOVERY=maybe"]
)
def test_a_bad_setting_is_one_line_exit_2_and_nothing_written(tmp_path, served, setting):
    archive = make_archive(tmp_path / "archive", SMALL_ARCHIVE)
    before = files_under(archive)
    done = crawl(archive, served.base, "-s", setting)
    assert done.returncode == 2, done.stderr[-3000:]
    name, value = setting.split("=", 1)
    assert f"setting {name}='{value}'" in done.stderr and "Traceback" not in done.stderr
    assert files_under(archive) == before
    assert served.hits == {}
