"""``scrapy crawl``, with an exit status a cron job can act on.

Exit 1 when the refresh failed (RefreshReport / RunLock set
``refresh/run_failed``: nothing fetched, error rate over RFI_MAX_ERROR_RATE,
archive missing or not writable). A run refused because another holds the
archive's lock exits 0.
"""

from scrapy.commands.crawl import Command as ScrapyCrawlCommand


class Command(ScrapyCrawlCommand):
    crawler = None

    def process_options(self, args, opts):
        super().process_options(args, opts)
        # The one command that refreshes the archive; `-s REFRESH_ENABLED=...` still wins.
        self.settings.set("REFRESH_ENABLED", True, priority="project")

    def _create_crawler(self, spidercls):
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args, opts):
        super().run(args, opts)
        if self.crawler is not None and self.crawler.stats.get_value("refresh/run_failed"):
            self.exitcode = 1
