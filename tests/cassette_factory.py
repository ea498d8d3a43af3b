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
from urllib.parse import unquote

from vcr.persisters.filesystem import FilesystemPersister
from vcr.request import Request
from vcr.serializers import yamlserializer

from newsspider import rfi_sources
from newsspider.archive import Entry, canonical_url, read_entry
from tests.compose import (
    ARCHIVE,
    compose_day_archive_page,
    compose_page,
    compose_rolling_news_page,
    compose_section_page,
    entry_published,
)

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


# --- Listings: RSS 2.0, sitemaps.org and Google News sitemaps --------------------
# RFI's own files are not captured anywhere here; these follow the public
# standards, carrying real entries' URLs, titles and dates.

CN = rfi_sources.EDITIONS["cn"]


def monthly_sitemap_url(edition: rfi_sources.Edition, month: str) -> str:
    return f"https://www.rfi.fr/sitemaps/{edition.code}/contents_{month}.xml"


def xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rfc822(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def rss(entries: list[Entry]) -> bytes:
    items = "".join(
        f"<item><title>{xml_text(e.title)}</title><link>{e.url}</link>"
        f'<guid isPermaLink="true">{e.url}</guid>'
        f"<pubDate>{rfc822(entry_published(e))}</pubDate></item>\n"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        "<title>RFI</title><link>https://www.rfi.fr/cn/</link><description>RFI</description>\n"
        f"{items}</channel></rss>\n"
    ).encode()


def news_sitemap(entries: list[Entry]) -> bytes:
    urls = "".join(
        f"<url><loc>{e.url}</loc><news:news><news:publication><news:name>RFI</news:name>"
        "<news:language>zh-cn</news:language></news:publication>"
        f"<news:publication_date>{entry_published(e).isoformat()}</news:publication_date>"
        f"<news:title>{xml_text(e.title)}</news:title></news:news></url>\n"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()


def sitemap_index(children: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<sitemap><loc>{u}</loc><lastmod>{m}</lastmod></sitemap>\n" for u, m in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{items}</sitemapindex>\n'
    ).encode()


def monthly_sitemap(entries: list[Entry]) -> bytes:
    urls = "".join(
        f"<url><loc>{e.url}</loc><lastmod>{entry_published(e).isoformat()}</lastmod></url>\n"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    ).encode()


def xml_response(body: bytes, content_type: str) -> dict:
    return response(
        200,
        {"Content-Type": [content_type], "Content-Encoding": ["gzip"]},
        gzip.compress(body, mtime=0),
    )


def html_response(body: str) -> dict:
    return response(
        200,
        {"Content-Type": ["text/html; charset=UTF-8"], "Content-Encoding": ["gzip"]},
        gzip.compress(body.encode("utf-8"), mtime=0),
    )


def listings(feed, news, monthly, section, edition=CN) -> list[tuple[Request, dict]]:
    """Every listing an edition's default settings read (rfi_sources), showing the given
    entries: the listing pages alternate the three listing markups FACTS.md names."""
    rss_type, xml_type = "application/rss+xml; charset=UTF-8", "application/xml; charset=UTF-8"
    monthly_url = monthly_sitemap_url(edition, "202310")
    index = sitemap_index(
        [
            (monthly_sitemap_url(edition, "202010"), "2020-10-31T23:00:00+00:00"),
            (monthly_sitemap_url(edition, "202310"), "2023-10-31T23:00:00+00:00"),
            # Not article sitemaps (SEEN in RFI ES's index): never read.
            (f"https://www.rfi.fr/sitemaps/{edition.code}/tags_1.xml", "2023-11-01T00:00:00Z"),
            (f"https://www.rfi.fr/sitemaps/{edition.code}/shows.xml", "2023-11-01T00:00:00Z"),
        ]
    )
    composers = [compose_rolling_news_page, compose_section_page, compose_day_archive_page]
    return [
        *((get(url), xml_response(rss(feed), rss_type)) for url in edition.feeds),
        (get(edition.news_sitemap), xml_response(news_sitemap(news), xml_type)),
        (get(edition.sitemap_index), xml_response(index, xml_type)),
        (get(monthly_url), xml_response(monthly_sitemap(monthly), xml_type)),
        *(
            (get(url), html_response(composers[number % 3](section)))
            for number, url in enumerate(edition.listing_pages)
        ),
    ]


DISCOVERED = {
    "feed": ["duty-machine-news_rfi_999990.md", "duty-machine-news_rfi_999998.md"],
    "news": ["duty-machine-news_rfi_999996.md", "duty-machine-news_rfi_999990.md"],
    "monthly": ["duty-machine-news_rfi_999999.md", "duty-machine-news_rfi_999993.md"],
    "section": ["duty-machine-news_rfi_999990.md", "duty-machine-news_rfi_1000001.md"],
}
"""Real entries not in SMALL_ARCHIVE, by the listing that shows them (some twice)."""


TW = rfi_sources.EDITIONS["tw"]
TW_ARCHIVE = SMALL_ARCHIVE[:2]
TW_NEW = "duty-machine-news_rfi_999990.md"
CN_ONLY = "duty-machine-news_rfi_999998.md"


def in_edition(original: Entry, edition: rfi_sources.Edition) -> Entry:
    """A real /cn/ entry as the other edition would publish it: the same template and
    text under the edition's path, its section and column segments in that edition.
    (No /tw/ entry is captured anywhere here; the text stays as archived.)"""
    segments = canonical_url(original.url).split("/")
    cn = rfi_sources.EDITIONS["cn"]
    renamed = dict(zip(cn.sections, edition.sections, strict=True))
    renamed[cn.column_section] = edition.column_section
    head = unquote(segments[4]) if len(segments) > 5 else None
    if head in renamed:
        segments[4] = edition.url(renamed[head]).rsplit("/", 1)[1]
    segments[3] = edition.code
    return Entry(original.timestamp, original.title, "/".join(segments), original.html)


def not_modified(entry_: Entry) -> dict:
    body = compose_page(entry_).encode("utf-8")
    return response(304, {"ETag": ['"' + sha1(body).hexdigest()[:16] + '"']}, b"")


def write(path: Path, interactions: list[tuple[Request, dict]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cassette = {"requests": [r for r, _ in interactions], "responses": [s for _, s in interactions]}
    FilesystemPersister.save_cassette(str(path), cassette, serializer=yamlserializer)
    print(f"{path.relative_to(ROOT)}: {len(interactions)} interactions")


def main() -> None:
    seed = entry(SMALL_ARCHIVE[0])
    write(
        CASSETTES / "demo.yaml",
        [robots(), (get(seed.url), page_response(seed)), *listings([seed], [seed], [seed], [seed])],
    )

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
    write(
        CASSETTES / "test_incremental" / "test_every_page_not_modified_writes_only_the_report.yaml",
        [robots(), *((get(e.url), not_modified(e)) for e in small)],
    )

    tw_archive = [in_edition(entry(name), TW) for name in TW_ARCHIVE]
    tw_new = in_edition(entry(TW_NEW), TW)
    listed = [tw_new, tw_archive[0], entry(CN_ONLY)]  # a /cn/ URL is not a /tw/ article
    write(
        CASSETTES / "test_editions" / "tw.yaml",
        [
            robots(),
            *listings(listed, listed, listed, listed, edition=TW),
            *((get(e.url), page_response(e)) for e in [*tw_archive, tw_new]),
        ],
    )

    lists = {kind: [entry(n) for n in names] for kind, names in DISCOVERED.items()}
    new = {e.url: e for listed in lists.values() for e in listed}
    lists["feed"].append(seed)  # an archived article is listed too: not new
    lists["monthly"].append(small[1])
    write(
        CASSETTES / "test_discovery" / "discovery.yaml",
        [
            robots(),
            *listings(lists["feed"], lists["news"], lists["monthly"], lists["section"]),
            *((get(e.url), page_response(e)) for e in [*small, *new.values()]),
        ],
    )


if __name__ == "__main__":
    main()
