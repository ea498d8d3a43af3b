"""A stand-in www.rfi.fr on 127.0.0.1: pages composed from real entries, any answer a test needs.

``site = LiveSite(entries)`` serves every entry's page (so a crawl finds
them unchanged) at its article path; a test replaces the answer of a path
(``site.routes[path(entry)] = …``) and runs a crawl with :func:`crawl`, which
routes the spider's ``https://www.rfi.fr/…`` requests there (tests/reroute.py).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from newsspider.archive import Entry, canonical_url
from tests.compose import SHARE_START, compose_page, split_entry
from tests.conftest import run_crawl
from tests.loopback import LoopbackServer
from tests.reroute import reroute_settings

HTML = {"Content-Type": "text/html; charset=utf-8"}


def path(entry_or_url: Entry | str) -> str:
    url = entry_or_url.url if isinstance(entry_or_url, Entry) else entry_or_url
    return urlsplit(canonical_url(url)).path


def page(entry: Entry, status: int = 200, headers: dict | None = None):
    """A route answering with the article page carrying ``entry``."""
    body = compose_page(entry).encode("utf-8")
    return lambda n: (status, {**HTML, **(headers or {})}, body)


def redirect(location: str, status: int = 301):
    return lambda n: (status, {"Location": location}, b"")


def cut_after_paragraphs(entry: Entry, keep: int) -> Entry:
    """The same article with only its first ``keep`` body paragraphs (share block kept)."""
    body = split_entry(entry.html)["body"]
    paragraphs = re.findall(r"<p>.*?</p>", body)
    cut = body[: body.index(paragraphs[keep])] + "</div>"
    return Entry(entry.timestamp, entry.title, entry.url, entry.html.replace(body, cut))


def command_line(archive, site, **settings) -> list[str]:
    """``-s`` options for a ``scrapy crawl rfi`` of every archived article against ``site``."""
    reroute = reroute_settings(site.base)
    settings = {
        "ARCHIVE_DIR": archive,
        "LOOPBACK_BASE": reroute["LOOPBACK_BASE"],
        "DOWNLOAD_HANDLERS": json.dumps(reroute["DOWNLOAD_HANDLERS"]),
        "RFI_DISCOVERY": False,
        "RFI_RECHECK_EVERYTHING": True,
        "RETRY_TIMES": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        **settings,
    }
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def changed(entry):
    """The article with a few words added to its body."""
    body = split_entry(entry.html)["body"]
    html = entry.html.replace(body, body.replace("。", "。（本文已更新）", 1))
    assert html != entry.html
    return type(entry)(entry.timestamp, entry.title, entry.url, html)


def without_share_block(entry: Entry) -> Entry:
    html = entry.html[: entry.html.index(SHARE_START)]
    return Entry(entry.timestamp, entry.title, entry.url, html)


class LiveSite(LoopbackServer):
    def __init__(self, entries: list[Entry]):
        super().__init__({path(e): page(e) for e in entries})


def crawl(archive, site: LiveSite, **settings):
    """A refresh-only run of every archived article against ``site``; returns the crawler."""
    overrides = {
        "RFI_DISCOVERY": False,
        "RFI_RECHECK_EVERYTHING": True,
        "RETRY_TIMES": 0,
        **reroute_settings(site.base),
        **settings,
    }
    return run_crawl(archive, None, **overrides)


def report(archive) -> dict:
    reports = sorted((archive / "reports").glob("*.json"))
    return json.loads(reports[-1].read_text(encoding="utf-8"))
