"""Signals of newsspider's own (Scrapy's are in scrapy.signals)."""

article_failed = object()
"""An article could not be checked this run: send(url=..., reason=...)."""

recording_failed = object()
"""Downloads failed while recording into a cassette: send(cassette=..., failures=[...]),
each failure one "METHOD URL: reason" line. The cassette lacks their answers."""
