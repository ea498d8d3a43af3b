"""Run the item pipelines so that no article is lost to a pipeline's exception.

Scrapy drops an item whose pipeline raises, and logs a traceback: the article
would vanish from the report and the exports. This item processor (the
ITEM_PROCESSOR setting) runs the same pipelines in the same order, but an
exception, or a DropItem, turns the article into a ``failed`` item with a
one-line reason (``pipeline SomePipeline raised KeyError: 'title'``) that
goes on through the remaining pipelines (the archive pipeline leaves failed
items alone). The traceback is logged at DEBUG only. An exception after the
archive pipeline decided the outcome (the entry is written) keeps the
outcome and notes the error in ``reason``, with an ERROR line.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.python import global_object_name

from newsspider.answers import one_line
from newsspider.items import ArticleItem, fail

logger = logging.getLogger(__name__)


class GuardedItemPipelineManager(ItemPipelineManager):
    async def process_item_async(self, item):
        if not isinstance(item, ArticleItem):
            return await super().process_item_async(item)
        needs_spider = getattr(self, "_mw_methods_requiring_spider", ())  # old signatures
        for method in self.methods["process_item"]:
            args = (self._spider,) if method in needs_spider else ()
            try:
                item = await ensure_awaitable(method(item, *args), _warn=global_object_name(method))
            except DropItem as exc:
                self._lost(item, one_line(f"dropped by {_owner(method)}: {exc}"))
            except Exception as exc:
                what = one_line(f"pipeline {_owner(method)} raised {type(exc).__name__}: {exc}")
                logger.debug("%s on %s", what, item.get("url"), exc_info=exc)
                self.crawler.stats.inc_value("pipeline/errors")
                self._lost(item, what)
        return item

    @staticmethod
    def _lost(item: ArticleItem, what: str) -> None:
        outcome = item.get("outcome")
        if outcome is None:
            fail(item, what)
        elif outcome != "failed":  # the archive pipeline already wrote what it decided
            item["reason"] = f"after the archive recorded it, {what}"
            logger.error("%s: %s", item.get("url"), item["reason"])


def _owner(method) -> str:
    owner = getattr(method, "__self__", None)
    return type(owner).__name__ if owner is not None else getattr(method, "__name__", "?")
