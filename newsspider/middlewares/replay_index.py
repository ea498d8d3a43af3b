"""A cassette's recorded interactions, indexed by request, for replay in O(1).

VCR.py's ``Cassette`` compares a request with every recorded one on each
lookup (``can_play_response_for``, ``play_response``, ``responses_of`` each
scan them all): O(N) per request, O(N²) for a crawl replayed from one
cassette. Here each recorded request goes once into a bucket keyed by what
any request matching it must share (method, host, path, query… as the
cassette's matchers compare them); a lookup checks only its bucket, with the
cassette's own matchers, so it finds exactly what VCR.py would, in the same
order. Interactions the cassette gains while recording are indexed at the
next lookup.
"""

from __future__ import annotations

from collections import defaultdict

from vcr import matchers
from vcr.cassette import Cassette
from vcr.request import Request

# For each of VCR.py's matchers, a part of a request that two requests it
# matches always share (necessary, not sufficient: a bucket is checked with
# the matchers themselves). Matchers not listed (body, headers, a custom
# one) add nothing to the key, so their buckets are only larger.
_SHARED_PART = {
    matchers.method: lambda r: r.method,
    matchers.uri: lambda r: (r.host, r.path or "/"),
    matchers.scheme: lambda r: r.scheme,
    matchers.host: lambda r: r.host,
    matchers.port: lambda r: r.port,
    matchers.path: lambda r: r.path or "/",
    matchers.query: lambda r: tuple(r.query),
}


class RecordedInteractions:
    """Positions in ``cassette.data`` of the interactions matching a request."""

    def __init__(self, cassette: Cassette):
        self.cassette = cassette
        self.matchers = tuple(cassette._match_on)
        self.parts = tuple(_SHARED_PART[m] for m in self.matchers if m in _SHARED_PART)
        self.buckets: dict[tuple, list[int]] = defaultdict(list)
        self.indexed = 0

    def key(self, request: Request) -> tuple:
        return tuple(part(request) for part in self.parts)

    def matching(self, request: Request) -> list[int]:
        """Positions of the recorded interactions that match ``request``, in recorded order."""
        request = self.cassette.filter_request(request)
        if not request:
            return []
        self._catch_up()
        data = self.cassette.data
        return [
            index
            for index in self.buckets.get(self.key(request), ())
            if matchers.requests_match(request, data[index][0], self.matchers)
        ]

    def _catch_up(self) -> None:
        """Index the interactions appended since the last lookup (all of them at first)."""
        data = self.cassette.data
        if len(data) < self.indexed:  # replaced by something else: start over
            self.buckets.clear()
            self.indexed = 0
        for index in range(self.indexed, len(data)):
            self.buckets[self.key(data[index][0])].append(index)
        self.indexed = len(data)
