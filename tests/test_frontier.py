"""The frontier's accounting, on a real redis-server: what a process takes is leased,
put back once when its lease runs out, then reported lost; every entry is accounted for
once. And what travels through Redis comes back as it left, or not at all."""

from __future__ import annotations

import json
import time

import pytest

from newsspider.archive.captures import Exchange
from newsspider.distributed import argument_problems, wire
from newsspider.distributed.ledger import Ledger
from newsspider.items import ArticleItem
from newsspider.settings_schema import problems
from tests.conftest import crawl_settings, run_scrapy

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

LEASE_MS = 200


@pytest.fixture
def ledger(redis_server):
    return Ledger(redis_server.client(), "test", "run-1")


def seed(ledger, *urls):
    return [ledger.push(None, f"request for {url}".encode(), 0, url) for url in urls]


def test_entries_are_taken_in_order_and_each_one_once(ledger):
    first, second = seed(ledger, "a", "b")
    assert ledger.pop("w1", LEASE_MS) == (first, b"request for a")
    assert ledger.pop("w2", LEASE_MS) == (second, b"request for b")
    assert ledger.pop("w1", LEASE_MS) is None
    assert ledger.pending() == 2  # taken is not accounted for


def test_a_lease_that_runs_out_is_put_back_once_then_reported_lost(ledger):
    [lease] = seed(ledger, "a")
    ledger.pop("dies", LEASE_MS)
    assert ledger.reap(1) == []  # still within its lease
    time.sleep(LEASE_MS / 1000 + 0.05)
    assert ledger.reap(1) == [(lease, "dies", "requeued")]
    assert ledger.pop("dies too", LEASE_MS)[0] == lease
    time.sleep(LEASE_MS / 1000 + 0.05)
    assert ledger.reap(1) == [(lease, "dies too", "lost")]
    assert ledger.queued() == 0 and ledger.request(lease) == b"request for a"
    assert ledger.ack(lease) and ledger.pending() == 0


def test_a_live_process_keeps_its_leases_and_a_result_ends_one(ledger):
    kept, shipped = seed(ledger, "a", "b")
    ledger.pop("alive", LEASE_MS)
    ledger.pop("alive", LEASE_MS)
    for _ in range(3):
        time.sleep(LEASE_MS / 2000)
        ledger.renew("alive", LEASE_MS, [kept])
        ledger.renew("someone else", 10_000, [shipped])  # not theirs: no effect
    ledger.ship(shipped, "alive", b"result")
    time.sleep(LEASE_MS / 2000)
    assert ledger.reap(1) == []
    time.sleep(LEASE_MS / 1000)
    assert ledger.reap(1) == [(kept, "alive", "requeued")]  # the shipped one is never put back
    assert ledger.read("0-0", 10)[0][1] == b"result"


def test_every_entry_is_accounted_for_once(ledger):
    [lease] = seed(ledger, "a")
    ledger.pop("w", LEASE_MS)
    assert ledger.ack(lease) is True
    assert ledger.ack(lease) is False  # a late second result
    assert ledger.push(lease, b"a retry", 0, "a") is None  # a retry of it is dropped


def test_a_retry_goes_back_under_its_id_and_gives_its_lease_back(ledger):
    [lease] = seed(ledger, "a")
    ledger.pop("w", LEASE_MS)
    assert ledger.push(lease, b"retry of a", -1, "a") == lease
    assert ledger.pop("other", LEASE_MS) == (lease, b"retry of a")
    assert ledger.pending() == 1


def test_a_stopping_process_puts_back_only_what_it_holds(ledger):
    mine, theirs = seed(ledger, "a", "b")
    ledger.pop("me", LEASE_MS)
    ledger.pop("them", LEASE_MS)
    assert ledger.release("me", [mine, theirs]) == 1
    assert ledger.pop("next", LEASE_MS)[0] == mine
    assert ledger.pop("next", LEASE_MS) is None


def test_items_and_raw_exchanges_travel_as_they_left():
    exchange = Exchange(
        url="https://www.rfi.fr/cn/x",
        method="GET",
        request_headers=[("Accept-Encoding", "gzip")],
        status=200,
        response_headers=[("ETag", '"e1"')],
        body=b"\x1f\x8b\x08 gzip bytes",
    )
    item = ArticleItem(url="https://www.rfi.fr/cn/x", title="标题", timestamp=1, capture=exchange)
    back = wire.loads(wire.dumps({"outputs": [{"item": item}], "headers": {b"ETag": [b'"e1"']}}))
    assert back["outputs"][0]["item"] == item
    assert type(back["outputs"][0]["item"]["capture"]) is Exchange
    assert back["headers"] == {b"ETag": [b'"e1"']}


def test_nothing_but_newsspider_classes_is_rebuilt_from_redis():
    with pytest.raises(ValueError, match="not a newsspider class"):
        wire.loads(b'{"$d": "subprocess.Popen", "f": {"args": "rm -rf /"}}')
    with pytest.raises(TypeError, match="cannot send"):
        wire.dumps({"x": object()})


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("http://127.0.0.1:6379/0", "not a redis://HOST:PORT/DB URL"),
        ("redis://:6379/0", "not a redis://HOST:PORT/DB URL"),
        ("redis://127.0.0.1:6379/x", "database 'x' is not a number"),
    ],
)
def test_a_bad_redis_url_is_one_line(tmp_path, value, reason):
    found = problems(crawl_settings(tmp_path, REDIS_URL=value))
    assert found == [f"setting REDIS_URL={value!r}: {reason}"]


def test_a_good_redis_url_passes(tmp_path):
    assert problems(crawl_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6380/2")) == []


def test_a_worker_needs_a_frontier_and_a_known_role(tmp_path):
    settings = crawl_settings(tmp_path)
    assert argument_problems({"role": "worker"}, settings) == [
        "argument role='worker': needs -s REDIS_URL=redis://HOST:PORT/DB (the frontier)"
    ]
    assert argument_problems({"role": "boss"}, settings) == [
        "argument role='boss': not one of archive, worker"
    ]
    done = run_scrapy("crawl", "rfi", "-a", "role=worker")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "argument role='worker': needs -s REDIS_URL=redis://HOST:PORT/DB (the frontier)"
    ]


def test_a_new_run_drops_what_a_dead_archive_process_left(redis_server):
    from types import SimpleNamespace

    from scrapy.settings import Settings

    from newsspider.distributed.frontier import Frontier

    client = redis_server.client()
    dead = Ledger(client, "newsspider:rfi:cn", "20261201T000000Z-dead00")
    seed(dead, "a")
    client.set("newsspider:rfi:cn:site:www.rfi.fr:crawl_delay", 5000)
    settings = Settings(
        {"REDIS_LEASE_TIMEOUT": 60, "REDIS_POLL_INTERVAL": 1, "REDIS_JOIN_TIMEOUT": 1}
    )
    crawler = SimpleNamespace(settings=settings, stats=None, engine=None)
    frontier = Frontier(crawler, client, redis_server.url, "archive", "newsspider:rfi:cn")
    ledger = frontier.begin()
    assert dead.pending() == 0 and dead.queued() == 0
    assert (
        client.get("newsspider:rfi:cn:site:www.rfi.fr:crawl_delay") == b"5000"
    )  # politeness stays
    assert client.get("newsspider:rfi:cn:run") == ledger.run.encode()


def test_a_run_over_redis_reports_what_each_process_handed_back():
    from datetime import UTC, datetime

    from newsspider.runreport.jsondoc import json_report
    from newsspider.runreport.markdown import markdown
    from newsspider.runreport.model import RunReport

    alone = RunReport(started=datetime(2026, 12, 2, tzinfo=UTC))
    assert "## Processes" not in markdown(alone) and "workers" not in json_report(alone)
    rows = {
        "host-a:812": {"requests": 12, "items": 9, "failed": 1, "put back": 2},
        "archive-host:77 (archive)": {"requests": 3, "items": 3, "failed": 0, "put back": 0},
    }
    over_redis = RunReport(started=datetime(2026, 12, 2, tzinfo=UTC), workers=rows)
    text = markdown(over_redis)
    assert text.endswith(
        "## Processes (2)\n\n"
        "| process | requests | items | failed | put back |\n"
        "|---|---|---|---|---|\n"
        "| host-a:812 | 12 | 9 | 1 | 2 |\n"
        "| archive-host:77 (archive) | 3 | 3 | 0 | 0 |\n"
    )
    assert json.loads(json_report(over_redis))["workers"] == rows
