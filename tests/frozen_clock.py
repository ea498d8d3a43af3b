"""Test-only extension: every capture time of this process is TEST_NOW_MS.

Two runs at different moments write different timestamps into new and updated entries;
with the same frozen clock in every process, a distributed refresh and a single-process
one can be compared byte for byte. Only newsspider's own clock readings are frozen
(Scrapy's delays and timeouts keep the real time).
"""

from __future__ import annotations

import types

from scrapy.exceptions import NotConfigured

import newsspider.loaders
import newsspider.spiders.rfi


class FrozenClock:
    @classmethod
    def from_crawler(cls, crawler):
        now_ms = crawler.settings.getint("TEST_NOW_MS")
        if not now_ms:
            raise NotConfigured
        newsspider.spiders.rfi.now_ms = lambda: now_ms
        newsspider.loaders.time = types.SimpleNamespace(time=lambda: now_ms / 1000)
        return cls()
