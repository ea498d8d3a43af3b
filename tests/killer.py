"""A pipeline that kills its own process with SIGKILL (for the resume test).

Placed after the archive pipeline, it dies right after the Nth article was
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
