"""Atomic file writes: a reader sees the old bytes or the new, never half.

Also what a failed write raises (:class:`ArchiveWriteError`) and the removal
of the temp files a killed run leaves behind.
"""

from __future__ import annotations

import contextlib
import errno as errno_codes
import os
import tempfile

HISTORY_DIR = "history"
"""Where replaced versions go: ``history/<entry stem>/<timestamp>.txt``."""
TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".part"


class ArchiveWriteError(Exception):
    """A write to the archive failed; the entry it would have replaced is intact.

    ``str()`` is one line naming the file and the reason; ``errno`` is the
    symbolic errno (``"ENOSPC"``, ``"EROFS"``…) when the OS gave one.
    """

    def __init__(self, path: str, reason: str, errno: str | None = None):
        self.path = path
        self.reason = reason
        self.errno = errno
        super().__init__(f"cannot write {path}: {reason}" + (f" ({errno})" if errno else ""))

    @classmethod
    def from_os_error(cls, path: str | os.PathLike, exc: OSError) -> ArchiveWriteError:
        """The one-line form of an OSError met while writing ``path``."""
        symbol = errno_codes.errorcode.get(exc.errno) if exc.errno else None
        return cls(os.fspath(path), exc.strerror or str(exc) or type(exc).__name__, symbol)


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


def atomic_write(
    path: str | os.PathLike, data: bytes, *, sync_folder: bool = True
) -> os.stat_result:
    """Write ``data`` to ``path`` through a temp file in the same folder; return its stat.

    The temp file is fsynced before it is renamed over ``path``, so a crash (or
    kill -9) leaves either the previous file or the new one, never a mix (and
    at worst a ``.tmp-*.part`` file, see :func:`remove_stale_temp_files`).
    Then the folder is fsynced, which makes the rename itself durable; with
    ``sync_folder=False`` the caller does that later (:func:`fsync_dir`):
    until then a power loss may bring back the previous file, whole. On any
    error the temp file is removed and the OSError propagates; ``path`` is
    untouched unless only the final folder fsync failed.
    """
    path = os.fspath(path)
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        try:
            os.fchmod(fd, _FILE_MODE)  # mkstemp's 0600 would hide the archive from its readers
            view = memoryview(data)
            while view:  # unbuffered, so a full disk fails here and not in a later close()
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            written = os.fstat(fd)  # size and mtime as the folder will list them
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_folder:
        fsync_dir(folder)
    return written


def fsync_dir(folder: str) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_temp_file(name: str) -> bool:
    """True for the name of a temp file :func:`atomic_write` makes."""
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def remove_stale_temp_files(root: str | os.PathLike, *folders: str) -> list[str]:
    """Delete the temp files a killed run left; return their paths.

    Looks in the archive folder, in every ``history/<stem>/`` folder and in
    ``folders`` (relative to ``root``, e.g. the reports folder). Only call it
    while holding the archive's run lock: a running writer's temp file is not
    stale. A file that cannot be removed is left (and not returned).
    """
    root = os.fspath(root)
    places = [root, *(os.path.join(root, f) for f in folders)]
    history = os.path.join(root, HISTORY_DIR)
    with contextlib.suppress(OSError):
        places += [item.path for item in os.scandir(history) if item.is_dir()]
    removed = []
    for place in places:
        try:
            names = os.listdir(place)
        except OSError:
            continue  # no such folder (no history yet, no reports yet)
        for name in sorted(filter(is_temp_file, names)):
            path = os.path.join(place, name)
            try:
                os.unlink(path)
            except OSError:
                continue
            removed.append(path)
    return removed
