"""The archive's process reads back what every process handed in, and ends the run.

Each result is one request accounted for: the spider's log lines and signals are
replayed here (the report hears them as from a single process), its items go to the
pipelines and its new requests into the frontier — all yielded from ``start()``, so
they take the engine's ordinary paths — and then the request is marked accounted for.
A response a worker sent back (a listing: discovery reads the archive) runs through
its callback here. Leases that ran out are put back once, then the request fails
through its errback with the reason. The run ends when nothing is pending any more and
this process is idle.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, defaultdict

from scrapy import signals
from scrapy.http import Headers, Request
from scrapy.responsetypes import responsetypes
from scrapy.utils.request import request_from_dict
from scrapy.utils.spider import iterate_spider_output
from twisted.python.failure import Failure

from newsspider.distributed import wire
from newsspider.distributed.calls import spider_signals
from newsspider.distributed.frontier import FINISHED, RUNNING, guarded
from newsspider.distributed.queue import LEASE

logger = logging.getLogger(__name__)

BATCH = 100
PUT_BACK_TIMES = 1
"""A request whose process stopped answering is put back this many times, then failed."""


class LostRequest(Exception):
    """The processes that took a request stopped answering before handing it back."""


class Collector:
    def __init__(self, frontier, spider, calls):
        self.frontier = frontier
        self.spider = spider
        self.calls = calls
        self.crawler = spider.crawler
        self.signals = spider_signals()
        self.after = "0-0"
        self.counts: dict[str, Counter] = defaultdict(Counter)
        """Per process that handed results back: requests, items, failed, put back."""
        self.finished = False

    async def outputs(self):
        """Everything the run hands back, as items and requests for the engine, until the
        run is over (or Redis fails it)."""
        frontier = self.frontier
        last_tick = 0.0
        while not frontier.broken:
            if time.monotonic() - last_tick >= frontier.poll:  # busy or not: heartbeat
                if guarded(frontier, frontier.tick) != RUNNING:
                    return
                last_tick = time.monotonic()
            batch = guarded(frontier, lambda: frontier.ledger.read(self.after, BATCH), [])
            for message_id, data in batch:
                self.after = message_id
                for value in self.handle(wire.loads(data)):
                    yield value
            done = [message_id for message_id, _ in batch]
            guarded(frontier, lambda done=done: frontier.ledger.forget(done))
            for value in self.reap():
                yield value
            if batch:
                continue
            if self.over():
                guarded(frontier, lambda: frontier.finish(FINISHED))
                self.finished = not frontier.broken
                return
            wake(self.crawler.engine)  # requests may wait in the frontier for this process too
            await asyncio.sleep(frontier.poll)

    def over(self) -> bool:
        """Nothing pending in the frontier, nothing left in this process."""
        engine = self.crawler.engine
        if engine.downloader.active or not engine.scraper.slot.is_idle():
            return False
        return guarded(self.frontier, self.frontier.ledger.pending, 1) == 0

    # --- one result ---------------------------------------------------------------------

    def handle(self, message: dict):
        lease, worker = message["lease"], message["worker"]
        ledger = self.frontier.ledger
        if not guarded(self.frontier, lambda: ledger.redis.hexists(ledger.key["pending"], lease)):
            self.counts[worker]["late"] += 1  # put back meanwhile and answered twice
            return
        counts = self.counts[worker]
        counts["requests"] += 1
        for name, level, text in message.get("logs", ()):
            logging.getLogger(name).log(level, "%s (worker %s)", text, worker)
        for name, kwargs in message.get("events", ()):
            counts["failed"] += name in ("article_failed", "listing_failed")
            if name in self.signals:
                self.crawler.signals.send_catch_log(signal=self.signals[name], **kwargs)
        if message["kind"] == "response":
            yield from self.callback(message, worker)
        elif message["kind"] == "dropped":  # a worker's redirect to a page asked for already
            request = self.request(message["request"])
            self.crawler.signals.send_catch_log(
                signal=signals.request_dropped, request=request, spider=self.spider
            )
        for output in message.get("outputs", ()):
            if "request" in output:
                yield self.request(output["request"])
            else:
                counts["items"] += 1
                yield output["item"]
        guarded(self.frontier, lambda: ledger.ack(lease))

    def request(self, data: dict) -> Request:
        if "_class" in data and not data["_class"].startswith("scrapy.http."):
            raise ValueError(f"refusing a {data['_class']!r} request from Redis")
        request = request_from_dict(data, spider=self.spider)
        request.meta.pop(LEASE, None)  # a new entry of the frontier, not the one that found it
        return request

    def callback(self, message: dict, worker: str):
        """A listing a worker fetched: its callback runs here, where the archive is."""
        request = self.request(message["request"])
        shipped = message["response"]
        headers = Headers(shipped["headers"])
        cls = responsetypes.from_args(headers=headers, url=shipped["url"], body=shipped["body"])
        response = cls(
            url=shipped["url"],
            status=shipped["status"],
            headers=headers,
            body=shipped["body"],
            flags=shipped["flags"],
            request=request,
        )
        try:
            yield from iterate_spider_output(request.callback(response, **request.cb_kwargs))
        except Exception:
            logger.exception("Spider error processing %s (fetched by worker %s)", request, worker)
            self.crawler.stats.inc_value("spider_exceptions/count")

    # --- leases that ran out ------------------------------------------------------------

    def reap(self):
        frontier = self.frontier
        ledger = frontier.ledger
        for lease, holder, what in guarded(frontier, lambda: ledger.reap(PUT_BACK_TIMES), []):
            data = guarded(frontier, lambda lease=lease: ledger.request(lease))
            if data is None:
                continue
            request = self.request(wire.loads(data))
            self.counts[holder or "?"]["put back"] += 1
            if what == "requeued":
                logger.warning(
                    "%s stopped answering: %s put back in the frontier", holder, request.url
                )
                continue
            yield from self.lost(request, lease, holder)

    def lost(self, request: Request, lease: str, holder: str):
        timeout = self.frontier.lease_ms / 1000
        failure = Failure(
            LostRequest(
                f"lost: taken {PUT_BACK_TIMES + 1} times by processes that stopped answering "
                f"(last {holder}, REDIS_LEASE_TIMEOUT {timeout:g}s)"
            )
        )
        failure.request = request
        if request.errback is not None:
            yield from iterate_spider_output(request.errback(failure))
        else:
            logger.error("%s %s", request.url, failure.getErrorMessage())
        guarded(self.frontier, lambda: self.frontier.ledger.ack(lease))


def wake(engine) -> None:
    """Have the engine ask its scheduler now, not at its next 5 s heartbeat (an idle
    engine does not know that other processes filled the frontier)."""
    slot = getattr(engine, "_slot", None)
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()
