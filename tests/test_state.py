"""The crawl state: a damaged file is moved aside, a full disk is one clear error."""

from __future__ import annotations

import logging
import re
import sqlite3

import pytest

from newsspider.archive.state import CrawlState
from newsspider.archive.writer import ArchiveWriteError
from tests.small_disk import fill, small_disk_fixture  # noqa: F401 (a fixture: used by name)

URL = "https://www.rfi.fr/cn/法国/20261126-测试"
ASIDE = re.compile(r"state\.sqlite3\.corrupt-\d{8}T\d{6}Z")


def state_file(archive):
    return archive / ".newsspider" / "state.sqlite3"


def remembered(archive) -> dict:
    with CrawlState.open(archive) as state:
        return state.all()


def wrong_columns(path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE checks (url TEXT PRIMARY KEY, seen INTEGER)")
    db.execute("INSERT INTO checks VALUES ('x', 1)")
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.write_bytes(b"\x00garbage" * 900), id="garbage"),
        pytest.param(lambda path: path.write_bytes(path.read_bytes()[:1000]), id="truncated"),
        pytest.param(lambda path: (path.unlink(), wrong_columns(path)), id="wrong-columns"),
    ],
)
def test_a_damaged_state_is_moved_aside_and_the_run_starts_afresh(tmp_path, caplog, damage):
    with CrawlState.open(tmp_path) as state:
        for number in range(200):
            state.record_check(f"{URL}/{number}", 1000, changed=True, etag=f'"{number}"')
    damage(state_file(tmp_path))
    damaged = state_file(tmp_path).read_bytes()
    with caplog.at_level(logging.WARNING), CrawlState.open(tmp_path) as state:
        assert state.all() == {}
        state.record_check(URL, 2000, changed=False, etag='"e"')
    assert remembered(tmp_path)[URL].etag == '"e"'
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING and str(state_file(tmp_path)) in warning.message
    [aside] = [p for p in state_file(tmp_path).parent.iterdir() if "corrupt" in p.name]
    assert ASIDE.fullmatch(aside.name) and aside.name in warning.message
    assert aside.read_bytes() == damaged  # kept for a post-mortem


def test_the_damaged_state_goes_aside_with_its_wal_and_shm(tmp_path):
    folder = tmp_path / ".newsspider"
    folder.mkdir()
    (folder / "state.sqlite3").write_bytes(b"not a database" * 100)
    (folder / "state.sqlite3-shm").write_bytes(b"\x01" * 32768)
    with CrawlState.open(tmp_path) as state:
        state.record_check(URL, 1, changed=True)
    names = sorted(p.name for p in folder.iterdir())
    [aside] = [n for n in names if ASIDE.fullmatch(n)]
    assert f"{aside}-shm" in names
    assert remembered(tmp_path)[URL].last_checked_ms == 1


def test_a_healthy_state_is_kept_without_a_word(tmp_path, caplog):
    with CrawlState.open(tmp_path) as state:
        state.record_check(URL, 1000, changed=True)
    with caplog.at_level(logging.WARNING):
        assert remembered(tmp_path)[URL].last_changed_ms == 1000
    assert caplog.records == []


def test_a_state_that_cannot_grow_raises_one_line_archive_write_error(tmp_path):
    with CrawlState.open(tmp_path) as state:
        state.record_check(URL, 1000, changed=True)
        pages = state.db.execute("PRAGMA page_count").fetchone()[0]
        state.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full"
        with pytest.raises(ArchiveWriteError) as failure:
            for number in range(1000):
                state.record_listed(f"{URL}/{number}", number)
    assert failure.value.errno == "ENOSPC"
    assert str(failure.value) == (
        f"cannot write {state_file(tmp_path)}: database or disk is full (ENOSPC)"
    )
    assert remembered(tmp_path)[URL].last_changed_ms == 1000


def test_a_full_disk_fails_state_writes_and_keeps_what_was_recorded(small_disk):
    with CrawlState.open(small_disk) as state:
        state.record_check(URL, 1000, changed=True)
        fill(small_disk)
        with pytest.raises(ArchiveWriteError) as failure:
            for number in range(5000):
                state.record_check(f"{URL}/{number}", 2000, changed=True, etag="x" * 500)
    assert failure.value.errno == "ENOSPC"
    (small_disk / "filler.bin").unlink()
    assert remembered(small_disk)[URL].last_changed_ms == 1000


def test_opening_the_state_on_a_full_disk_is_one_enospc_error(small_disk):
    with CrawlState.open(small_disk) as state:
        state.record_check(URL, 1000, changed=True)
    fill(small_disk)
    with pytest.raises(ArchiveWriteError) as failure:
        CrawlState.open(small_disk).close()
    assert failure.value.errno == "ENOSPC" and "\n" not in str(failure.value)
    assert not [p for p in (small_disk / ".newsspider").iterdir() if "corrupt" in p.name]


def test_checks_are_committed_in_batches_and_at_close(tmp_path):
    state = CrawlState.open(tmp_path, commit_every=3, commit_seconds=3600)
    state.record_check(f"{URL}/1", 1000, changed=True)
    state.record_check(f"{URL}/2", 1000, changed=True)
    assert remembered(tmp_path) == {}  # what another process (a later run) would see
    state.record_check(f"{URL}/3", 1000, changed=True)
    assert len(remembered(tmp_path)) == 3
    state.record_listed(f"{URL}/4", 2000)
    state.close()
    assert remembered(tmp_path)[f"{URL}/4"].listed_lastmod_ms == 2000


def test_a_check_waits_at_most_commit_seconds(tmp_path, monkeypatch):
    from newsspider.archive import state as state_module

    clock = [100.0]
    monkeypatch.setattr(state_module.time, "monotonic", lambda: clock[0])
    with CrawlState.open(tmp_path, commit_every=100, commit_seconds=5) as state:
        state.record_check(f"{URL}/1", 1000, changed=True)
        clock[0] += 4.9
        state.record_check(f"{URL}/2", 1000, changed=True)
        assert remembered(tmp_path) == {}
        clock[0] += 0.2
        state.record_check(f"{URL}/3", 1000, changed=True)
        assert len(remembered(tmp_path)) == 3


def test_reads_see_the_pending_checks(tmp_path):
    with CrawlState.open(tmp_path, commit_every=100, commit_seconds=3600) as state:
        state.record_check(URL, 1000, changed=True, etag='"a"')
        state.record_check(URL, 2000, changed=False)
        assert state.get(URL).etag == '"a"' and state.get(URL).last_checked_ms == 2000


def test_a_batch_is_committed_only_after_the_hook_made_its_writes_durable(tmp_path):
    events = []

    def sync():
        events.append(("sync", len(remembered(tmp_path))))

    with CrawlState.open(tmp_path, commit_every=2, before_commit=sync) as state:
        state.record_check(f"{URL}/1", 1000, changed=True)
        state.record_check(f"{URL}/2", 1000, changed=True)
        assert events == [("sync", 0)] and len(remembered(tmp_path)) == 2


def test_a_failed_hook_commits_nothing_and_is_one_error(tmp_path):
    def failing():
        raise ArchiveWriteError(str(tmp_path), "Input/output error", "EIO")

    with CrawlState.open(tmp_path, commit_every=2, before_commit=failing) as state:
        state.record_check(f"{URL}/1", 1000, changed=True)
        with pytest.raises(ArchiveWriteError, match="EIO"):
            state.record_check(f"{URL}/2", 1000, changed=True)
        state.before_commit = None
        state.record_check(f"{URL}/3", 1000, changed=True)  # the next batch may fit
    assert list(remembered(tmp_path)) == [f"{URL}/3"]


def test_a_commit_that_fails_at_close_is_one_error_line_not_a_traceback(tmp_path, caplog):
    state = CrawlState.open(tmp_path, commit_every=100, commit_seconds=3600)
    state.record_check(URL, 1000, changed=True)
    pages = state.db.execute("PRAGMA page_count").fetchone()[0]
    state.db.execute(f"PRAGMA max_page_count = {pages}")
    for number in range(50):
        state.record_check(f"{URL}/{number}", 1000, changed=True, etag="x" * 2000)
    with caplog.at_level(logging.ERROR):
        state.close()
    [error] = caplog.records
    assert str(state_file(tmp_path)) in error.message and "ENOSPC" in error.message
    assert "\n" not in error.message
    assert remembered(tmp_path) == {}
