"""One refresh per archive at a time (cron may start the next while one runs)."""

from __future__ import annotations

import fcntl
import os

from newsspider.archive.index import STATE_DIR

LOCK_NAME = "refresh.lock"


class ArchiveLock:
    """An exclusive, non-blocking flock on ``<archive>/.newsspider/refresh.lock``.

    The kernel drops the lock when the process dies, even by SIGKILL, so a
    killed run never blocks the next one.
    """

    def __init__(self, root: str | os.PathLike):
        self.path = os.path.join(os.fspath(root), STATE_DIR, LOCK_NAME)
        self._fd: int | None = None

    def acquire(self) -> bool:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        """The pid written by the run that holds the lock, if readable."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                return handle.read().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
