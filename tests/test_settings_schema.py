"""Settings are checked before anything runs: a bad value is one line and exit status 2."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsspider.middlewares.cassette import CassetteMiddleware
from newsspider.settings_schema import SCHEMA, SettingError, problems, project_setting_names
from tests.cassette_factory import SMALL_ARCHIVE
from tests.conftest import CASSETTES, ROOT, make_archive, run_scrapy

DEMO = "cassettes/demo.yaml"


def project(**cmdline) -> Settings:
    settings = Settings()
    settings.setmodule("newsspider.settings", priority="project")
    settings.setdict(cmdline, priority="cmdline")
    return settings


def test_every_setting_of_settings_py_has_a_rule_and_every_rule_a_setting():
    assert sorted(set(project_setting_names()) - set(SCHEMA)) == []  # add a rule to SCHEMA
    assert sorted(set(SCHEMA) - set(project_setting_names())) == []


def test_the_shipped_settings_pass():
    assert problems(project()) == []


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("RFI_MAX_NEW_ARTICLES", "abc", "not an integer"),
        ("RFI_MAX_NEW_ARTICLES", "2.5", "not an integer"),
        ("RFI_MAX_NEW_ARTICLES", "-1", "must be >= 0"),
        ("CONCURRENT_REQUESTS", "0", "must be >= 1"),
        ("RFI_MAX_ERROR_RATE", "1.5", "must be <= 1"),
        ("DOWNLOAD_TIMEOUT", "0", "must be > 0"),
        ("DOWNLOAD_DELAY", "soon", "not a number"),
        ("RFI_OLDEST_DAYS", "inf", "not a finite number"),
        ("RFI_DISCOVERY", "yes", "not a boolean (True or False)"),
        ("RFI_FEEDS", "ftp://x", "not an http(s) URL"),
        (
            "RFI_SECTIONS",
            "https://www.rfi.fr/cn/,www.rfi.fr/cn/",
            "not an http(s) URL: 'www.rfi.fr/cn/'",
        ),
        ("CONTACT_URL", "me@example.org", "not an http(s) URL"),
        ("RETRY_HTTP_CODES", "500,5O3", "not a list of integers: '5O3'"),
        ("RETRY_HTTP_CODES", "500,99", "'99' is not between 100 and 599"),
        ("VCR_RECORD_MODE", "bogus", "not one of none, once, new_episodes, all"),
        ("LOG_LEVEL", "LOUD", "not a log level (DEBUG, INFO, WARNING, ERROR, CRITICAL)"),
        (
            "ARCHIVE_REPORTS_DIR",
            "../elsewhere",
            "must be a folder inside ARCHIVE_DIR (relative, without '..')",
        ),
        ("FEED_EXPORT_ENCODING", "utf-9", "not a text encoding"),
        ("ITEM_PIPELINES", '{"a.B": "first"}', "order of a.B is not an integer or null"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting_the_value_and_the_reason(name, value, reason):
    assert problems(project(**{name: value})) == [f"setting {name}='{value}': {reason}"]


def test_values_of_every_kind_that_the_code_accepts_pass():
    good = {
        "RFI_MAX_NEW_ARTICLES": "0",
        "RFI_MAX_ERROR_RATE": "1",
        "RFI_DISCOVERY": "false",
        "RFI_FEEDS": "",  # no feeds at all
        "RFI_SITEMAPS": "http://127.0.0.1:8000/sitemap.xml,https://www.rfi.fr/sitemaps/cn/news.xml",
        "RETRY_HTTP_CODES": "503",
        "VCR_RECORD_MODE": "new_episodes",
        "VCR_CASSETTE": "build/new.yaml",  # recording creates it
        "LOG_LEVEL": "WARNING",
        "USER_AGENT": "",
        "ITEM_PIPELINES": '{"newsspider.pipelines.archive.ArchiveDedupePipeline": 5, "x.Y": null}',
    }
    assert problems(project(**good)) == []


def test_a_misspelt_project_setting_is_refused_with_the_likely_name():
    assert problems(project(RFI_MAX_NEW_ARTICLE="5")) == [
        "setting RFI_MAX_NEW_ARTICLE='5': unknown setting (did you mean RFI_MAX_NEW_ARTICLES?)"
    ]


def test_a_minimum_recheck_longer_than_the_maximum_is_refused():
    assert problems(project(RFI_RECHECK_MIN_HOURS="49", RFI_RECHECK_MAX_DAYS="2")) == [
        "setting RFI_RECHECK_MIN_HOURS='49': longer than RFI_RECHECK_MAX_DAYS (2 days)"
    ]


def test_a_replay_needs_its_cassette_and_an_archive_given_on_the_command_line(tmp_path):
    assert problems(project(VCR_CASSETTE="gone.yaml", ARCHIVE_DIR=str(tmp_path))) == [
        "setting VCR_CASSETTE='gone.yaml': no such cassette (record mode none replays only)"
    ]
    into_seeds = (
        "setting ARCHIVE_DIR='seeds': a replay would write the cassette's answers into the "
        "default archive; give -s ARCHIVE_DIR=…"
    )
    assert problems(project(VCR_CASSETTE=str(ROOT / DEMO))) == [into_seeds]
    # "once" with an existing cassette replays only, too
    assert problems(project(VCR_CASSETTE=str(ROOT / DEMO), VCR_RECORD_MODE="once")) == [into_seeds]
    # recording talks to the site: its answers are real, the default archive is the place
    assert problems(project(VCR_CASSETTE=str(ROOT / DEMO), VCR_RECORD_MODE="new_episodes")) == []


# --- the cassette middleware, for callers that skip the crawl command ----------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"VCR_CASSETTE": DEMO, "VCR_RECORD_MODE": "bogus"},
            "setting VCR_RECORD_MODE='bogus': not one of none, once, new_episodes, all",
        ),
        (
            {"VCR_CASSETTE": "gone.yaml"},
            "setting VCR_CASSETTE='gone.yaml': no such cassette (record mode none replays only)",
        ),
    ],
)
def test_the_cassette_middleware_refuses_instead_of_falling_through_to_the_network(
    settings, message, monkeypatch
):
    monkeypatch.chdir(ROOT)
    crawler = get_crawler(settings_dict={"VCR_RECORD_MODE": "none", **settings})
    with pytest.raises(SettingError) as refused:
        CassetteMiddleware.from_crawler(crawler)
    assert str(refused.value) == message


def test_the_cassette_middleware_records_into_a_new_cassette(tmp_path):
    path = str(tmp_path / "new.yaml")
    crawler = get_crawler(settings_dict={"VCR_CASSETTE": path, "VCR_RECORD_MODE": "once"})
    middleware = CassetteMiddleware.from_crawler(crawler)
    assert not middleware.cassette.write_protected


# --- as a user runs it: one line, exit status 2, nothing written ------------------------


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", SMALL_ARCHIVE)


def files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["-s", "RFI_MAX_NEW_ARTICLES=abc"], "setting RFI_MAX_NEW_ARTICLES='abc': not an integer"),
        (["-s", "RFI_OLDEST_DAYS=-3"], "setting RFI_OLDEST_DAYS='-3': must be >= 0"),
        (
            ["-s", "RFI_RECHECK_EVERYTHING=maybe"],
            "setting RFI_RECHECK_EVERYTHING='maybe': not a boolean (True or False)",
        ),
        (["-s", "RFI_FEEDS=ftp://x"], "setting RFI_FEEDS='ftp://x': not an http(s) URL"),
        (
            ["-s", "ITEM_PIPELINES=a.B"],
            "setting ITEM_PIPELINES='a.B': not a JSON object of class paths to order numbers",
        ),
        (
            ["-L", "LOUD"],
            "setting LOG_LEVEL='LOUD': not a log level (DEBUG, INFO, WARNING, ERROR, CRITICAL)",
        ),
        (
            ["-s", f"VCR_CASSETTE={DEMO}", "-s", "VCR_RECORD_MODE=bogus"],
            "setting VCR_RECORD_MODE='bogus': not one of none, once, new_episodes, all",
        ),
        (
            ["-s", "VCR_CASSETTE=x.yaml"],
            "setting VCR_CASSETTE='x.yaml': no such cassette (record mode none replays only)",
        ),
    ],
)
def test_a_bad_setting_exits_2_with_one_line_before_anything_runs(archive, args, line):
    before = files(archive)
    done = run_scrapy("crawl", "rfi", "-s", f"ARCHIVE_DIR={archive}", *args)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [line]  # no traceback, no log, no closing line
    assert files(archive) == before  # no lock, no state, no report


def test_a_replay_without_an_archive_on_the_command_line_leaves_the_seeds_alone():
    seeds = ROOT / "seeds"
    before = {str(p.relative_to(seeds)): p.read_bytes() for p in seeds.rglob("*") if p.is_file()}
    done = run_scrapy("crawl", "rfi", "-s", f"VCR_CASSETTE={DEMO}")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "setting ARCHIVE_DIR='seeds': a replay would write the cassette's answers into the "
        "default archive; give -s ARCHIVE_DIR=…"
    ]
    after = {str(p.relative_to(seeds)): p.read_bytes() for p in seeds.rglob("*") if p.is_file()}
    assert after == before


def test_a_good_replay_still_runs(archive):
    cassette = (
        CASSETTES / "test_incremental" / "test_every_page_not_modified_writes_only_the_report.yaml"
    )
    done = run_scrapy(
        "crawl",
        "rfi",
        "-s",
        f"ARCHIVE_DIR={archive}",
        "-s",
        f"VCR_CASSETTE={cassette}",
        "-s",
        "RFI_DISCOVERY=False",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refresh: checked=4 " in done.stderr.splitlines()[-1]
