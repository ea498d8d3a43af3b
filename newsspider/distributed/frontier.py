"""One process's side of a distributed run: its name, its leases, its heartbeat.

The archive's process ``begin``s a run: it claims ``<namespace>:run`` (one run per
frontier at a time) and keeps that claim alive with every ``tick``. Workers ``join``
the run they find there, and leave when it is over (its ``state`` says how it ended) or
when the claim lapses (the archive's process died). Every tick also extends this
process's leases, so only a process that stopped answering for ``REDIS_LEASE_TIMEOUT``
loses what it holds.

Redis going away, or restarting (its ``run_id`` changes: what it held may be lost),
``break``s the run here: the archive's process records the failure for its verdict and
closes; a worker says so in one line and exits 1.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from datetime import UTC, datetime
from urllib.parse import urlsplit

from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from newsspider.distributed import ARCHIVE, role_of
from newsspider.distributed.ledger import Ledger
from newsspider.verdict import FAILED

logger = logging.getLogger(__name__)

RUNNING, FINISHED, FAILED_STATE, STOPPED = "running", "finished", "failed", "stopped"
STATE_KEEP_S = 24 * 3600
"""How long a finished run's state stays readable (late workers learn how it ended)."""


class FrontierLost(Exception):
    """Redis went away or restarted: the run cannot be accounted for any more."""


class Frontier:
    def __init__(self, crawler, redis: Redis, url: str, role: str, namespace: str):
        settings = crawler.settings
        self.crawler = crawler
        self.redis = redis
        self.url = url
        self.role = role
        self.namespace = namespace
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.lease_ms = int(settings.getfloat("REDIS_LEASE_TIMEOUT") * 1000)
        self.poll = settings.getfloat("REDIS_POLL_INTERVAL")
        self.join_timeout = settings.getfloat("REDIS_JOIN_TIMEOUT")
        self.ledger: Ledger | None = None
        self.held: set[str] = set()
        self.broken: str | None = None
        self._server: str | None = None
        self._closing = None

    @classmethod
    def from_crawler(cls, crawler):
        url = crawler.settings["REDIS_URL"]
        redis = Redis.from_url(
            url,
            socket_timeout=10,
            socket_connect_timeout=5,
            retry=Retry(NoBackoff(), 0),  # a lost connection is this run's failure, not a retry
        )
        spider = crawler.spider
        edition = crawler.settings.get("RFI_EDITION") or "-"
        return cls(crawler, redis, url, role_of(spider), f"newsspider:{spider.name}:{edition}")

    @property
    def is_archive(self) -> bool:
        return self.role == ARCHIVE

    @property
    def where(self) -> str:
        """The server, as people name it (no password)."""
        parts = urlsplit(self.url)
        return f"{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"

    @property
    def current_key(self) -> str:
        return f"{self.namespace}:run"

    # --- the run -----------------------------------------------------------------

    def begin(self) -> Ledger:
        """Claim the frontier for a new run (the archive's process)."""
        self.check_server()
        run = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(3)
        if not self.redis.set(self.current_key, run, nx=True, px=self.lease_ms):
            other = self.redis.get(self.current_key)
            raise FrontierBusy(other.decode() if other else "?")
        self.drop_stale_runs(run)
        self.ledger = Ledger(self.redis, self.namespace, run)
        self.redis.set(self.ledger.key["state"], RUNNING)
        self._seen()
        logger.info("frontier: run %s on redis %s (%s)", run, self.where, self.namespace)
        return self.ledger

    def drop_stale_runs(self, run: str) -> None:
        """Keys of runs whose archive's process died (this one holds the claim now)."""
        stale = [
            key
            for key in self.redis.scan_iter(f"{self.namespace}:*:*")
            if key.decode().split(":")[len(self.namespace.split(":"))] not in (run, "site")
        ]
        if stale:
            self.redis.delete(*stale)

    async def join(self) -> Ledger | None:
        """Wait for a run to join (a worker), at most REDIS_JOIN_TIMEOUT seconds."""
        self.check_server()
        waited = 0.0
        while True:
            run = self.redis.get(self.current_key)
            if run is not None:
                self.ledger = Ledger(self.redis, self.namespace, run.decode())
                if self.redis.get(self.ledger.key["state"]) == RUNNING.encode():
                    self._seen()
                    run = self.ledger.run
                    logger.info("worker %s joined run %s on redis %s", self.name, run, self.where)
                    return self.ledger
            if waited >= self.join_timeout:
                logger.info(
                    "worker %s: no run to join on redis %s after %gs; exits",
                    self.name,
                    self.where,
                    self.join_timeout,
                )
                return None
            await asyncio.sleep(self.poll)
            waited += self.poll
            self.check_server()

    def tick(self) -> str:
        """Heartbeat: extend this process's leases; the run's state (workers read it here)."""
        self.check_server()
        self._seen()
        ledger = self.ledger
        if self.held:
            ledger.renew(self.name, self.lease_ms, self.held)
        if self.is_archive:
            self.redis.set(self.current_key, ledger.run, px=self.lease_ms, xx=True)
            return RUNNING
        if self.redis.get(self.current_key) == ledger.run.encode():
            return RUNNING
        state = self.redis.get(ledger.key["state"])
        return state.decode() if state else ""  # "": the archive's process stopped answering

    def finish(self, state: str) -> None:
        """End the run (the archive's process): workers see ``state`` and leave."""
        ledger = self.ledger
        self.redis.set(ledger.key["state"], state, ex=STATE_KEEP_S)
        if self.redis.get(self.current_key) == ledger.run.encode():
            self.redis.delete(self.current_key)
        ledger.drop()

    def leave(self) -> None:
        """A worker that stops puts back what it holds, for others to take at once."""
        if self.ledger is not None and self.held and not self.broken:
            put_back = self.ledger.release(self.name, self.held)
            if put_back:
                logger.info("worker %s: %d requests put back in the frontier", self.name, put_back)
        self.held.clear()

    def _seen(self) -> None:
        self.redis.hset(self.ledger.key["workers"], self.name, self.role)

    # --- Redis going away ------------------------------------------------------------

    def check_server(self) -> None:
        """Raise FrontierLost when Redis restarted since this process first saw it."""
        server = self.redis.info("server")["run_id"]
        if self._server is None:
            self._server = server
        elif server != self._server:
            raise FrontierLost(f"Redis at {self.where} restarted mid-run (what it held is lost)")

    def lost(self, exc: Exception) -> None:
        """Redis failed this process: record it once, and stop the crawl."""
        if self.broken:
            return
        if isinstance(exc, FrontierLost):
            self.broken = str(exc)
        elif self._server is None:
            self.broken = f"Redis at {self.where} not reachable ({exc})"
        else:
            self.broken = f"Redis at {self.where} went away ({exc})"
        stats = self.crawler.stats
        stats.set_value(FAILED, self.broken)  # newsspider.verdict: the run failed
        if not self.is_archive:
            logger.error("worker %s: %s; this worker stops", self.name, self.broken)
        logger.debug("frontier lost", exc_info=exc)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            self._closing = asyncio.ensure_future(engine.close_spider_async(reason="frontier lost"))


class FrontierBusy(Exception):
    """Another archive's process runs on this frontier (same Redis, same namespace)."""


def guarded(frontier: Frontier, call, default=None):
    """``call()``, or ``default`` when Redis fails (the frontier then stops the run)."""
    if frontier.broken:
        return default
    try:
        return call()
    except (RedisError, FrontierLost, OSError) as exc:
        frontier.lost(exc)
        return default
