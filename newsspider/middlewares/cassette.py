"""Replay (and record) HTTP traffic through a VCR.py cassette.

VCR.py patches Python HTTP client libraries; Scrapy's downloader is not one of
them, so this middleware talks to a :class:`vcr.cassette.Cassette` directly:

- a request the cassette can answer gets the recorded response, and the
  network is never touched; several recorded answers to one request are
  played in order, and once all were played the last one is repeated (a
  retry, or a second run in one process, asks again);
- a request it cannot answer is downloaded and recorded when the record mode
  allows it, and otherwise fails with one error line naming the URL (stats
  ``vcr/unmatched``);
- a download that fails while recording (no network, timeout) is material the
  cassette would lose: a cassette this middleware opened is then not saved at
  all, the run fails with one line naming the URL, and the failures go out as
  the ``recording_failed`` signal (stats ``vcr/record_failed``), so that the
  owner of a cassette handed in (the test suite) can restore its file.

The cassette comes from a ``vcr_cassette`` spider argument (tests pass the
object from pytest-recording's ``vcr`` fixture; a Cassette cannot travel in
settings, which are deep-copied) or from the ``VCR_CASSETTE`` setting (a path,
opened with ``VCR_RECORD_MODE``, default ``none``).

It sits at 950, next to the downloader, so it records bodies as they travel
(gzip stays gzip) and replayed responses pass through decompression,
redirects and retries exactly like live ones.
"""

from __future__ import annotations

import logging
from functools import cached_property
from http import HTTPStatus

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from vcr.cassette import Cassette
from vcr.errors import UnhandledHTTPRequestError
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

from newsspider.middlewares.replay_index import RecordedInteractions
from newsspider.settings_schema import SettingError, cassette_problem
from newsspider.signals import recording_failed

logger = logging.getLogger(__name__)

RECORD_FLAG = "vcr_record"
REPLAY_FLAG = "vcr"


class CassetteMiddleware:
    def __init__(self, cassette: Cassette, crawler, owns_cassette: bool):
        self.cassette = cassette
        self.stats = crawler.stats
        self.owns_cassette = owns_cassette
        self.signals = crawler.signals
        self.unrecorded: dict[str, str] = {}
        """URL -> why its download failed while recording (until a retry gets it)."""
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        # VCR.py logs every loaded interaction, body included, at INFO.
        logging.getLogger("vcr").setLevel(logging.WARNING)
        cassette = getattr(crawler.spider, "vcr_cassette", None)
        if cassette is not None:
            return cls(cassette, crawler, owns_cassette=False)
        path = crawler.settings.get("VCR_CASSETTE")
        if not path:
            raise NotConfigured  # no cassette: a normal live crawl
        # A bad record mode or a missing cassette stops the crawl: turning the
        # middleware off instead would send a replay to the live site.
        problem = cassette_problem(crawler.settings)
        if problem:
            raise SettingError(problem)
        record_mode = RecordMode(crawler.settings.get("VCR_RECORD_MODE"))
        cassette = Cassette.load(path=path, record_mode=record_mode)
        if record_mode == RecordMode.NONE and not len(cassette):
            logger.error("VCR_CASSETTE %s: no interactions in it", path)
        return cls(cassette, crawler, owns_cassette=True)

    def process_request(self, request: Request):
        vcr_request = to_vcr_request(request)
        recorded = self._recorded_answer(vcr_request)
        if recorded is not None:
            self.stats.inc_value("vcr/replayed")
            return from_vcr_response(recorded, request)
        if self.cassette.write_protected:
            self.stats.inc_value("vcr/unmatched")
            message = (
                f"cassette {self.cassette._path} has no recorded response for "
                f"{request.method} {request.url} (record mode {self.cassette.record_mode})"
            )
            logger.error(message)
            raise IgnoreRequest(message)
        request.meta[RECORD_FLAG] = vcr_request
        return None

    @cached_property
    def recorded(self) -> RecordedInteractions:
        """The cassette's interactions indexed by request (VCR.py's lookups scan them all)."""
        return RecordedInteractions(self.cassette)

    def _recorded_answer(self, vcr_request: VcrRequest) -> dict | None:
        cassette = self.cassette
        if cassette.drop_unused_requests:  # VCR.py must see each play to save what was used
            return self._recorded_answer_by_scan(vcr_request)
        matching = self.recorded.matching(vcr_request)
        # What can_play_response_for and play_response decide, in the same order.
        repeats = cassette.allow_playback_repeats
        if cassette.record_mode != RecordMode.ALL and (cassette.rewound or repeats):
            for index in matching:
                if cassette.play_counts[index] == 0 or repeats:  # the next one not played yet
                    cassette.play_counts[index] += 1
                    return cassette.data[index][1]
        if cassette.write_protected and matching:
            return cassette.data[matching[-1]][1]  # all played: the last one again
        return None  # recording: a request asked again is downloaded and recorded again

    def _recorded_answer_by_scan(self, vcr_request: VcrRequest) -> dict | None:
        if self.cassette.can_play_response_for(vcr_request):
            return self.cassette.play_response(vcr_request)
        if self.cassette.write_protected:
            try:
                return self.cassette.responses_of(vcr_request)[-1]
            except UnhandledHTTPRequestError:
                return None
        return None

    def process_response(self, request: Request, response: Response):
        vcr_request = request.meta.pop(RECORD_FLAG, None)
        if vcr_request is not None and REPLAY_FLAG not in response.flags:
            self.cassette.append(vcr_request, to_vcr_response(response))
            self.stats.inc_value("vcr/recorded")
            self.unrecorded.pop(request.url, None)  # a retry got it after all
        return response

    def process_exception(self, request: Request, exception: Exception):
        if request.meta.pop(RECORD_FLAG, None) is None:
            return None  # not a download this middleware let through to record
        reason = str(exception) or type(exception).__name__
        self.unrecorded[request.url] = f"{request.method} {request.url}: {reason}"
        self.stats.inc_value("vcr/record_failed")
        return None  # retries and errbacks go on as without a cassette

    def spider_closed(self):
        if self.unrecorded:
            self._recording_failed()
        elif self.owns_cassette and not self.cassette.write_protected:
            self.cassette._save()  # VCR.py's own context manager saves the same way

    def _recording_failed(self):
        failures = list(self.unrecorded.values())
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        kept = "not saved, left as it was" if self.owns_cassette else "incomplete"
        message = f"recording failed, cassette {self.cassette._path} {kept}: {failures[0]}{more}"
        logger.error(message)
        if not self.stats.get_value("refresh/run_failed"):
            self.stats.set_value("refresh/run_failed", "recording failed")
        self.signals.send_catch_log(
            signal=recording_failed, cassette=self.cassette, failures=failures
        )


def to_vcr_request(request: Request) -> VcrRequest:
    headers = {
        k.decode("latin-1"): v[-1].decode("latin-1") for k, v in request.headers.items() if v
    }
    return VcrRequest(request.method, request.url, request.body or None, headers)


def to_vcr_response(response: Response) -> dict:
    try:
        message = HTTPStatus(response.status).phrase
    except ValueError:
        message = ""
    headers = {
        key.decode("latin-1"): [value.decode("latin-1") for value in values]
        for key, values in response.headers.items()
    }
    return {
        "status": {"code": response.status, "message": message},
        "headers": headers,
        "body": {"string": response.body},
    }


def from_vcr_response(recorded: dict, request: Request) -> Response:
    headers = Headers()
    for key, values in recorded["headers"].items():
        headers[key.encode("latin-1")] = [v.encode("latin-1") for v in values]
    body = recorded["body"]["string"]
    if isinstance(body, str):
        body = body.encode("utf-8")
    status = recorded["status"]["code"]
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return cls(
        url=request.url,
        status=status,
        headers=headers,
        body=body,
        request=request,
        flags=[REPLAY_FLAG],
    )
