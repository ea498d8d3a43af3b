"""scrapy-redis's priority queue and dupefilter, for one run of a shared frontier.

``LeasedQueue`` keeps scrapy-redis's order (a sorted set scored by -priority) but pops
with a lease and pushes with an id (newsspider.distributed.ledger): a request taken by a
process that dies is not lost. ``RunDupeFilter`` is scrapy-redis's dupefilter on a key
of this run only, so one run's fingerprints never block the next refresh, hashing
requests with Scrapy's own fingerprinter (scrapy-redis hashes them itself).
"""

from __future__ import annotations

from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue

from newsspider.distributed import wire

LEASE = "frontier_lease"
"""Request meta: the id of the frontier entry this request answers (kept by retries and
redirects, which are the same entry)."""


class LeasedQueue(PriorityQueue):
    def __init__(self, frontier, spider):
        ledger = frontier.ledger
        super().__init__(frontier.redis, spider, ledger.key["queue"], serializer=wire)
        self.frontier = frontier
        self.ledger = ledger

    def __len__(self) -> int:
        return self.ledger.queued()

    def push(self, request) -> bool:
        """Add a request; a retry or redirect of a leased one goes back under its id."""
        lease = request.meta.get(LEASE)
        data = self._encode_request(unwrapped(request))
        pushed = self.ledger.push(lease, data, -request.priority, request.url)
        self.frontier.held.discard(lease)
        return pushed is not None

    def pop(self, timeout=0):
        found = self.ledger.pop(self.frontier.name, self.frontier.lease_ms)
        if found is None:
            return None
        lease, data = found
        self.frontier.held.add(lease)
        request = self._decode_request(data)
        request.meta[LEASE] = lease
        return request

    def _decode_request(self, encoded_request):
        found = wire.loads(encoded_request)
        if "_class" in found and not found["_class"].startswith("scrapy.http."):
            raise ValueError(f"refusing a {found['_class']!r} request from Redis")
        return request_from_dict(found, spider=self.spider)


class RunDupeFilter(RFPDupeFilter):
    def __init__(self, server, key: str, fingerprinter):
        super().__init__(server, key)
        self.fingerprinter = fingerprinter

    def request_fingerprint(self, request) -> str:
        return self.fingerprinter.fingerprint(request).hex()


def unwrapped(request):
    """The request as the spider made it (callbacks are wrapped while leased)."""
    callback = getattr(request.callback, "method", request.callback)
    errback = getattr(request.errback, "method", request.errback)
    if callback is request.callback and errback is request.errback:
        return request
    return request.replace(callback=callback, errback=errback)
