"""The site bench/e2e.py crawls: real-size RFI pages served over TLS from 127.0.0.1:443.

Pages are composed once per real sample entry (tests/compose.py, ~310 KB each)
with markers where the article number and the edit generation go; serving
article ``i`` is two byte replacements, so the server's cost stays small
beside the crawler's. What a page says depends on the server's ``mode``:

- ``new``, ``unchanged``: the sample's own content (the archive made by a
  ``new`` run holds exactly these pages' entries);
- ``edited``: the lead carries the ``generation`` number, so every run edits;
- ``304``: a request with ``If-None-Match`` gets ``304 Not Modified``.

Every page sends ``ETag: "<i>"``. ``/robots.txt`` allows everything;
``/cn/bench-feed.xml`` is an RSS feed listing articles ``0..listed-1``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import ssl
import sys
import threading
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsspider.archive.entry import Entry, read_entry  # noqa: E402
from tests.compose import ARCHIVE, compose_page, split_entry  # noqa: E402
from tests.test_page import DIFFERING, EXACT  # noqa: E402

NUMBER = "ZQXJ"  # stands for the article number in titles, URLs and leads
GENERATION = "WQWK"  # stands for the edit generation in an edited page's lead
FEED_PATH = "/cn/bench-feed.xml"
_ARTICLE_NUMBER = re.compile(rb"-([0-9]+)/?$")


def sample_entries() -> list[Entry]:
    """The real entries whose composed pages the page tests vouch for, and that a crawl
    takes as new articles: those that end with a share or author block (a page of the
    template without one is held back as not whole)."""
    entries = [read_entry(ARCHIVE / name) for name in [*EXACT, *DIFFERING]]
    return [e for e in entries if (p := split_entry(e.html))["share_links"] or p["author"]]


def numbered(entry: Entry, number: str, lead_words: str = "") -> Entry:
    """Article ``number`` made from a sample: its own URL, title and lead."""
    mark = f"（第{number}号{lead_words}）"
    html = entry.html.replace("</strong></p>", f"{mark}</strong></p>", 1)
    if html == entry.html:  # no lead: mark the first paragraph of the body
        html = entry.html.replace("</p>", f"{mark}</p>", 1)
    return Entry(entry.timestamp, f"{entry.title}（{number}）", f"{entry.url}-{number}", html)


def article_url(samples: list[Entry], i: int) -> str:
    return f"{samples[i % len(samples)].url}-{i}"


class Site:
    """Page templates per sample and variant; what each request gets."""

    def __init__(self, samples: list[Entry]):
        self.samples = samples
        self.plain = [compose_page(numbered(s, NUMBER)).encode() for s in samples]
        self.edited = [
            compose_page(numbered(s, NUMBER, f"·修订{GENERATION}")).encode() for s in samples
        ]
        self.mode = "unchanged"
        self.generation = 0
        self.gzip = False
        """Send pages gzip-encoded, as RFI does (for the cassette of the replay case)."""
        self.listed = 0
        self.hits = 0

    def page(self, i: int) -> bytes:
        templates = self.edited if self.mode == "edited" else self.plain
        body = templates[i % len(templates)].replace(NUMBER.encode(), str(i).encode())
        return body.replace(GENERATION.encode(), str(self.generation).encode())

    def feed(self) -> bytes:
        now = format_datetime(dt.datetime.now(dt.UTC))
        items = "".join(
            f"<item><link>{article_url(self.samples, i)}</link><pubDate>{now}</pubDate></item>"
            for i in range(self.listed)
        )
        return f'<?xml version="1.0"?><rss><channel>{items}</channel></rss>'.encode()

    def answer(self, path: str, headers) -> tuple[int, dict[str, str], bytes]:
        self.hits += 1
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if path == FEED_PATH:
            return 200, {"Content-Type": "application/rss+xml"}, self.feed()
        found = _ARTICLE_NUMBER.search(path.encode())
        if not found:
            return 404, {}, b""
        i = int(found[1])
        etag = f'"{i}"'
        if self.mode == "304" and headers.get("If-None-Match"):
            return 304, {"ETag": etag}, b""
        headers = {"Content-Type": "text/html; charset=utf-8", "ETag": etag}
        if self.gzip:
            headers["Content-Encoding"] = "gzip"
            return 200, headers, gzip.compress(self.page(i), compresslevel=1)
        return 200, headers, self.page(i)


def serve(site: Site, cert: Path, key: Path, port: int = 443) -> ThreadingHTTPServer:
    """Serve ``site`` on 127.0.0.1:``port`` over TLS (keep-alive), in threads."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            status, headers, body = site.answer(self.path, self.headers)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for www.rfi.fr (Scrapy does not verify certificates)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "www.rfi.fr")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("www.rfi.fr")]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
