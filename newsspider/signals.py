"""Signals of newsspider's own (Scrapy's are in scrapy.signals)."""

article_failed = object()
"""An article could not be checked this run: send(url=..., reason=...).

Sent once per failed article by newsspider.extensions.ledger.ArticleLedger,
when the article's failed item has left the pipelines (the item, with the
same ``reason``, is what the report and feed exports count)."""

listing_failed = object()
"""A feed, sitemap or section page could not be read: send(url=..., reason=...)."""

listed_article_skipped = object()
"""Discovery left a listed article out: send(url=..., why=...), why is "over_cap" or "too_old"."""

recording_failed = object()
"""Downloads failed while recording into a cassette: send(cassette=..., failures=[...]),
each failure one "METHOD URL: reason" line. The cassette lacks their answers."""
