"""Settings for newsspider: the one control surface of a crawl.

Everything here can be changed per run with ``-s NAME=value``.
"""

from newsspider import rfi_sources

BOT_NAME = "newsspider"
SPIDER_MODULES = ["newsspider.spiders"]
NEWSPIDER_MODULE = "newsspider.spiders"
COMMANDS_MODULE = "newsspider.commands"

# --- The archive -----------------------------------------------------------
ARCHIVE_DIR = "seeds"
"""Folder of entry files the crawl refreshes and adds to."""
ARCHIVE_CAPTURES = "changed"
"""Raw WARC captures kept in captures/: changed (pages that made a new or updated entry),
all (every page fetched whole), none."""
ARCHIVE_REPORTS_DIR = "reports"
"""Where each run's report goes, relative to ARCHIVE_DIR."""
ARCHIVE_REPORTS_KEEP_DAYS = 90
"""Run reports older than this many days are deleted by the next crawl; 0 keeps them all."""

# --- Manners: this crawls a real news site from cron --------------------------
CONTACT_URL = "https://github.com/newsspider/newsspider"
"""Put your own contact page here; it is sent in the User-Agent."""
USER_AGENT = None
"""None builds "newsspider/<version> (+CONTACT_URL)"; a string overrides it."""
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
ROBOTSTXT_USER_AGENT = "newsspider"
"""The token robots.txt rules are matched against."""
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
"""No listening ports from an unattended cron job."""
COOKIES_ENABLED = False

# Retries: transient answers are retried, honouring Retry-After; they are
# never taken as evidence that an article is gone.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_AFTER_MAX = 600
"""Longest Retry-After (seconds) honoured; a longer one fails the request for this run."""
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # the spider logs one line per failed article
# 404/410 reach the spider for article requests only (their handle_httpstatus_list):
# that is how removal is detected. A listing that answers 404 is an error, not a page.

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "newsspider.middlewares.useragent.ContactUserAgentMiddleware": 500,
    "newsspider.middlewares.retry.RetryAfterMiddleware": 550,
    "newsspider.middlewares.capture.CaptureMiddleware": 945,
    "newsspider.middlewares.cassette.CassetteMiddleware": 950,
}

# --- Replay and recording (VCR.py cassettes) ----------------------------------
VCR_CASSETTE = None
"""Path of a VCR.py cassette: answer requests from it instead of the network."""
VCR_RECORD_MODE = "none"
"""none: replay only. once, new_episodes, all: record (VCR.py's modes)."""

ITEM_PIPELINES = {
    "newsspider.pipelines.validate.ValidateArticlePipeline": 100,
    "newsspider.pipelines.archive.ArchiveDedupePipeline": 500,
    "newsspider.pipelines.capture.CapturePipeline": 600,
}
EXTENSIONS = {
    "newsspider.extensions.report.RefreshReport": 500,
    "newsspider.extensions.quiet.OneLineNetworkErrors": 100,
    "newsspider.extensions.runlock.RunLock": 0,
}

# --- Discovery ----------------------------------------------------------------
RFI_DISCOVERY = True
"""Look for new articles in RFI's feeds, sitemaps and section pages."""
RFI_EDITION = rfi_sources.DEFAULT_EDITION
"""Which edition the archive keeps: cn (simplified Chinese) or tw (traditional)."""
RFI_FEEDS = None
"""RSS feeds read; None: the edition's (newsspider/rfi_sources.py)."""
RFI_SITEMAPS = None
"""News sitemap and sitemap index read; None: the edition's."""
RFI_SECTIONS = None
"""Listing pages read (rolling news, sections); None: the edition's."""
RFI_MAX_NEW_ARTICLES = 100
"""New articles one run may add; the rest wait for the next run."""
RFI_OLDEST_DAYS = 30
"""Listed articles published longer ago than this are not added."""
RFI_MAX_SITEMAPS = 2
"""Monthly contents_YYYYMM sitemaps read from the index per run (the newest recent enough)."""

# --- Incremental refresh --------------------------------------------------------
RFI_RECHECK_MIN_HOURS = 1
RFI_RECHECK_MAX_DAYS = 30
RFI_RECHECK_FACTOR = 0.5
"""An article is re-checked after FACTOR x the time it has been stable (see schedule.py)."""
RFI_RECHECK_EVERYTHING = False
"""Check every archived article this run, whatever the schedule (after a template change)."""
RFI_MAX_CHECKS_PER_RUN = 2000
"""Archived articles one run checks at most, most overdue first."""

# --- Running from cron --------------------------------------------------------------
RFI_MAX_ERROR_RATE = 0.5
"""Exit status 1 when more than this share of checked articles failed."""
RFI_PROGRESS_INTERVAL = 60
"""Seconds between progress lines."""

# --- Scaling out on Redis (newsspider/distributed/, README "Several machines") -----------
ADDONS = {"newsspider.distributed.addon.Distributed": 0}
"""Off unless REDIS_URL is set."""
REDIS_URL = None
"""redis://HOST:PORT/DB of the shared frontier; None: one process, no Redis. Workers:
scrapy crawl rfi -s REDIS_URL=... -a role=worker"""
REDIS_LEASE_TIMEOUT = 60
"""Seconds a process may stop answering before the requests it took are put back (once),
then failed; also how long the archive's process may stop answering before workers leave."""
REDIS_POLL_INTERVAL = 0.5
"""Seconds between looks at the frontier while there is nothing to do."""
REDIS_JOIN_TIMEOUT = 300
"""Seconds a worker waits for the archive's process to begin a run before it exits."""

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
