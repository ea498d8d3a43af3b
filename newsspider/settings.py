"""Settings for newsspider: the one control surface of a crawl.

Everything here can be changed per run with ``-s NAME=value``.
"""

from newsspider import items, rfi_sources

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
ARCHIVE_PUBLISH = True
"""After a crawl that changed the archive, rewrite changes.atom and site/ in ARCHIVE_DIR."""
ARCHIVE_FEED_ENTRIES = 50
"""How many of the latest changes changes.atom and site/ show."""
REFRESH_ENABLED = False
"""True for ``scrapy crawl`` (the command turns it on): the run lock, the archive pipeline
and the report work on ARCHIVE_DIR. Scrapy's other commands (parse, check, fetch, shell)
leave it off and touch no archive; a script running the spider itself sets it."""

# --- Manners: this crawls a real news site from cron --------------------------
CONTACT_URL = "https://github.com/newsspider/newsspider"
"""Put your own contact page here; it is sent in the User-Agent."""
USER_AGENT = None
"""None builds "newsspider/<version> (+CONTACT_URL)"; a string overrides it."""
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 2
CONCURRENT_ITEMS = 4
"""Output of one response handled at a time. An article's answer gives one item and a
listing's requests take no time, while Scrapy starts this many tasks for every response:
at its 100, unchanged pages ran at 219 pages/s, at 4 at 244 (bench/e2e.py, 500 pages)."""
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
ROBOTSTXT_CRAWL_DELAY_MAX = 60
"""Longest robots.txt Crawl-delay honoured (seconds); a longer one is cut to this, and warned."""
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
"""No listening ports from an unattended cron job."""
COOKIES_ENABLED = False
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
"""Only http(s) is ever fetched: whatever URL a hostile listing or page slips
through, no local file (file:, which robots.txt does not cover) is read."""

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
    # Scrapy 2.19's lets requests through that wait for robots.txt (middlewares/robots.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsspider.middlewares.robots.RobotsTxtForEveryRequest": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "newsspider.middlewares.useragent.ContactUserAgentMiddleware": 500,
    "newsspider.middlewares.retry.RetryAfterMiddleware": 550,
    "newsspider.middlewares.capture.CaptureMiddleware": 945,
    "newsspider.middlewares.redirects.ArticleRedirectGuard": 650,  # below RedirectMiddleware
    # Scrapy's decodes every page to look for a <meta> refresh (middlewares/metarefresh.py).
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsspider.middlewares.metarefresh.BytesFirstMetaRefreshMiddleware": 580,
    "newsspider.middlewares.cassette.CassetteMiddleware": 950,
}

# --- Replay and recording (VCR.py cassettes) ----------------------------------
VCR_CASSETTE = None
"""Path of a VCR.py cassette: answer requests from it instead of the network."""
VCR_RECORD_MODE = "none"
"""none: replay only. once, new_episodes, all: record (VCR.py's modes)."""

ITEM_PIPELINES = {
    "newsspider.pipelines.validate.ValidateArticlePipeline": 100,
    "newsspider.pipelines.suspect.SuspectPagePipeline": 300,
    "newsspider.pipelines.archive.ArchiveDedupePipeline": 500,
    "newsspider.pipelines.capture.CapturePipeline": 600,
}
SPIDER_CONTRACTS = {"newsspider.contracts.WholePageContract": 10}
"""``@whole_page`` in parse_article's contracts (``scrapy check rfi``)."""
ITEM_PROCESSOR = "newsspider.pipelines.guard.GuardedItemPipelineManager"
# A pipeline's exception fails its article (one line) instead of losing it.
EXTENSIONS = {
    "newsspider.extensions.report.RefreshReport": 500,
    "newsspider.extensions.ledger.ArticleLedger": 400,
    "newsspider.extensions.quiet.OneLineNetworkErrors": 100,
    "newsspider.extensions.runlock.RunLock": 0,
    # Before RunLock (0) so it is called first and publishes while the lock is held.
    "newsspider.extensions.publish.PublishChanges": -10,
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

# --- Suspect pages --------------------------------------------------------------
RFI_SUSPECT_SHRINK = 0.5
"""A page whose text is under this share of the archived text is held back as suspect
(counted failed) until a second check sees the same page (newsspider.pipelines.suspect)."""
RFI_DRIFT_MAX_SHARE = 0.5
"""Template drift: when more than this share of the run's pages that should have an entry
part (the lead, the share block…) lack it, the template changed: a WARNING, exit status 1
(newsspider.drift). 1 turns the check off."""
RFI_DRIFT_MIN_PAGES = 5
"""Template drift needs at least this many pages lacking the part (fewer prove nothing)."""

# --- Running from cron --------------------------------------------------------------
RFI_MAX_ERROR_RATE = 0.5
"""Exit status 1 when more than this share of checked articles failed."""
RFI_PROGRESS_INTERVAL = 60
"""Seconds between progress lines."""
RFI_STATE_COMMIT_EVERY = 100
"""Finished checks committed to the crawl state at once; after kill -9 the next run repeats
at most this many."""
RFI_STATE_COMMIT_SECONDS = 5.0
"""A finished check waits at most this long for its batch: the next check commits it."""

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
FEED_EXPORT_FIELDS = list(items.FIELDS)
"""Feed exports (-O out.csv / out.jsonl): every item has these columns, in this order."""
