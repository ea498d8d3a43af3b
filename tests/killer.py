"""Components that kill their own process with SIGKILL (the resume and worker tests).

KillAfterItems, placed after the archive pipeline, dies right after the Nth article was
handled: no shutdown, no signal handler, no flush, as with ``kill -9``.
"""

import os
import signal


class KillAfterItems:
    def __init__(self, after: int):
        self.after = after
        self.seen = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("KILL_AFTER_ITEMS"))

    def process_item(self, item):
        self.seen += 1
        if self.seen >= self.after:
            os.kill(os.getpid(), signal.SIGKILL)
        return item


class KillAfterResponses:
    """A downloader middleware that SIGKILLs its process when its Nth response arrives
    (KILL_AFTER_RESPONSES): a worker dies holding requests it took and never handed back."""

    def __init__(self, after: int):
        self.after = after
        self.seen = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("KILL_AFTER_RESPONSES"))

    def process_response(self, request, response):
        if not request.url.endswith("/robots.txt"):
            self.seen += 1
            if self.seen >= self.after:
                os.kill(os.getpid(), signal.SIGKILL)
        return response
