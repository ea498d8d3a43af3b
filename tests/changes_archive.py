"""A small real archive with one of each change: an edit, a new article, a gone one.

Built from real samples through the archive's own writer, so history/ and the
gone record are exactly what a crawl leaves. Used by the tests of
``archive diff|show|log|publish`` and by ``docs/screenshots/make_change_page.py``.
"""

from __future__ import annotations

from pathlib import Path

from newsspider.archive.entry import Entry, read_entry
from newsspider.archive.index import ArchiveIndex
from newsspider.archive.writer import ArchiveWriter
from tests.conftest import make_archive

SEED = "seed_000_fa28d98bcef6ab2a.txt"
NEW = "duty-machine-news_rfi_999998.md"
GONE = "duty-machine-news_rfi_1000000.md"
HOUR_MS = 3_600_000
# The edit: a few characters in the lead and in paragraphs 1 and 3, as RFI edits read.
EDITS = (
    ("上个月，当朝鲜最高领导人", "九月，当朝鲜最高领导人"),
    ("约翰·柯比(John Kirby)周五表示", "约翰·柯比(John Kirby)13日表示"),
    ("其他材料和其", "其他物资和其"),
)


def edited(entry: Entry, when_ms: int) -> Entry:
    html = entry.html
    for old, new in EDITS:
        assert old in html, old
        html = html.replace(old, new, 1)
    return Entry(when_ms, entry.title, entry.url, html)


def build_changes_archive(folder: Path) -> Path:
    """seed (edited an hour after capture), 999998 (new), 1000000 (gone: 404)."""
    archive = make_archive(folder, [SEED, NEW, GONE])
    seed = read_entry(archive / SEED)
    gone = read_entry(archive / GONE)
    with ArchiveIndex.open(archive) as index:
        writer = ArchiveWriter(index)
        writer.revise(SEED, edited(seed, seed.timestamp + HOUR_MS))
        writer.mark_gone(GONE, gone.url, 404, seed.timestamp + 2 * HOUR_MS)
    return archive


if __name__ == "__main__":  # make changes-demo
    import shutil
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "build/changes-demo")
    shutil.rmtree(target, ignore_errors=True)
    print(f"built {build_changes_archive(target)}")
