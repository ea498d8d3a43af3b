"""How a run starts and ends in each process (a spider middleware around ``start()``).

The archive's process begins a run, lets the spider's own ``start()`` seed it (each
request goes into the frontier through the scheduler), then yields what every process
hands back until the run is over. A worker never runs the spider's ``start()`` (it has
no archive to read): it joins the run and keeps its heartbeat until the run ends.
"""

from __future__ import annotations

import asyncio
import logging

from redis.exceptions import RedisError

from newsspider.distributed.frontier import (
    FINISHED,
    RUNNING,
    FrontierBusy,
    FrontierLost,
    guarded,
)
from newsspider.distributed.results import Collector, wake
from newsspider.verdict import FAILED

logger = logging.getLogger(__name__)


class FrontierStart:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        scheduler = self.crawler.engine.scheduler
        frontier = scheduler.frontier
        if not frontier.is_archive:
            await self.serve(scheduler)
            return
        if self.crawler.stats.get_value("refresh/refused"):
            return  # RunLock said why; another run has the archive
        try:
            frontier.begin()
        except FrontierBusy as busy:
            reason = f"another run ({busy}) is using the frontier at redis {frontier.where}"
            self.crawler.stats.set_value(FAILED, reason)
            return
        except (RedisError, FrontierLost, OSError) as exc:
            frontier.lost(exc)
            return
        scheduler.attach()
        async for value in start:
            yield value
        scheduler.collector = Collector(frontier, self.crawler.spider, scheduler.calls)
        async for value in scheduler.collector.outputs():
            yield value

    async def serve(self, scheduler) -> None:
        frontier = scheduler.frontier
        try:
            ledger = await frontier.join()
        except (RedisError, FrontierLost, OSError) as exc:
            frontier.lost(exc)
            return
        if ledger is None:
            return
        scheduler.attach()
        while True:
            state = guarded(frontier, frontier.tick)
            if frontier.broken:
                return
            if state != RUNNING:
                break
            if guarded(frontier, ledger.queued, 0):
                wake(self.crawler.engine)
            await asyncio.sleep(frontier.poll)
        if state in (FINISHED,):
            logger.info("worker %s: run %s finished", frontier.name, ledger.run)
        elif state:
            logger.info("worker %s: run %s ended (%s)", frontier.name, ledger.run, state)
        else:
            reason = f"the archive's process of run {ledger.run} stopped answering"
            logger.error("worker %s: %s; this worker stops", frontier.name, reason)
            self.crawler.stats.set_value(FAILED, reason)
