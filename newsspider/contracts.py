"""Scrapy contracts of newsspider's own (``scrapy check rfi``).

Scrapy's ``@scrapes`` only asks that fields exist; every ArticleItem has
every field (one shape, newsspider.items), so a page that could not become
an entry would pass it. ``@whole_page`` asks what the archive asks.
"""

from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail


class WholePageContract(Contract):
    """@whole_page: every item is an article page the archive would take, not a failure."""

    name = "whole_page"

    def post_process(self, output):
        for item in output:
            if not hasattr(item, "get") or "outcome" not in item:
                continue  # a request, not an item
            if item.get("outcome") == "failed":
                raise ContractFail(f"not a whole article page: {item.get('reason')}")
            missing = [field for field in ("title", "html", "fingerprint") if not item.get(field)]
            if missing:
                raise ContractFail(f"empty fields: {', '.join(missing)}")
