"""robots.txt obeyed by every request, and its Crawl-delay honoured.

Scrapy's RobotsTxtMiddleware, with two changes:

- Every request that waits for a site's robots.txt gets the parsed rules.
  Scrapy 2.19 keeps one Deferred per site for the waiters and turns it into an
  asyncio Future for each of them (``maybe_deferred_to_future``); Twisted's
  ``Deferred.asFuture`` consumes the Deferred's result, so only the first
  waiter gets the parser and every later one gets ``None``, which Scrapy
  takes as "allow everything". With robots.txt ``Disallow: /``, articles that
  were waiting were fetched anyway. Here each waiter has its own Deferred.
  (tests/test_robots.py checks the bug is still upstream: drop this when
  that check fails.)
- ``Crawl-delay`` for ROBOTSTXT_USER_AGENT is the least delay between two
  requests to the site: it is a floor for the delay of the site's downloader
  slot, which AutoThrottle may raise but never lower below it. A Crawl-delay
  over ROBOTSTXT_CRAWL_DELAY_MAX is cut to that, with a warning.

Download errors of robots.txt are still logged by Scrapy's own logger
(``scrapy.downloadermiddlewares.robotstxt``), which
newsspider.extensions.quiet keeps to one line.
"""

from __future__ import annotations

import logging
import math

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


class RobotsTxtForEveryRequest(RobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware without the lost-waiter bug, plus Crawl-delay.

    Settings: ROBOTSTXT_OBEY, ROBOTSTXT_USER_AGENT (the token rules and
    Crawl-delay are read for), ROBOTSTXT_CRAWL_DELAY_MAX (seconds).
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self.crawl_delay_max = crawler.settings.getfloat("ROBOTSTXT_CRAWL_DELAY_MAX")
        self.crawl_delays: dict[str, float] = {}
        """Least seconds between two requests, per netloc whose robots.txt asks for it."""
        self._slot_jitter: dict[str, float] = {}  # each slot's own jitter, before narrowing
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self._enforce_floor, signal=signals.request_reached_downloader)
        # Connected after AutoThrottle (an extension, built before the engine and
        # its middlewares), so this runs after AutoThrottle has moved the delay.
        crawler.signals.connect(self._enforce_floor, signal=signals.response_downloaded)

    async def robot_parser(self, request):
        # _parsers (Scrapy's): netloc -> Deferred while robots.txt is fetched, then the parser.
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):  # unknown site (fetch it), or already parsed
            return await super().robot_parser(request)
        own: Deferred = Deferred()
        pending.addBoth(_pass_on, own)
        return await maybe_deferred_to_future(own)

    # --- Crawl-delay -------------------------------------------------------------

    def _robots_parsed(self, robotparser, request) -> None:
        netloc = urlparse_cached(request).netloc
        agent = self._robotstxt_useragent or self._default_useragent or "*"
        asked = robotparser.crawl_delay(agent)
        if asked is None or not math.isfinite(asked) or asked <= 0:
            return
        delay = asked
        if asked > self.crawl_delay_max:
            delay = self.crawl_delay_max
            logger.warning(
                "robots.txt of %s asks a Crawl-delay of %g s, over ROBOTSTXT_CRAWL_DELAY_MAX:"
                " waiting %g s between requests instead",
                netloc,
                asked,
                delay,
            )
        else:
            logger.info(
                "robots.txt of %s: Crawl-delay %g s, the least wait between requests",
                netloc,
                delay,
            )
        self.crawl_delays[netloc] = delay
        self.crawler.stats.set_value(f"robotstxt/crawl_delay/{netloc}", delay)
        self._enforce_floor(request)

    def _enforce_floor(self, request) -> None:
        """Raise the delay of the request's slot to its site's Crawl-delay, if lower."""
        floor = self.crawl_delays.get(urlparse_cached(request).netloc)
        if floor is None:
            return
        downloader = self.crawler.engine.downloader
        key = request.meta.get(downloader.DOWNLOAD_SLOT) or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:  # made when the request reaches the downloader; set then
            return
        jitter = self._slot_jitter.setdefault(key, slot.jitter)
        slot.delay = max(slot.delay, floor)
        # Scrapy waits delay x (1 +- jitter): allow only as much jitter as keeps
        # the shortest wait at the floor.
        slot.jitter = min(jitter, 1 - floor / slot.delay)


def _pass_on(result, waiter: Deferred):
    """Give a shared Deferred's result to one waiter, and keep it for the next."""
    if not waiter.called:  # a cancelled waiter has fired already
        waiter.callback(result)
    return result
