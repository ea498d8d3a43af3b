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


class KillInsideWrite:
    """An extension that SIGKILLs its process in the middle of the first entry write.

    The old version is already copied to history/ and half of the new one sits in
    a temp file beside the entry: exactly where a kill -9 hurts most.
    """

    def __init__(self, root: str):
        from newsspider.archive import writer

        atomic_write = writer.atomic_write

        def dying_write(path, data, **options):
            if os.path.dirname(os.path.abspath(path)) == root:  # an entry, not a revision
                with open(os.path.join(root, ".tmp-killed.part"), "wb") as handle:
                    handle.write(data[: len(data) // 2])
                os.kill(os.getpid(), signal.SIGKILL)
            return atomic_write(path, data, **options)

        writer.atomic_write = dying_write

    @classmethod
    def from_crawler(cls, crawler):
        return cls(os.path.abspath(crawler.settings["ARCHIVE_DIR"]))


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
