"""A run report: what one crawl did, as a model, and the writers of it.

``model`` holds the facts (verdict, counts, per outcome the articles with
title, URL, entry file and reason; listings not read; articles not added;
unreadable archive files). The writers only format them: ``text`` (the
closing line scripts parse), ``markdown`` (for people), ``jsondoc`` (for
scripts); ``files`` stores a report in the archive's reports folder and
prunes old ones. Nothing here imports Scrapy; the extension that fills the
model from a crawl is ``newsspider.extensions.report``.
"""
