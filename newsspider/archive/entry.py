"""One archive entry: parse a file's bytes into an :class:`Entry` and back.

The format (five parts, LF line ends, one final newline)::

    <!--1697224501000-->
    [title](url)
    ------

    <div>…one line of article HTML…</div>

Parsing is strict about the frame (so ``serialize(parse(b)) == b`` for every
file it accepts) and indifferent to what the HTML says: damaged HTML is real
archive content, not a format error.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

SEPARATOR = "------"
ENTRY_SUFFIXES = (".txt", ".md")
_TIMESTAMP = re.compile(r"<!--(0|[1-9][0-9]*)-->")


class EntryFormatError(ValueError):
    """A file that does not follow the entry format.

    The message names the file, the line (1-based) and the reason, on one line.
    """

    def __init__(self, source: str, line: int, reason: str):
        self.source = source
        self.line = line
        self.reason = reason
        super().__init__(f"{source}:{line}: {reason}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One version of one article, exactly as stored."""

    timestamp: int
    """Epoch milliseconds: when this version was captured."""
    title: str
    url: str
    html: str

    def __post_init__(self):
        for name in ("title", "url", "html"):
            value = getattr(self, name)
            if "\n" in value or "\r" in value:
                raise ValueError(f"entry {name} must be one line: {value[:60]!r}")
        if "](" in self.url or not self.url:
            raise ValueError(f"entry url cannot be stored: {self.url!r}")
        if self.timestamp < 0:
            raise ValueError(f"entry timestamp must be >= 0, not {self.timestamp}")

    def serialize(self) -> bytes:
        text = f"<!--{self.timestamp}-->\n[{self.title}]({self.url})\n{SEPARATOR}\n\n{self.html}\n"
        return text.encode("utf-8")


def parse_entry(data: bytes, source: str = "<bytes>") -> Entry:
    """Parse the bytes of one entry file; raise :class:`EntryFormatError`."""
    if not data:
        raise EntryFormatError(source, 1, "empty file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EntryFormatError(source, line, f"not UTF-8 (byte {exc.start})") from None
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        raise EntryFormatError(source, line, "CR line end (the format uses LF only)")
    if not text.endswith("\n"):
        raise EntryFormatError(source, text.count("\n") + 1, "missing final newline")
    lines = text[:-1].split("\n")
    if not _TIMESTAMP.fullmatch(lines[0]):
        raise EntryFormatError(source, 1, "expected <!--epoch-milliseconds-->")
    if len(lines) < 2:
        raise EntryFormatError(source, 2, "missing [title](url) line")
    title, url = _split_title_line(lines[1], source)
    if len(lines) < 3 or lines[2] != SEPARATOR:
        raise EntryFormatError(source, 3, f"expected separator {SEPARATOR!r}")
    if len(lines) < 4 or lines[3] != "":
        raise EntryFormatError(source, 4, "expected an empty line after the separator")
    if len(lines) < 5:
        raise EntryFormatError(source, 5, "missing article HTML line")
    if len(lines) > 5:
        raise EntryFormatError(source, 6, f"extra lines after the HTML ({len(lines) - 5})")
    return Entry(timestamp=int(lines[0][4:-3]), title=title, url=url, html=lines[4])


def _split_title_line(line: str, source: str) -> tuple[str, str]:
    # Titles may hold "]" and "(" (seen in real files); URLs never hold "](".
    cut = line.rfind("](")
    if not line.startswith("[") or not line.endswith(")") or cut < 0:
        raise EntryFormatError(source, 2, "expected [title](url)")
    url = line[cut + 2 : -1]
    if not url:
        raise EntryFormatError(source, 2, "empty url in [title](url)")
    return line[1:cut], url


def read_entry(path: str | os.PathLike) -> Entry:
    """Read and parse the entry file at ``path``."""
    with open(path, "rb") as handle:
        return parse_entry(handle.read(), os.fspath(path))


def is_entry_file(name: str) -> bool:
    return name.endswith(ENTRY_SUFFIXES) and not name.startswith(".")
