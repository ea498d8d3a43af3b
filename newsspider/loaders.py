"""Page -> ArticleItem, as a list of small named steps."""

from __future__ import annotations

import time
from datetime import UTC

from itemloaders.processors import Join, MapCompose, TakeFirst
from scrapy import Selector
from scrapy.loader import ItemLoader

from newsspider.archive.fingerprint import fingerprint
from newsspider.archive.urls import canonical_url
from newsspider.items import ArticleItem, article_item
from newsspider.page import article as page
from newsspider.page.dates import page_dates
from newsspider.page.html import to_archive_html
from newsspider.rfi_sources import DEFAULT_EDITION, EDITIONS


def one_line(text: str) -> str:
    return " ".join(text.split("\n")).strip()


class ArticleLoader(ItemLoader):
    default_item_class = ArticleItem
    default_output_processor = TakeFirst()

    url_in = MapCompose(canonical_url)
    title_in = MapCompose(one_line)
    html_out = Join("")  # parts in entry order; trimmed and joined in load_item

    def load_item(self) -> ArticleItem:
        item = super().load_item()
        item["html"] = to_archive_html([item.get("html", "")])
        item["fingerprint"] = fingerprint(item.get("title", ""), item["html"])
        return article_item(**item)  # every field, in FIELDS order: one shape for exports


def page_selector(tree) -> Selector:
    """A selector on the page's one tree, for the loader's ``add_xpath``/``add_css``.

    Given only the response, ItemLoader would build ``Selector(response)``: a
    second parse of the whole page (and a decode of its body to text).
    """
    return Selector(root=tree, type="html")


def load_article(
    response, tree, article, url: str | None = None, edition=EDITIONS[DEFAULT_EDITION]
) -> ArticleItem:
    """Fill an ArticleItem from a parsed RFI article page, one entry part per value.

    ``url`` is the article the page was asked for (default: the page's URL);
    ``edition`` gives the labels of its visible dates.
    """
    loader = ArticleLoader(selector=page_selector(tree), response=response)
    loader.add_value("url", url or response.url)
    loader.add_value("status", response.status)
    loader.add_value("title", page.title(tree, article))
    parts = page.named_entry_parts(tree, article)
    loader.add_value("html", list(parts.values()))
    loader.add_value("timestamp", int(time.time() * 1000))
    dates = page_dates(tree, article, edition)
    for field, when in (("published", dates.published), ("modified", dates.modified)):
        loader.add_value(field, when.astimezone(UTC).isoformat() if when else None)
    for field, header in (("etag", b"ETag"), ("last_modified", b"Last-Modified")):
        value = response.headers.get(header)
        if value:
            loader.add_value(field, value.decode("latin-1"))
    item = loader.load_item()
    # Which parts the page had, for the suspect pipeline and template drift.
    item["parts"] = {"title": bool(item["title"]), **{n: bool(h) for n, h in parts.items()}}
    return item
