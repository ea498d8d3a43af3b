"""Signals of newsspider's own (Scrapy's are in scrapy.signals)."""

article_failed = object()
"""An article could not be checked this run: send(url=..., reason=...)."""
