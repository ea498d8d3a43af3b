"""Replay looks a request up in O(1) and answers exactly as VCR.py's own lookups would."""

from __future__ import annotations

import pytest
import scrapy
from scrapy.utils.test import get_crawler
from vcr import matchers
from vcr.cassette import Cassette
from vcr.errors import UnhandledHTTPRequestError
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

from newsspider.middlewares import replay_index
from newsspider.middlewares.cassette import CassetteMiddleware

SITE = "https://www.rfi.fr/cn/"


def answer(status: int, text: str = "") -> dict:
    return {
        "status": {"code": status, "message": ""},
        "headers": {"Content-Type": ["text/plain"]},
        "body": {"string": text.encode()},
    }


def saved(tmp_path, interactions, **options) -> tuple[Cassette, Cassette]:
    """A cassette file holding ``interactions`` ((method, url, answer)…), loaded twice."""
    path = str(tmp_path / "c.yaml")
    recorder = Cassette.load(path=path, record_mode=RecordMode.ALL)
    for method, url, recorded in interactions:
        recorder.append(VcrRequest(method, url, None, {}), recorded)
    recorder._save()
    options = {"record_mode": RecordMode.NONE, **options}
    return Cassette.load(path=path, **options), Cassette.load(path=path, **options)


def vcr_answer(cassette: Cassette, request: VcrRequest):
    """What VCR.py's own scanning lookups give (the middleware's previous code)."""
    if cassette.can_play_response_for(request):
        return cassette.play_response(request)
    if cassette.write_protected:
        try:
            return cassette.responses_of(request)[-1]
        except UnhandledHTTPRequestError:
            return None
    return None


INTERACTIONS = [
    ("GET", SITE + "a", answer(429, "a1")),
    ("GET", SITE + "b", answer(200, "b")),
    ("GET", SITE + "a", answer(503, "a2")),
    ("GET", SITE + "a?page=2&x=1", answer(200, "a-query")),
    ("HEAD", SITE + "a", answer(200, "a-head")),
    ("GET", SITE + "a", answer(200, "a3")),
]
ASKED = [
    ("GET", SITE + "a"),
    ("GET", SITE + "a?x=1&page=2"),  # the same query in another order
    ("GET", SITE + "a"),
    ("GET", SITE + "c"),  # never recorded
    ("HEAD", SITE + "a"),
    ("GET", SITE + "a"),
    ("GET", SITE + "a"),  # all played: the last again
    ("GET", SITE + "b"),
    ("HEAD", SITE + "a"),
    ("GET", "https://other.example/cn/a"),
]


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="default-matchers"),
        pytest.param({"match_on": (matchers.method, matchers.scheme, matchers.host,
                                   matchers.port, matchers.path, matchers.query)}, id="pytest-vcr"),
        pytest.param({"match_on": (matchers.path,)}, id="path-only"),
        pytest.param({"match_on": (matchers.method, matchers.headers)}, id="unindexed-matcher"),
        pytest.param({"allow_playback_repeats": True}, id="playback-repeats"),
        pytest.param({"record_mode": RecordMode.NEW_EPISODES}, id="new-episodes"),
    ],
)  # fmt: skip
def test_answers_are_those_vcr_gives_in_the_same_order(tmp_path, options):
    cassette, reference = saved(tmp_path, INTERACTIONS, **options)
    middleware = CassetteMiddleware(cassette, get_crawler(), owns_cassette=False)
    for method, url in ASKED:
        request = VcrRequest(method, url, None, {})
        assert middleware._recorded_answer(request) == vcr_answer(reference, request), url
    assert cassette.play_counts == reference.play_counts


def test_interactions_recorded_during_the_run_are_found(tmp_path):
    cassette, reference = saved(tmp_path, INTERACTIONS[:2], record_mode=RecordMode.NEW_EPISODES)
    middleware = CassetteMiddleware(cassette, get_crawler(), owns_cassette=False)
    asked = VcrRequest("GET", SITE + "new", None, {})
    assert middleware._recorded_answer(asked) is None  # indexed now
    for each in (cassette, reference):
        each.append(VcrRequest("GET", SITE + "new", None, {}), answer(200, "new"))
    assert middleware._recorded_answer(asked) == vcr_answer(reference, asked) == answer(200, "new")


def test_a_replay_compares_each_request_with_its_own_recordings_only(tmp_path, monkeypatch):
    """5,000 recorded pages replayed: ~5,000 comparisons, not 5,000 x 5,000 / 2."""
    urls = [scrapy.Request(f"{SITE}法国/2026112{n % 10}-第{n}篇").url for n in range(5000)]
    cassette, _ = saved(tmp_path, [("GET", url, answer(200, url)) for url in urls])
    compared = 0
    real_match = matchers.requests_match

    def counting(*args):
        nonlocal compared
        compared += 1
        return real_match(*args)

    monkeypatch.setattr(replay_index.matchers, "requests_match", counting)
    middleware = CassetteMiddleware(cassette, get_crawler(), owns_cassette=False)
    for url in reversed(urls):
        response = middleware.process_request(scrapy.Request(url))
        assert response.text == url
    assert compared == len(urls)
