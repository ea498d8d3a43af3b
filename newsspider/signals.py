"""Signals of newsspider's own (Scrapy's are in scrapy.signals)."""

article_failed = object()
"""An article could not be checked this run: send(url=..., reason=...).

Sent once per failed article by newsspider.extensions.ledger.ArticleLedger,
when the article's failed item has left the pipelines (the item, with the
same ``reason``, is what the report and feed exports count)."""
