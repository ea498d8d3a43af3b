"""Raw captures: the HTTP exchanges behind the archive's entries, as WARC records.

Every page that produced a new or updated entry (or every page, or none:
``ARCHIVE_CAPTURES``) is kept as a WARC/1.1 request record and response
record, exactly as received (headers, and the body still content-encoded),
so that ``scrapy archive rebuild`` can re-derive entries with today's
normalizer without crawling again. The response record's ``WARC-Date`` is the
entry's timestamp, to the millisecond: that is how a capture finds its entry.

Layout: ``captures/<YYYY-MM>/<run>.warc.gz``, one file per run and month,
each record pair its own gzip members. A run appends to ``<run>.warc.gz.part``
and renames it when it closes; a killed run's ``.part`` is cut back to its
last whole record and renamed by the next run (:func:`recover_partial_captures`),
so a reader never meets a half-written capture file.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newsspider.archive.files import fsync_dir

logger = logging.getLogger(__name__)

CAPTURES_DIR = "captures"
SUFFIX = ".warc.gz"
PARTIAL = SUFFIX + ".part"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP exchange as it crossed the wire."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    """The body as received (still gzip when the server sent Content-Encoding: gzip)."""


@dataclass(frozen=True, slots=True)
class Capture:
    """A stored response, with the body decoded from its Content-Encoding."""

    url: str
    timestamp: int
    """Epoch ms: the timestamp of the entry this capture produced."""
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    path: str


def _iso(timestamp_ms: int) -> str:
    when = datetime.fromtimestamp(timestamp_ms / 1000, UTC).replace(tzinfo=None)
    return datetime_to_iso_date(when, use_micros=True)


def _ms(iso: str) -> int:
    when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return round(when.replace(tzinfo=when.tzinfo or UTC).timestamp() * 1000)


class CaptureWriter:
    """Appends the exchanges of one run to ``captures/<YYYY-MM>/<run>.warc.gz.part``."""

    def __init__(self, root: str | os.PathLike, run: str):
        self.folder = os.path.join(os.fspath(root), CAPTURES_DIR)
        self.run = run
        self._files: dict[str, int] = {}  # month -> fd of its .part file
        self.written = 0

    def write(self, exchange: Exchange, timestamp: int) -> str:
        """Store one exchange as captured at ``timestamp`` (epoch ms); return the file."""
        return self.append(capture_records(exchange, timestamp), timestamp)

    def append(self, data: bytes, timestamp: int) -> str:
        """Store records :func:`capture_records` made (in any thread); return the file.
        Called from one thread at a time."""
        month = datetime.fromtimestamp(timestamp / 1000, UTC).strftime("%Y-%m")
        fd = self._files.get(month)
        if fd is None:
            os.makedirs(os.path.join(self.folder, month), exist_ok=True)
            fd = os.open(self._path(month, PARTIAL), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            self._files[month] = fd
        view = memoryview(data)
        while view:  # one record pair, appended whole or cut at a member the reader skips
            view = view[os.write(fd, view) :]
        self.written += 1
        return self._path(month, SUFFIX)

    def close(self) -> None:
        """Make every file of this run a finished capture file."""
        for month, fd in self._files.items():
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(self._path(month, PARTIAL), self._path(month, SUFFIX))
            fsync_dir(os.path.join(self.folder, month))
        self._files.clear()

    def _path(self, month: str, suffix: str) -> str:
        return os.path.join(self.folder, month, self.run + suffix)


GZIP_LEVEL = 3
"""RFI's bodies arrive gzip-encoded and are stored so: there every level gives the same
size (56,171 vs 56,169 bytes a page at 3 and 6). On an identity-encoded ~310 KB page,
3 takes 1.9 ms against 3.8 ms at 6 (warcio's 9: 7.3 ms) for 13% more bytes; on 2 cores
that was 144 against 153 edited pages/s (bench/e2e.py)."""


def capture_records(exchange: Exchange, timestamp: int) -> bytes:
    """The request and response records of one exchange, gzipped, ready to append.
    Touches nothing shared: safe in a worker thread."""
    writer = WARCWriter(None, gzip=False, warc_version="1.1")
    date = _iso(timestamp)
    path = exchange.url.split("/", 3)[3] if exchange.url.count("/") >= 3 else ""
    request = writer.create_warc_record(
        exchange.url,
        "request",
        payload=BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            f"{exchange.method} /{path} HTTP/1.1",
            exchange.request_headers,
            is_http_request=True,
        ),
        warc_headers_dict={"WARC-Date": date},
    )
    response = writer.create_warc_record(
        exchange.url,
        "response",
        payload=BytesIO(exchange.body),
        length=len(exchange.body),
        http_headers=StatusAndHeaders(
            f"{exchange.status} {_reason(exchange.status)}",
            _as_stored(exchange.response_headers, len(exchange.body)),
            protocol="HTTP/1.1",
        ),
        warc_headers_dict={"WARC-Date": date},
    )
    request.rec_headers.add_header(
        "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
    )
    members = []
    for record in (request, response):  # each record its own gzip member, as warcio writes
        writer.out = BytesIO()
        writer.write_record(record)
        gzip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        members.append(gzip.compress(writer.out.getvalue()) + gzip.flush())
    return b"".join(members)


def _as_stored(headers: list[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    # The body is stored whole and unchunked: say so, as a replaying reader expects.
    kept = [(k, v) for k, v in headers if k.lower() not in ("transfer-encoding", "content-length")]
    return [*kept, ("Content-Length", str(length))]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def capture_files(root: str | os.PathLike) -> list[str]:
    """Every finished capture file of the archive, oldest month first."""
    folder = os.path.join(os.fspath(root), CAPTURES_DIR)
    found = []
    if os.path.isdir(folder):
        for month in sorted(os.listdir(folder)):
            month_dir = os.path.join(folder, month)
            if os.path.isdir(month_dir):
                found += [
                    os.path.join(month_dir, name)
                    for name in sorted(os.listdir(month_dir))
                    if name.endswith(SUFFIX)
                ]
    return found


def read_captures(path: str) -> Iterator[Capture]:
    """The response records of one capture file; raises ValueError if it is not readable WARC."""
    try:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type != "response":
                    continue
                headers = record.http_headers
                yield Capture(
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    timestamp=_ms(record.rec_headers.get_header("WARC-Date")),
                    status=int(headers.get_statuscode()),
                    headers=list(headers.headers),
                    body=record.content_stream().read(),
                    path=path,
                )
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError) as exc:
        raise ValueError(f"{path}: not readable WARC: {exc}") from None


def check_capture_file(path: str) -> str | None:
    """None when every record of the file reads; else a one-line reason."""
    whole, size = _whole_members_length(path), os.path.getsize(path)
    if whole != size:  # WARC readers stop quietly at a cut gzip member
        return f"{path}: not readable WARC: cut short after byte {whole} of {size}"
    try:
        for _ in read_captures(path):
            pass
    except ValueError as exc:
        return str(exc)
    return None


def recover_partial_captures(root: str | os.PathLike) -> list[str]:
    """Finish the capture files a killed run left: cut each back to its last whole
    gzip member and rename it. Returns the files recovered."""
    folder = os.path.join(os.fspath(root), CAPTURES_DIR)
    recovered = []
    if not os.path.isdir(folder):
        return recovered
    for month in sorted(os.listdir(folder)):
        month_dir = os.path.join(folder, month)
        if not os.path.isdir(month_dir):
            continue
        for name in sorted(os.listdir(month_dir)):
            if not name.endswith(PARTIAL):
                continue
            path = os.path.join(month_dir, name)
            whole = _whole_members_length(path)
            if whole == 0:
                os.unlink(path)
                continue
            with open(path, "r+b") as handle:
                handle.truncate(whole)
                os.fsync(handle.fileno())
            final = path.removesuffix(".part")
            os.replace(path, final)
            fsync_dir(month_dir)
            recovered.append(final)
            logger.info("capture file %s recovered from an interrupted run", final)
    return recovered


def _whole_members_length(path: str) -> int:
    """Length of the prefix of a multi-member gzip file made of complete members."""
    with open(path, "rb") as handle:
        data = handle.read()
    offset = 0
    while offset < len(data):
        inflater = zlib.decompressobj(wbits=31)
        try:
            inflater.decompress(data[offset:])
        except zlib.error:
            break
        if not inflater.eof:
            break
        offset = len(data) - len(inflater.unused_data)
    return offset
