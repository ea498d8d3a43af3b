"""Canonical article URLs: every form of one RFI URL maps to one string.

The canonical form is also the form the archive stores (a WHATWG ``href``):
https, host ``www.rfi.fr``, single slashes, path percent-encoded as UTF-8 with
uppercase hex, no query and no fragment.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, unquote_to_bytes, urlsplit, urlunsplit

from w3lib.url import safe_url_string

SITE = "https://www.rfi.fr"
RFI_HOSTS = frozenset({"www.rfi.fr", "rfi.fr"})
CANONICAL_HOST = "www.rfi.fr"

# Printable ASCII that a WHATWG path keeps as is, minus "%" and "/" (an
# escaped "%2F" or "%25" inside a segment must stay escaped).
_PATH_SAFE = "!$&'()*+,-.0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_abcdefghijklmnopqrstuvwxyz|~"
_SLASHES = re.compile(r"/{2,}")
# A URL already in canonical form (how the archive stores them), which canonical_url
# returns as it is: www.rfi.fr over https, then non-empty segments (not "." or "..") of
# unreserved characters and uppercase escapes of non-ASCII bytes, maybe a final "/".
_ALREADY_CANONICAL = re.compile(
    r"https://www\.rfi\.fr(?:/(?!\.\.?(?:/|$))(?:[A-Za-z0-9._~-]|%[89A-F][0-9A-F])+)+/?"
)


# Each page compares its URL, its canonical link and og:url with the article's,
# ~45 µs a form: the forms seen last are remembered.
@lru_cache(maxsize=1024)
def canonical_url(url: str) -> str:
    """Map any form of an RFI article URL to its canonical form.

    Relative and protocol-relative URLs are resolved against www.rfi.fr.
    Non-RFI URLs are normalized the same way but keep their host and query.
    Raises ValueError for something that is not an http(s) URL.
    """
    if _ALREADY_CANONICAL.fullmatch(url):
        return url  # the common case (an archived URL): ~1 us instead of ~40
    url = url.strip()
    if not url:
        raise ValueError("empty URL")
    # Resolved by hand: urljoin() re-parses absolute URLs and drops a bare ";".
    if url.startswith("//"):
        url = "https:" + url
    elif url.startswith("/"):
        url = SITE + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname.lower()
    if host in RFI_HOSTS:
        host, scheme, query = CANONICAL_HOST, "https", ""
    else:
        query = parts.query
        if parts.port:
            host = f"{host}:{parts.port}"
    # In http(s) URLs a backslash is a path separator (WHATWG), as "//" is one "/".
    raw = _SLASHES.sub("/", (parts.path or "/").replace("\\", "/"))
    segments = _without_dot_segments([unquote_to_bytes(s) for s in raw.split("/")])
    # Re-encode every decoded segment, so "%e5", "%E5" and a raw "国" all become "%E5…".
    path = "/".join(quote(segment, safe=_PATH_SAFE) for segment in segments)
    return safe_url_string(urlunsplit((scheme, host, path, query, "")))


def _without_dot_segments(segments: list[bytes]) -> list[bytes]:
    """Resolve "." and ".." (also written "%2e", "%2E%2e"…), as a WHATWG parser does."""
    kept = segments[:1]  # the empty segment before the leading "/"
    last = len(segments) - 1
    for index, segment in enumerate(segments[1:], start=1):
        if segment in (b".", b".."):
            if segment == b".." and len(kept) > 1:
                kept.pop()
            if index == last:
                kept.append(b"")  # "/a/." and "/a/b/.." end with a slash
            continue
        kept.append(segment)
    return kept


def is_rfi_article_url(url: str, language_path: str = "/cn/") -> bool:
    """True for an RFI page under ``language_path`` that can be an article."""
    try:
        canonical = canonical_url(url)
    except ValueError:
        return False
    parts = urlsplit(canonical)
    return (
        parts.hostname == CANONICAL_HOST
        and parts.path.startswith(language_path)
        and (parts.path.rstrip("/") != language_path.rstrip("/"))
    )
