"""A run's due articles handed to Scrapy as the crawl goes, out of the collector's way.

Yielded from ``start()`` all at once, every due article was queued at once:
Scrapy reads ``start()`` on while the downloader is full. At 100,000 due that
was 100,000 live requests, 425 full garbage collections taking 121 s of the
run, 285 pages/s of 304s against 483 at 5,000, peak RSS 512 MiB
(bench/frontier.py). Here:

- :func:`feed` keeps a reserve of requests in the scheduler (FEED_RESERVE)
  and tops it up whenever an answer comes in or the scheduler runs dry;
- :func:`collector_tuned` moves what start-up built out of the collector's
  full scans (``gc.freeze``) and lets young objects die young: a request's
  objects live for the ~20 ms it is in flight, longer than 700 allocations,
  so each was promoted and only a full collection freed it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from itertools import islice

from scrapy import Request, signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

FEED_RESERVE = 100
"""Due article requests kept waiting in the scheduler (2 x CONCURRENT_REQUESTS if more):
enough for the downloader to take from at once, few enough to cost nothing."""
YOUNG_COLLECTION_EVERY = 20_000
"""Allocations between young collections during a crawl (Python's default: 700).
At 100,000 due 304s: 3 full collections instead of 810, 783 pages/s instead of 655."""


def can_feed(scheduler) -> bool:
    """Whether feeding a reserve at a time helps: the scheduler keeps its requests in
    this process's memory (Scrapy's does) and says how many wait. A shared frontier
    (REDIS_URL) keeps them in Redis, and its run is seeded whole before results are read."""
    return hasattr(scheduler, "__len__") and getattr(scheduler, "requests_in_memory", True)


async def feed(crawler, requests: Iterator[Request]) -> None:
    """Schedule ``requests`` a reserve at a time, until all are in or the spider closes.

    They go in through ``engine.crawl()``, marked as start requests as Scrapy
    marks what ``start()`` yields (the scheduler keeps them first in, first
    out). Yielded one by one instead, Scrapy's loop took one a turn whenever
    the downloader had room: 550 pages/s of 304s on loopback instead of 730.
    """
    engine, scheduler = crawler.engine, crawler.engine.scheduler
    reserve = max(FEED_RESERVE, 2 * crawler.settings.getint("CONCURRENT_REQUESTS"))
    moves = _Moves(crawler)
    try:
        while engine.spider is not None:
            room = reserve - len(scheduler)
            if room > 0:
                batch = list(islice(requests, room))
                for request in batch:
                    request.meta["is_start_request"] = True
                    engine.crawl(request)
                if len(batch) < room:
                    return  # every request is in
            await moves.next()
    finally:
        moves.close()


class _Moves:
    """The next answer received, or the scheduler running dry."""

    SIGNALS = (signals.response_received, signals.scheduler_empty)

    def __init__(self, crawler):
        self.crawler = crawler
        self.moved = Deferred()
        for signal in self.SIGNALS:
            crawler.signals.connect(self.moved_on, signal=signal)

    def moved_on(self) -> None:
        moved, self.moved = self.moved, Deferred()
        moved.callback(None)

    async def next(self) -> None:
        await maybe_deferred_to_future(self.moved)

    def close(self) -> None:
        for signal in self.SIGNALS:
            self.crawler.signals.disconnect(self.moved_on, signal=signal)


def collector_tuned() -> tuple[int, ...]:
    """After start-up: freeze what exists, collect young objects less often.

    Returns the thresholds to give back to :func:`collector_restored`."""
    gc.collect()
    gc.freeze()
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], YOUNG_COLLECTION_EVERY), *before[1:])
    return before


def collector_restored(thresholds: tuple[int, ...] | None) -> None:
    """When the spider closes: what was frozen can be collected again, as often as before."""
    gc.unfreeze()
    if thresholds:
        gc.set_threshold(*thresholds)
