"""One-line texts of a report: the closing line, and URLs as people read them."""

from __future__ import annotations

import re
import unicodedata

_ESCAPED_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def closing_line(counts: dict[str, int]) -> str:
    """``refresh: checked=N unchanged=U updated=D new=W gone=G failed=F`` (scripts parse it)."""
    return "refresh: " + " ".join(f"{key}={value}" for key, value in counts.items())


def readable_url(url: str) -> str:
    """The URL with its percent-encoded non-ASCII text shown as characters.

    As an IRI (RFC 3987, 3.2): only escapes of valid UTF-8 beyond ASCII are
    decoded, so ``%2F``, ``%25`` or ``%20`` keep their meaning; characters a
    reader could not see or would misread (spaces, controls, format marks)
    stay escaped. Pasted into a browser it opens the same page.
    """
    return _ESCAPED_RUN.sub(_decode_run, url)


def _decode_run(match: re.Match) -> str:
    escaped = match.group()  # "%XX" per byte
    raw = bytes.fromhex(escaped.replace("%", ""))
    out = []
    start = 0
    while start < len(raw):
        char, size = _utf8_char(raw, start) if raw[start] >= 0x80 else (None, 1)
        if char is not None and _visible(char):
            out.append(char)
        else:  # ASCII escapes were escaped for a reason; broken UTF-8 stays as it came
            out.append(escaped[3 * start : 3 * (start + size)])
        start += size
    return "".join(out)


def _utf8_char(raw: bytes, start: int) -> tuple[str | None, int]:
    for size in (2, 3, 4):
        try:
            return raw[start : start + size].decode("utf-8"), size
        except UnicodeDecodeError:
            continue
    return None, 1


def _visible(char: str) -> bool:
    return char.isprintable() and not char.isspace() and unicodedata.category(char) != "Cf"
