"""``scrapy crawl``, with settings checked first and an exit status a cron job can act on.

Settings are checked in ``process_options``, as soon as ``-s`` and ``-L`` are
applied: before logging, the reactor and the crawler exist, so a bad value
prints its one line (newsspider.settings_schema), exits 2 and leaves no lock,
state or report behind.

Exit 1 when the refresh failed (RefreshReport / RunLock set
``refresh/run_failed``: nothing fetched, error rate over RFI_MAX_ERROR_RATE,
archive missing or not writable). A run refused because another holds the
archive's lock exits 0.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newsspider.settings_schema import command_line_problems, problems

BAD_SETTINGS = 2


class Command(ScrapyCrawlCommand):
    crawler = None

    def process_options(self, args, opts):
        refuse(command_line_problems(opts.set or []))
        super().process_options(args, opts)
        refuse(problems(self.settings))

    def _create_crawler(self, spidercls):
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args, opts):
        super().run(args, opts)
        if self.crawler is not None and self.crawler.stats.get_value("refresh/run_failed"):
            self.exitcode = 1


def refuse(found: list[str]) -> None:
    """Bad settings: say so, one line each, and stop before anything runs."""
    if found:
        print("\n".join(found), file=sys.stderr)
        raise SystemExit(BAD_SETTINGS)
