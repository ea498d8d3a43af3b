"""Canonical article URLs: every form of one RFI URL maps to one string.

The canonical form is also the form the archive stores (a WHATWG ``href``):
https, host ``www.rfi.fr``, single slashes, path percent-encoded as UTF-8 with
uppercase hex, no query and no fragment.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_to_bytes, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

SITE = "https://www.rfi.fr"
RFI_HOSTS = frozenset({"www.rfi.fr", "rfi.fr"})
CANONICAL_HOST = "www.rfi.fr"

# Printable ASCII that a WHATWG path keeps as is, minus "%" and "/" (an
# escaped "%2F" or "%25" inside a segment must stay escaped).
_PATH_SAFE = "!$&'()*+,-.0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_abcdefghijklmnopqrstuvwxyz|~"
_SLASHES = re.compile(r"/{2,}")


def canonical_url(url: str) -> str:
    """Map any form of an RFI article URL to its canonical form.

    Relative and protocol-relative URLs are resolved against www.rfi.fr.
    Non-RFI URLs are normalized the same way but keep their host and query.
    Raises ValueError for something that is not an http(s) URL.
    """
    url = url.strip()
    if not url:
        raise ValueError("empty URL")
    parts = urlsplit(urljoin(SITE + "/", url))
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
    path = "/".join(_normalize_segment(s) for s in _SLASHES.sub("/", parts.path or "/").split("/"))
    return safe_url_string(urlunsplit((scheme, host, path, query, "")))


def _normalize_segment(segment: str) -> str:
    # Decode then re-encode, so "%e5", "%E5" and a raw "国" all become "%E5…".
    return quote(unquote_to_bytes(segment), safe=_PATH_SAFE)


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
