"""Write the shipped cassettes from real material (run by hand, output committed).

    python -m tests.cassette_factory

Each cassette is a list of VCR.py interactions whose page bodies come from
tests/compose.py (real template + real entries). How each one is made is
listed in cassettes/README.md. To record from the live site instead, see there.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from email.utils import format_datetime
from hashlib import sha1
from pathlib import Path

from vcr.persisters.filesystem import FilesystemPersister
from vcr.request import Request
from vcr.serializers import yamlserializer

from newsspider.archive import Entry, read_entry
from tests.compose import ARCHIVE, compose_page

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"
ROBOTS_URL = "https://www.rfi.fr/robots.txt"
# Not captured anywhere here: a permissive stand-in, so that robots.txt
# handling runs exactly as it would against the site.
ROBOTS_TXT = b"User-agent: *\nDisallow:\n"
SERVED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)

SMALL_ARCHIVE = [
    "seed_000_fa28d98bcef6ab2a.txt",
    "duty-machine-news_rfi_1000000.md",
    "duty-machine-news_rfi_1000013.md",
    "duty-machine-news_rfi_999992.md",
]
"""The archive the end-to-end tests refresh: a normal article (the seed), a
second one, an empty lead and a column with an author block."""


def request_headers() -> dict:
    return {"Accept-Encoding": "gzip, deflate, br, zstd", "User-Agent": "newsspider/0.1.0"}


def page_response(entry: Entry, status: int = 200) -> dict:
    body = compose_page(entry).encode("utf-8")
    etag = '"' + sha1(body).hexdigest()[:16] + '"'
    return response(
        status,
        {
            "Content-Type": ["text/html; charset=UTF-8"],
            "Content-Encoding": ["gzip"],
            "ETag": [etag],
            "Last-Modified": [format_datetime(SERVED, usegmt=True)],
            "Cache-Control": ["max-age=60"],
        },
        gzip.compress(body, mtime=0),
    )


def response(status: int, headers: dict, body: bytes) -> dict:
    from http import HTTPStatus

    return {
        "status": {"code": status, "message": HTTPStatus(status).phrase},
        "headers": {"Date": [format_datetime(SERVED, usegmt=True)], **headers},
        "body": {"string": body},
    }


def robots() -> tuple[Request, dict]:
    return (
        Request("GET", ROBOTS_URL, None, request_headers()),
        response(200, {"Content-Type": ["text/plain"]}, ROBOTS_TXT),
    )


def error_page(status: int, headers: dict | None = None) -> dict:
    # RFI's error pages are not captured; their bodies are never read.
    return response(status, {"Content-Type": ["text/html; charset=UTF-8"], **(headers or {})}, b"")


def get(url: str) -> Request:
    return Request("GET", url, None, request_headers())


def entry(name: str) -> Entry:
    return read_entry(ARCHIVE / name)


def edited(original: Entry) -> Entry:
    """The same article with one sentence of its body changed."""
    old = "平壤则一直否认向莫斯科提供武器装备。"
    assert old in original.html, "the edit must change real text"
    return Entry(
        original.timestamp,
        original.title,
        original.url,
        original.html.replace(old, "平壤周五再次否认向莫斯科提供任何武器装备。"),
    )


def write(path: Path, interactions: list[tuple[Request, dict]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cassette = {"requests": [r for r, _ in interactions], "responses": [s for _, s in interactions]}
    FilesystemPersister.save_cassette(str(path), cassette, serializer=yamlserializer)
    print(f"{path.relative_to(ROOT)}: {len(interactions)} interactions")


def main() -> None:
    seed = entry(SMALL_ARCHIVE[0])
    write(CASSETTES / "demo.yaml", [robots(), (get(seed.url), page_response(seed))])

    small = [entry(name) for name in SMALL_ARCHIVE]
    unchanged = [robots(), *((get(e.url), page_response(e)) for e in small)]
    e2e = CASSETTES / "test_refresh"
    write(e2e / "test_nothing_changed_writes_nothing.yaml", unchanged)
    write(
        e2e / "test_edited_page_adds_exactly_one_revision.yaml",
        [
            robots(),
            (get(seed.url), page_response(edited(seed))),
            *((get(e.url), page_response(e)) for e in small[1:]),
        ],
    )
    write(
        e2e / "test_removed_articles_are_recorded_gone.yaml",
        [
            robots(),
            (get(small[0].url), error_page(404)),
            (get(small[1].url), error_page(410)),
            *((get(e.url), page_response(e)) for e in small[2:]),
        ],
    )
    write(
        e2e / "test_forbidden_and_server_errors_never_change_the_archive.yaml",
        [
            robots(),
            (get(small[0].url), error_page(403)),
            (get(small[1].url), error_page(500)),
            (get(small[2].url), error_page(503, {"Retry-After": ["1"]})),
            (get(small[3].url), page_response(small[3])),
        ],
    )


if __name__ == "__main__":
    main()
