"""An article's publication and modification times, from every place RFI puts them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from newsspider.archive.state import CheckState
from newsspider.page.article import article_root, parse_page
from newsspider.page.dates import page_dates
from newsspider.rfi_sources import EDITIONS
from newsspider.schedule import DAY_MS, HOUR_MS, RecheckPolicy
from tests.cassette_factory import SMALL_ARCHIVE, entry
from tests.compose import compose_page

CN = EDITIONS["cn"]
SEED = entry(SMALL_ARCHIVE[0])
PUBLISHED = datetime(2023, 10, 13, 19, 2, tzinfo=UTC)  # the seed's date line, 21:02 Paris
EDITED = datetime(2023, 10, 14, 8, 30, tzinfo=UTC)
JSON_LD = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)


def dates_of(page: str):
    tree = parse_page(page)
    return page_dates(tree, article_root(tree), CN)


def with_json_ld(page: str, *blocks: str) -> str:
    """The page with its JSON-LD replaced by ``blocks``, in order."""
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return JSON_LD.sub(lambda _: scripts, page, count=1)


def without_machine_dates(page: str) -> str:
    """Only the visible line is left: no JSON-LD, no meta, no <time datetime>."""
    page = JSON_LD.sub("", page)
    page = re.sub(r'<meta property="article:published_time"[^>]*>', "", page)
    return re.sub(r'<time datetime="[^"]*"( pubdate="pubdate")?>', "<time>", page)


def news_article(**dates) -> dict:
    return {"@context": "https://schema.org", "@type": "NewsArticle", **dates}


def test_an_edited_page_shows_both_times():
    dates = dates_of(compose_page(SEED, modified=EDITED))
    assert (dates.published, dates.modified) == (PUBLISHED, EDITED)


def test_an_unedited_page_has_no_modified_time():
    # RFI's JSON-LD repeats datePublished as dateModified when nothing changed.
    dates = dates_of(compose_page(SEED))
    assert (dates.published, dates.modified) == (PUBLISHED, None)


def test_the_news_article_is_found_among_several_blocks_and_in_arrays():
    website = json.dumps({"@type": "WebSite", "dateModified": "2030-01-01T00:00:00Z"})
    graph = json.dumps(
        {"@graph": [{"@type": "BreadcrumbList"}, news_article(dateModified=EDITED.isoformat())]}
    )
    page = with_json_ld(compose_page(SEED), website, json.dumps([{"@type": "Person"}]), graph)
    assert dates_of(page).modified == EDITED


def test_a_type_list_counts():
    block = json.dumps([{"@type": ["NewsArticle", "Article"], "dateModified": EDITED.isoformat()}])
    assert dates_of(with_json_ld(compose_page(SEED), block)).modified == EDITED


def test_broken_json_ld_is_skipped_and_the_next_block_read():
    broken = '{"@type": "NewsArticle", "dateModified": "2031-01-01T00:00:00Z",'  # cut short
    good = json.dumps([news_article(dateModified=EDITED.isoformat())])
    dates = dates_of(with_json_ld(compose_page(SEED), broken, good))
    assert (dates.published, dates.modified) == (PUBLISHED, EDITED)


def test_a_page_whose_only_json_ld_is_broken_still_has_its_dates():
    dates = dates_of(with_json_ld(compose_page(SEED, modified=EDITED), "[{not json"))
    assert (dates.published, dates.modified) == (PUBLISHED, EDITED)


def test_the_visible_line_alone_gives_both_times_in_paris_time():
    dates = dates_of(without_machine_dates(compose_page(SEED, modified=EDITED)))
    assert dates.published == PUBLISHED  # 13/10/2023 - 21:02 Paris
    assert dates.modified == EDITED.replace(second=0)  # 14/10/2023 - 10:30 Paris


def test_the_published_meta_is_read_when_json_ld_has_no_date():
    page = with_json_ld(compose_page(SEED), json.dumps(news_article(headline="x")))
    page = re.sub(r'<time datetime="[^"]*"', "<time", page)
    assert dates_of(page).published == PUBLISHED


# --- the schedule treats a modified time as a change ---------------------------

NOW = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
POLICY = RecheckPolicy()


def state(**fields) -> CheckState:
    return CheckState(url=SEED.url, last_checked_ms=NOW - HOUR_MS, **fields)


@pytest.mark.parametrize("edited_days_ago", [1, 3])
def test_a_recently_modified_article_is_checked_sooner_than_a_stable_one(edited_days_ago):
    published = NOW - 200 * DAY_MS
    stable = POLICY.due_at(state(published_ms=published), published)
    modified = NOW - edited_days_ago * DAY_MS
    edited = POLICY.due_at(state(published_ms=published, modified_ms=modified), published)
    assert edited < stable
    assert edited - (NOW - HOUR_MS) <= edited_days_ago * DAY_MS


def test_a_listing_lastmod_after_the_last_check_makes_the_article_due_at_once():
    listed = NOW - HOUR_MS + timedelta(minutes=5).total_seconds() * 1000
    assert POLICY.due_at(state(listed_lastmod_ms=int(listed)), NOW - 200 * DAY_MS) == 0


# --- through the crawl ---------------------------------------------------------------


def test_a_crawl_records_the_modified_time_the_page_shows(tmp_path):
    from vcr.cassette import Cassette
    from vcr.record_mode import RecordMode

    from newsspider.archive.state import CrawlState
    from tests import cassette_factory as factory
    from tests.conftest import make_archive, run_crawl

    archive = make_archive(tmp_path / "archive", [SMALL_ARCHIVE[0]])
    cassette = Cassette.load(path=str(tmp_path / "edited.yaml"), record_mode=RecordMode.NONE)
    cassette.append(*factory.robots())
    body = compose_page(SEED, modified=EDITED)
    cassette.append(factory.get(SEED.url), factory.html_response(body))
    crawler = run_crawl(archive, cassette, RFI_DISCOVERY=False)
    assert crawler.stats.get_value("archive/unchanged") == 1
    with CrawlState.open(archive) as crawl_state:
        recorded = crawl_state.get(SEED.url)
    assert recorded.modified_ms == int(EDITED.timestamp() * 1000)
    assert recorded.published_ms == int(PUBLISHED.timestamp() * 1000)


def test_a_state_from_before_modified_times_keeps_its_validators(tmp_path, caplog):
    import sqlite3

    from newsspider.archive.state import CrawlState

    folder = tmp_path / ".newsspider"
    folder.mkdir()
    old = sqlite3.connect(folder / "state.sqlite3")
    old.execute(
        "CREATE TABLE checks (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,"
        " published_ms INTEGER, last_checked_ms INTEGER, last_changed_ms INTEGER,"
        " listed_lastmod_ms INTEGER)"
    )
    old.execute("INSERT INTO checks (url, etag, last_checked_ms) VALUES ('u', '\"e\"', 5)")
    old.commit()
    old.close()
    with CrawlState.open(tmp_path) as opened:
        kept = opened.get("u")
        opened.record_check("u", 6, changed=False, modified_ms=4)
        assert opened.get("u").modified_ms == 4
    assert (kept.etag, kept.last_checked_ms, kept.modified_ms) == ('"e"', 5, None)
    assert not list(folder.glob("*.corrupt-*")) and "WARNING" not in caplog.text
