"""scrapy-redis's scheduler, on one run's frontier (``SCHEDULER`` while REDIS_URL is set).

It owns this process's ``Frontier``. Until a run is begun (the archive's process) or
joined (a worker), it holds nothing. The queue persists (``SCHEDULER_PERSIST``): a
process that closes never flushes what others still work on; the archive's process
drops the run's keys when the run ends. Redis errors never reach the engine: the
frontier records them and stops the crawl.
"""

from __future__ import annotations

import logging

from scrapy_redis.scheduler import Scheduler

from newsspider.distributed import wire
from newsspider.distributed.calls import Calls
from newsspider.distributed.frontier import FAILED_STATE, STOPPED, Frontier, guarded
from newsspider.distributed.queue import LEASE, LeasedQueue, RunDupeFilter, unwrapped

logger = logging.getLogger(__name__)

WORKER_COUNTS = "frontier/workers"
"""Stats key: per process, what it handed back (read by the run report)."""


class FrontierScheduler(Scheduler):
    requests_in_memory = False
    """Requests wait in Redis, serialized: the spider seeds the whole run at once."""

    def __init__(self, crawler, frontier: Frontier):
        super().__init__(frontier.redis, persist=True, serializer=wire)
        self.crawler = crawler
        self.frontier = frontier
        self.stats = crawler.stats
        self.queue: LeasedQueue | None = None
        self.calls: Calls | None = None
        self.collector = None
        """The archive's results.Collector, once the run is seeded."""

    @classmethod
    def from_crawler(cls, crawler):
        # scrapy-redis pings Redis here; a frontier that cannot be reached is reported
        # when the run begins (or is joined), as one line.
        return cls(crawler, Frontier.from_crawler(crawler))

    def open(self, spider):
        self.spider = spider
        self.calls = Calls(self.frontier, spider)

    def attach(self) -> None:
        """Use the run the frontier has begun or joined."""
        ledger = self.frontier.ledger
        self.queue = LeasedQueue(self.frontier, self.spider)
        self.df = RunDupeFilter(
            self.server, ledger.key["dupefilter"], self.crawler.request_fingerprinter
        )

    def __len__(self) -> int:
        if self.queue is None:
            return 0
        return guarded(self.frontier, lambda: len(self.queue), 0)

    def has_pending_requests(self) -> bool:
        return len(self) > 0

    def enqueue_request(self, request) -> bool:
        if self.queue is None:
            return False
        # A run stopping because Redis failed abandons what comes now, as a run stopped by
        # Ctrl-C abandons its queue: not "dropped" (that says the dupefilter refused it).
        return guarded(self.frontier, lambda: self._enqueue(request), True)

    def _enqueue(self, request) -> bool:
        lease = request.meta.get(LEASE)
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            if lease:  # a redirect to a page this run has asked for: the request ends here
                self._dropped(lease, request)
            return False
        if not self.queue.push(request):
            return False  # a retry of a request accounted for meanwhile
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _dropped(self, lease: str, request) -> None:
        self.stats.inc_value("frontier/dropped")
        if self.frontier.is_archive:  # the engine sends request_dropped here itself
            self.frontier.held.discard(lease)
            self.frontier.ledger.ack(lease)
        else:  # the archive's process sends request_dropped for it (it counts articles)
            data = unwrapped(request).to_dict(spider=self.spider)
            self.calls.send(lease, {"kind": "dropped", "request": data})

    def next_request(self):
        if self.queue is None or self.frontier.broken:
            return None
        request = guarded(self.frontier, self.queue.pop)
        if request is None:
            return None
        self.stats.inc_value("scheduler/dequeued/redis")
        return self.calls.wrap(request)

    def close(self, reason):
        frontier = self.frontier
        if frontier.ledger is None:
            return
        if frontier.is_archive:
            if not (self.collector and self.collector.finished):
                state = FAILED_STATE if frontier.broken else STOPPED
                guarded(frontier, lambda: frontier.finish(state))
            self.report_processes()
        else:
            guarded(frontier, frontier.leave)
            counts = self.calls.counts
            logger.info(
                "worker %s: run %s: %d requests handed back (%d items)",
                frontier.name,
                frontier.ledger.run,
                counts["requests"],
                counts["items"],
            )

    def report_processes(self) -> None:
        """Per process: what it handed back; into the stats (the report reads them)."""
        counts = dict(self.collector.counts) if self.collector else {}
        own = self.calls.counts
        if own["requests"]:
            counts[f"{self.frontier.name} (archive)"] = own
        table = {
            name: {k: c[k] for k in ("requests", "items", "failed", "put back")}
            for name, c in sorted(counts.items())
        }
        self.stats.set_value(WORKER_COUNTS, table)
        for name, row in table.items():
            logger.info(
                "frontier: %s handed back %d requests, %d items, %d failed; %d put back",
                name,
                row["requests"],
                row["items"],
                row["failed"],
                row["put back"],
            )
