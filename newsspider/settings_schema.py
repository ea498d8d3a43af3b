"""What each setting of newsspider/settings.py may be, checked before a crawl starts.

``SCHEMA`` gives every setting a rule (its type and range, from
newsspider.settings_rules); ``problems(settings)``
returns one line per bad value, ``setting NAME='VALUE': reason``. A rule reads
the value as the code does (a string from ``-s``, or the Python value of
settings.py), so what passes here is what the crawl can run with. A new setting
in settings.py needs a rule here (tests/test_settings_schema.py fails without
one); a setting unknown to the schema is never an error at run time.

Some rules need two settings (a replay needs its cassette, and must not write
into the default archive); they are in ``_cross_checks``.
"""

from __future__ import annotations

import difflib
import json
import os

from scrapy.settings import SETTINGS_PRIORITIES

from newsspider import rfi_sources
from newsspider import settings as project_settings
from newsspider.settings_rules import (
    Choice,
    Float,
    Int,
    Ints,
    Rule,
    Text,
    as_float,
    boolean,
    cassette_path,
    components,
    encoding,
    folder,
    handlers,
    log_level,
    module,
    module_list,
    name_list,
    redis_url,
    subfolder,
    url,
    url_list,
)

RECORD_MODES = ("none", "once", "new_episodes", "all")
"""VCR.py's record modes ("any" is not documented by VCR.py, so not offered)."""
PROJECT_PREFIXES = ("ARCHIVE_", "RFI_", "VCR_", "REDIS_")
"""A ``-s`` name with one of these prefixes that no rule knows is a typo."""


class SettingError(ValueError):
    """A setting the crawl cannot run with; ``str()`` is the one line to show."""


def line(name: str, value, reason: str) -> str:
    return f"setting {name}={shown(value)!r}: {reason}"


def shown(value) -> str:
    """The value as it would be written after ``-s NAME=``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    if hasattr(value, "items"):  # a dict, or Scrapy's BaseSettings
        return json.dumps(dict(value.items()), default=str)
    return str(value)


SCHEMA: dict[str, Rule] = {
    # Scrapy's own, as the project sets them
    "BOT_NAME": Text(),
    "SPIDER_MODULES": module_list,
    "NEWSPIDER_MODULE": module,
    "COMMANDS_MODULE": module,
    "USER_AGENT": Text(optional=True),
    "ROBOTSTXT_OBEY": boolean,
    "ROBOTSTXT_USER_AGENT": Text(),
    "ROBOTSTXT_CRAWL_DELAY_MAX": Float(min=0),
    "DOWNLOAD_HANDLERS": handlers,
    "CONCURRENT_REQUESTS": Int(min=1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": Int(min=1),
    "CONCURRENT_ITEMS": Int(min=1),
    "DOWNLOAD_DELAY": Float(min=0),
    "AUTOTHROTTLE_ENABLED": boolean,
    "AUTOTHROTTLE_START_DELAY": Float(min=0),
    "AUTOTHROTTLE_MAX_DELAY": Float(min=0),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": Float(min=0, above=True),
    "DOWNLOAD_TIMEOUT": Float(min=0, above=True),
    "DOWNLOAD_MAXSIZE": Int(min=0),
    "DOWNLOAD_WARNSIZE": Int(min=0),
    "TELNETCONSOLE_ENABLED": boolean,
    "REMOTE_CONTROL_ENABLED": boolean,
    "COOKIES_ENABLED": boolean,
    "RETRY_ENABLED": boolean,
    "RETRY_TIMES": Int(min=0),
    "RETRY_HTTP_CODES": Ints(min=100, max=599),
    "RETRY_GIVE_UP_LOG_LEVEL": log_level,
    "DOWNLOADER_MIDDLEWARES": components,
    "ITEM_PIPELINES": components,
    "EXTENSIONS": components,
    "LOG_LEVEL": log_level,
    "FEED_EXPORT_ENCODING": encoding,
    "FEED_EXPORT_FIELDS": name_list,
    "ITEM_PROCESSOR": module,
    "SPIDER_CONTRACTS": components,
    "REFRESH_ENABLED": boolean,
    # the project's
    "ARCHIVE_DIR": folder,
    "ARCHIVE_REPORTS_DIR": subfolder,
    "ARCHIVE_REPORTS_KEEP_DAYS": Float(min=0),
    "ARCHIVE_CAPTURES": Choice(("changed", "all", "none")),
    "ARCHIVE_PUBLISH": boolean,
    "ARCHIVE_FEED_ENTRIES": Int(min=1),
    "CONTACT_URL": url,
    "RETRY_AFTER_MAX": Float(min=0),
    "VCR_CASSETTE": cassette_path,
    "VCR_RECORD_MODE": Choice(RECORD_MODES),
    "RFI_DISCOVERY": boolean,
    "RFI_SUSPECT_SHRINK": Float(min=0, max=1),
    "RFI_DRIFT_MAX_SHARE": Float(min=0, max=1),
    "RFI_DRIFT_MIN_PAGES": Int(min=1),
    "RFI_EDITION": Choice(tuple(rfi_sources.EDITIONS)),
    "RFI_FEEDS": url_list,
    "RFI_SITEMAPS": url_list,
    "RFI_SECTIONS": url_list,
    "RFI_MAX_NEW_ARTICLES": Int(min=0),
    "RFI_OLDEST_DAYS": Float(min=0, max=100_000),  # a date the calendar can hold
    "RFI_MAX_SITEMAPS": Int(min=1),
    "RFI_RECHECK_MIN_HOURS": Float(min=0),
    "RFI_RECHECK_MAX_DAYS": Float(min=0, above=True),
    "RFI_RECHECK_FACTOR": Float(min=0, above=True),
    "RFI_RECHECK_EVERYTHING": boolean,
    "RFI_MAX_CHECKS_PER_RUN": Int(min=0),
    "RFI_MAX_ERROR_RATE": Float(min=0, max=1),
    "RFI_PROGRESS_INTERVAL": Float(min=0),
    "RFI_STATE_COMMIT_EVERY": Int(min=1),
    "RFI_STATE_COMMIT_SECONDS": Float(min=0),
    "ADDONS": components,
    "REDIS_URL": redis_url,
    "REDIS_LEASE_TIMEOUT": Float(min=0, above=True),
    "REDIS_POLL_INTERVAL": Float(min=0, above=True),
    "REDIS_JOIN_TIMEOUT": Float(min=0),
}


def project_setting_names() -> list[str]:
    """Every setting newsspider/settings.py defines."""
    return [name for name in vars(project_settings) if name.isupper()]


# --- Checking ------------------------------------------------------------------------


def problems(settings) -> list[str]:
    """One ``setting NAME='VALUE': reason`` line per setting the crawl cannot run with."""
    found = [
        line(name, settings.get(name), reason)
        for name, rule in SCHEMA.items()
        if name in settings and (reason := rule(settings.get(name)))
    ]
    found += _unknown(settings)
    if not found:
        found += _cross_checks(settings)
    return found


def command_line_problems(assignments: list[str]) -> list[str]:
    """Bad ``-s NAME=VALUE`` values that Scrapy itself would choke on before ``problems``
    sees them: a dict setting (pipelines, middlewares, extensions) is parsed as JSON when set.
    """
    found = []
    for assignment in assignments:
        name, _, value = assignment.partition("=")
        if SCHEMA.get(name) is components and (reason := components(value)):
            found.append(line(name, value, reason))
    return found


def cassette_problem(settings) -> str | None:
    """The cassette settings' first problem: a replay must never reach the network."""
    for name in ("VCR_RECORD_MODE", "VCR_CASSETTE"):
        reason = SCHEMA[name](settings.get(name))
        if reason:
            return line(name, settings.get(name), reason)
    return _missing_cassette(settings)


def replays_only(settings) -> bool:
    """True when every answer comes from the cassette (no request reaches the network)."""
    path = settings.get("VCR_CASSETTE")
    mode = settings.get("VCR_RECORD_MODE")
    return bool(path) and (mode == "none" or (mode == "once" and os.path.isfile(path)))


def _missing_cassette(settings) -> str | None:
    path = settings.get("VCR_CASSETTE")
    if path and settings.get("VCR_RECORD_MODE") == "none" and not os.path.isfile(path):
        return line("VCR_CASSETTE", path, "no such cassette (record mode none replays only)")
    return None


def _cross_checks(settings) -> list[str]:
    found = []
    missing = _missing_cassette(settings)
    if missing:
        found.append(missing)
    cmdline = SETTINGS_PRIORITIES["cmdline"]
    if replays_only(settings) and (settings.getpriority("ARCHIVE_DIR") or 0) < cmdline:
        found.append(
            line(
                "ARCHIVE_DIR",
                settings.get("ARCHIVE_DIR"),
                "a replay would write the cassette's answers into the default archive; "
                "give -s ARCHIVE_DIR=…",
            )
        )
    low, high = settings.get("RFI_RECHECK_MIN_HOURS"), settings.get("RFI_RECHECK_MAX_DAYS")
    if low is not None and high is not None and as_float(low) > as_float(high) * 24:
        found.append(
            line(
                "RFI_RECHECK_MIN_HOURS",
                settings.get("RFI_RECHECK_MIN_HOURS"),
                f"longer than RFI_RECHECK_MAX_DAYS ({shown(high)} days)",
            )
        )
    return found


def _unknown(settings) -> list[str]:
    """Names given on the command line that look like ours but that nothing reads."""
    known = set(SCHEMA) | set(project_setting_names())
    found = []
    for name in settings.attributes:
        if name in known or not name.startswith(PROJECT_PREFIXES):
            continue
        if (settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        found.append(line(name, settings.get(name), "unknown setting" + hint))
    return found
