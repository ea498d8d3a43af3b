"""Run a leased request's callback or errback, then account for the request.

The scheduler wraps the callback and errback of every request it takes from the
frontier in a ``LeasedCall``:

- on a worker, the spider's method runs as usual (the page is normalized here), but its
  whole output — items, new requests, the spider's signals (``newsspider.signals``) and
  its log lines — goes back to the archive's process as one result, which the worker
  hands back through Redis. A callback that reads the archive (the spider names them in
  ``archive_callbacks``: discovery decides what is new) does not run here: the response
  goes back instead, and runs there;
- in the archive's process the output goes on to the engine as usual, and the request is
  accounted for once it is all out.

Callbacks must be synchronous on workers (the spider's are): what a method says is
attributed to its request by running it in one go.
"""

from __future__ import annotations

import logging
from collections import Counter

from scrapy.http import Request, Response
from scrapy.utils.spider import iterate_spider_output

from newsspider import signals as newsspider_signals
from newsspider.distributed import wire
from newsspider.distributed.frontier import guarded
from newsspider.distributed.queue import LEASE, unwrapped

CALLBACK, ERRBACK = "callback", "errback"
SPIDER_LOG_LEVEL = logging.INFO


class LeasedCall:
    """Stands in for a leased request's callback (or errback); ``method`` is the spider's."""

    def __init__(self, calls: Calls, lease: str, method, kind: str):
        self.calls = calls
        self.lease = lease
        self.method = method
        self.kind = kind

    def __call__(self, result, **kwargs):
        return self.calls.run(self, result, kwargs)


class Sink:
    def __init__(self):
        self.events: list[list] = []
        self.logs: list[list] = []


class Calls:
    def __init__(self, frontier, spider):
        self.frontier = frontier
        self.spider = spider
        self.sink: Sink | None = None
        self.counts: Counter = Counter()
        """This process's own work: requests handed back, items, failures."""
        for name, signal in spider_signals().items():
            spider.crawler.signals.connect(self._event(name), signal=signal, weak=False)
        if not frontier.is_archive:
            logging.getLogger(spider.name).addHandler(_SpiderLog(self))

    def wrap(self, request: Request) -> Request:
        lease = request.meta[LEASE]
        return request.replace(
            callback=LeasedCall(self, lease, request.callback, CALLBACK),
            errback=LeasedCall(self, lease, request.errback, ERRBACK),
        )

    def run(self, call: LeasedCall, result, kwargs):
        method = call.method
        if method is None and call.kind == CALLBACK:
            method = self.spider._parse
        if self.frontier.is_archive:
            return self._here(call.lease, method, result, kwargs)
        return self._ship(call.lease, method, result, kwargs)

    # --- in the archive's process --------------------------------------------------

    def _here(self, lease, method, result, kwargs):
        if method is None:  # no errback: Scrapy logs the failure as usual
            self._done_here(lease, Sink())
            return result
        sink = Sink()
        output = self._collecting(sink, lambda: method(result, **kwargs))
        return self._acking(lease, output, sink)

    def _acking(self, lease, output, sink: Sink):
        iterator = iter(iterate_spider_output(output))
        try:
            while True:
                try:
                    value = self._collecting(sink, lambda: next(iterator))
                except StopIteration:
                    return
                if not isinstance(value, Request):
                    self.counts["items"] += 1
                yield value
        finally:
            self._done_here(lease, sink)

    def _done_here(self, lease, sink: Sink) -> None:
        self.frontier.held.discard(lease)
        self.counts["requests"] += 1
        self.counts["failed"] += len(sink.events)
        guarded(self.frontier, lambda: self.frontier.ledger.ack(lease))

    # --- on a worker ------------------------------------------------------------------

    def _ship(self, lease, method, result, kwargs):
        if isinstance(result, Response) and _name(method) in archive_callbacks(self.spider):
            self.send(lease, {"kind": "response", **shipped_response(result, self.spider)})
            return None
        sink, outputs, error = Sink(), [], None
        try:
            if method is not None:
                output = self._collecting(sink, lambda: method(result, **kwargs))
                if hasattr(output, "__aiter__"):
                    raise TypeError(f"{_name(method)}: workers need synchronous callbacks")
                iterator = iter(iterate_spider_output(output))
                outputs = self._collecting(sink, lambda: list(iterator))
        except Exception as exc:  # the spider's own error: Scrapy logs it; the request ends
            error = exc
        self.send(
            lease,
            {
                "kind": "result",
                "outputs": [self.output(value) for value in outputs],
                "events": sink.events,
                "logs": sink.logs,
                "error": repr(error) if error else None,
            },
        )
        if error is not None:
            raise error
        return result if method is None else None

    def send(self, lease: str, message: dict) -> None:
        """Hand a request's result back (any process; a worker's ``dropped`` too)."""
        frontier = self.frontier
        frontier.held.discard(lease)
        message = {"lease": lease, "worker": frontier.name, **message}
        data = wire.dumps(message)
        guarded(frontier, lambda: frontier.ledger.ship(lease, frontier.name, data))
        self.counts["requests"] += 1

    def output(self, value):
        if isinstance(value, Request):
            return {"request": unwrapped(value).to_dict(spider=self.spider)}
        self.counts["items"] += 1
        return {"item": value}

    # --- what the spider says while a method runs ---------------------------------------

    def _collecting(self, sink: Sink, step):
        self.sink = sink
        try:
            return step()
        finally:
            self.sink = None

    def _event(self, name):
        def record(**kwargs):
            if self.sink is not None:
                args = {k: v for k, v in kwargs.items() if k not in ("signal", "sender", "spider")}
                self.sink.events.append([name, args])

        return record


class _SpiderLog(logging.Handler):
    """The spider's log lines while a leased method runs on a worker, for the archive's log."""

    def __init__(self, calls: Calls):
        super().__init__(level=SPIDER_LOG_LEVEL)
        self.calls = calls

    def emit(self, record: logging.LogRecord) -> None:
        sink = self.calls.sink
        if sink is not None:
            sink.logs.append([record.name, record.levelno, record.getMessage()])


def spider_signals() -> dict[str, object]:
    """newsspider's own signals by name (article_failed, listing_failed, …)."""
    return {
        name: value
        for name, value in vars(newsspider_signals).items()
        if not name.startswith("_") and type(value) is object
    }


def archive_callbacks(spider) -> tuple[str, ...]:
    return tuple(getattr(spider, "archive_callbacks", ()))


def shipped_response(response: Response, spider) -> dict:
    return {
        "request": unwrapped(response.request).to_dict(spider=spider),
        "response": {
            "url": response.url,
            "status": response.status,
            "headers": dict(response.headers),
            "body": response.body,
            "flags": list(response.flags),
        },
    }


def _name(method) -> str:
    return getattr(method, "__name__", "")
