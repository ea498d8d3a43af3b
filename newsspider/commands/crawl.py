"""``scrapy crawl``, with settings checked first and an exit status a cron job can act on.

| status | meaning |
|---|---|
| 0 | a complete run (or one refused because another holds the archive's lock) |
| 1 | the run failed (newsspider.verdict), or could not start (archive missing or not writable) |
| 2 | a bad setting (newsspider.settings_schema) or bad usage: nothing ran, nothing written |
| 130, 143 | SIGINT, SIGTERM stopped the run (128 + the signal's number) |

Settings are checked in ``process_options``, as soon as ``-s`` and ``-L`` are
applied: before logging, the reactor and the crawler exist, so a bad value
prints its one line, exits 2 and leaves no lock, state or report behind.

Scrapy's own SIGINT/SIGTERM handlers stop the crawl gracefully (a second
signal forces it); they do not say which signal came. So, once the event loop
runs, the command puts a handler in front of Scrapy's that notes the signal in
the stats (``refresh/signal``, read by newsspider.verdict), then hands over.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newsspider.distributed import argument_problems
from newsspider.settings_schema import command_line_problems, problems
from newsspider.verdict import SIGNAL, exit_status

BAD_SETTINGS = 2
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Command(ScrapyCrawlCommand):
    crawler = None
    stopped_by: signal.Signals | None = None
    handed_over: dict[int, object] | None = None

    def process_options(self, args, opts):
        refuse(command_line_problems(opts.set or []))
        super().process_options(args, opts)
        # The one command that refreshes the archive; `-s REFRESH_ENABLED=...` still wins.
        self.settings.set("REFRESH_ENABLED", True, priority="project")
        refuse(problems(self.settings))
        refuse(argument_problems(opts.spargs, self.settings))  # -a role=worker needs REDIS_URL

    def _create_crawler(self, spidercls):
        self.crawler = super()._create_crawler(spidercls)
        self.crawler.signals.connect(self._stop_watching, signal=signals.spider_closed)
        return self.crawler

    def run(self, args, opts):
        # Scrapy installs its handlers as the loop starts (AsyncCrawlerProcess
        # always runs one); a callback queued now runs right after that.
        asyncio.get_event_loop().call_soon(self._watch_stop_signals)
        super().run(args, opts)
        if self.stopped_by is not None:
            self.exitcode = 128 + self.stopped_by
        elif self.exitcode == 0 and self.crawler is not None:
            self.exitcode = exit_status(self.crawler.stats)

    def _watch_stop_signals(self):
        if self.crawler is None or self.handed_over is not None:
            return
        self.handed_over = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._stop_signal)

    def _stop_signal(self, signum, frame):
        self.stopped_by = signal.Signals(signum)
        stats = getattr(self.crawler, "stats", None)  # None until the crawl has begun
        if stats is not None:
            stats.set_value(SIGNAL, self.stopped_by.name)
        handler = self.handed_over[signum]
        self._stop_watching()  # a second signal goes straight to Scrapy (forced stop)
        if callable(handler):
            handler(signum, frame)
        else:  # nobody else handles it: behave as if we were not here
            signal.signal(signum, handler)
            signal.raise_signal(signum)

    def _stop_watching(self):
        """From now on a signal is no longer this run's business: give Scrapy its handlers back."""
        if not self.handed_over:
            self.handed_over = {}  # closed before the loop's first turn: never watch
            return
        for sig, handler in self.handed_over.items():
            if signal.getsignal(sig) == self._stop_signal:
                signal.signal(sig, handler)
        self.handed_over = {}


def refuse(found: list[str]) -> None:
    """Bad settings: say so, one line each, and stop before anything runs."""
    if found:
        print("\n".join(found), file=sys.stderr)
        raise SystemExit(BAD_SETTINGS)
