"""One politeness budget per site, shared by every process of the frontier.

Each process spaces its own requests (DOWNLOAD_DELAY, AutoThrottle, robots.txt); N
processes doing so would send N times the requests per second of one. So, in Redis, per
site (host:port):

- ``PacedDownloadHandler`` (the http(s) download handler: only what goes on the wire,
  replays from a cassette cost nothing) hands out send times at least
  ``max(DOWNLOAD_DELAY, Crawl-delay)`` apart to all processes together, and never during
  a hold; a request waits for its time;
- ``SharedHolds`` (where responses are decoded) learns the site's ``Crawl-delay`` from
  any process's robots.txt, and turns a ``Retry-After`` answered to one process into a
  hold on every process (at most RETRY_AFTER_MAX seconds).

Times come from Redis's clock. If Redis fails, requests go on with each process's own
manners while the run stops (the frontier reports it).
"""

from __future__ import annotations

import asyncio
import logging

from protego import Protego
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

from newsspider.distributed.frontier import guarded
from newsspider.middlewares.retry import retry_after_seconds

logger = logging.getLogger(__name__)

_NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
KEEP_MS = 3_600_000

GRANT = (
    _NOW
    + """
local interval = tonumber(ARGV[1])
local delay = tonumber(redis.call('GET', KEYS[3]) or '0')
if delay > interval then interval = delay end
local at = tonumber(redis.call('GET', KEYS[1]) or '0')
local hold = tonumber(redis.call('GET', KEYS[2]) or '0')
if hold > at then at = hold end
if now > at then at = now end
redis.call('SET', KEYS[1], at + interval, 'PX', at + interval - now + 60000)
return at - now
"""
)
"""KEYS next hold crawl_delay; ARGV interval_ms: milliseconds to wait before sending."""

HOLD = (
    _NOW
    + """
local until_ = now + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], until_, 'PX', tonumber(ARGV[1]) + 60000)
end
return until_
"""
)
"""KEYS hold; ARGV ms: no process sends to the site for that long."""

HOLD_LEFT = _NOW + "return math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - now)"
"""KEYS hold: milliseconds of a hold left."""


class _Shared:
    def __init__(self, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        self.crawler = crawler
        self.settings = crawler.settings
        self._scripts: dict = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def frontier(self):
        return self.crawler.engine.scheduler.frontier

    def key(self, what: str, request) -> str:
        return f"{self.frontier.namespace}:site:{urlparse_cached(request).netloc}:{what}"

    def script(self, source: str):
        if source not in self._scripts:
            self._scripts[source] = self.frontier.redis.register_script(source)
        return self._scripts[source]


class PacedDownloadHandler(_Shared):
    """http(s) download handler: the scheme's own, sending only at a time the shared
    budget gives. It runs after the process's own slot delay and concurrency limit, so
    the spacing holds between requests as they leave, whichever process sends them."""

    lazy = False

    def __init__(self, crawler):
        super().__init__(crawler)
        # Built now, not at the first request: the wait is for the send, not for setting up.
        base = self.settings.getdict("DOWNLOAD_HANDLERS_BASE")
        self.handlers = {
            scheme: build_from_crawler(load_object(base[scheme]), crawler)
            for scheme in ("http", "https")
        }

    async def download_request(self, request):
        handler = self.handlers[urlparse_cached(request).scheme]
        await self.wait_for_turn(request)
        return await handler.download_request(request)

    async def wait_for_turn(self, request) -> None:
        interval_ms = int(self.settings.getfloat("DOWNLOAD_DELAY") * 1000)
        keys = [self.key(k, request) for k in ("next", "hold", "crawl_delay")]
        grant, hold_left = self.script(GRANT), self.script(HOLD_LEFT)
        while True:
            wait_ms = guarded(self.frontier, lambda: grant(keys=keys, args=[interval_ms]), 0)
            if wait_ms <= 0:
                return
            self.crawler.stats.inc_value("frontier/politeness/waits")
            await asyncio.sleep(wait_ms / 1000)
            if guarded(self.frontier, lambda: hold_left(keys=keys[1:2]), 0) <= 0:
                return
            # a Retry-After hold came while this request waited: its turn is void

    async def close(self) -> None:
        for handler in self.handlers.values():
            await handler.close()


class SharedHolds(_Shared):
    def process_response(self, request, response):
        if urlparse_cached(request).path == "/robots.txt" and response.status == 200:
            self.learn_crawl_delay(request, response)
        codes = self.settings.getlist("RETRY_HTTP_CODES")
        if response.status in map(int, codes):
            delay = retry_after_seconds(response.headers.get(b"Retry-After"))
            if delay:
                self.hold(request, min(delay, self.settings.getfloat("RETRY_AFTER_MAX")))
        return response

    def learn_crawl_delay(self, request, response) -> None:
        agent = self.settings.get("ROBOTSTXT_USER_AGENT") or "*"
        try:
            delay = Protego.parse(response.text).crawl_delay(agent)
        except (AttributeError, ValueError, UnicodeDecodeError):
            return  # Scrapy's robots.txt middleware says what is wrong with it
        if not delay:
            return
        delay = min(float(delay), self.settings.getfloat("ROBOTSTXT_CRAWL_DELAY_MAX", 0) or delay)
        key = self.key("crawl_delay", request)
        ms = int(float(delay) * 1000)
        guarded(self.frontier, lambda: self.frontier.redis.set(key, ms, px=KEEP_MS))
        logger.info(
            "%s: Crawl-delay %gs, for every process", urlparse_cached(request).netloc, delay
        )

    def hold(self, request, seconds: float) -> None:
        key = [self.key("hold", request)]
        hold = self.script(HOLD)
        guarded(self.frontier, lambda: hold(keys=key, args=[int(seconds * 1000)]))
        self.crawler.stats.inc_value("frontier/politeness/holds")
        logger.info(
            "%s asked to wait %gs (Retry-After): every process holds back",
            urlparse_cached(request).netloc,
            seconds,
        )
