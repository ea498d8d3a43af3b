"""Raw captures (WARC) of changed pages, and rebuilding entries from them."""

from __future__ import annotations

import gzip
import os

import pytest

from newsspider.archive import read_entry
from newsspider.archive.captures import (
    CaptureWriter,
    Exchange,
    capture_files,
    check_capture_file,
    read_captures,
    recover_partial_captures,
)
from newsspider.archive.rebuild import rebuild_archive
from newsspider.offline import capture_normalizer
from newsspider.page import article as page
from tests.cassette_factory import SMALL_ARCHIVE
from tests.conftest import CASSETTES, crawl_settings, make_archive, run_crawl, run_scrapy

EDITED = CASSETTES / "test_refresh" / "test_edited_page_adds_exactly_one_revision.yaml"
SEED_NAME = SMALL_ARCHIVE[0]


def replay(path):
    from vcr.cassette import Cassette
    from vcr.record_mode import RecordMode

    return Cassette.load(path=str(path), record_mode=RecordMode.NONE)


def refresh(archive, **settings):
    return run_crawl(archive, replay(EDITED), RFI_DISCOVERY=False, **settings)


def records(archive):
    return [capture for path in capture_files(archive) for capture in read_captures(path)]


@pytest.fixture
def archive(tmp_path):
    return make_archive(tmp_path / "archive", SMALL_ARCHIVE)


def test_the_page_behind_an_updated_entry_is_kept_as_received(archive):
    refresh(archive)
    [capture] = records(archive)
    current = read_entry(archive / SEED_NAME)
    assert (capture.url, capture.timestamp, capture.status) == (current.url, current.timestamp, 200)
    assert ("Content-Encoding", "gzip") in capture.headers  # headers as the server sent them
    assert current.title.encode() in capture.body  # the body reads back decoded
    [path] = capture_files(archive)
    month = os.path.basename(os.path.dirname(path))
    assert path.startswith(str(archive / "captures")) and len(month) == len("2026-12")
    assert check_capture_file(path) is None


def test_captures_none_keeps_nothing_and_all_keeps_every_page(archive, tmp_path):
    refresh(archive, ARCHIVE_CAPTURES="none")
    assert not (archive / "captures").exists()
    everything = make_archive(tmp_path / "all", SMALL_ARCHIVE)
    refresh(everything, ARCHIVE_CAPTURES="all")
    assert len(records(everything)) == len(SMALL_ARCHIVE)


def test_a_capture_file_cut_by_a_kill_is_finished_by_the_next_run(tmp_path):
    writer = CaptureWriter(tmp_path, "killed")
    exchange = Exchange("https://www.rfi.fr/cn/a", "GET", [], 200, [], gzip.compress(b"x"))
    writer.write(exchange, 1_700_000_000_000)
    partial = next((tmp_path / "captures").rglob("*.part"))
    with open(partial, "ab") as handle:
        handle.write(gzip.compress(b"WARC/1.1 half a record")[:20])  # the kill
    assert capture_files(tmp_path) == []  # a reader never meets the .part
    [finished] = recover_partial_captures(tmp_path)
    assert check_capture_file(finished) is None
    assert [c.url for c in read_captures(finished)] == ["https://www.rfi.fr/cn/a"]


def test_rebuild_repairs_what_a_broken_normalizer_wrote_and_is_then_a_no_op(
    archive, tmp_path, monkeypatch
):
    reference = make_archive(tmp_path / "reference", SMALL_ARCHIVE)
    refresh(reference)
    good = read_entry(reference / SEED_NAME).html

    with monkeypatch.context() as broken:  # a normalizer that loses every lead
        broken.setattr(page, "lead", lambda article: "<p><strong></strong></p>")
        updated = refresh(archive).stats.get_value("archive/updated")
    written = read_entry(archive / SEED_NAME)
    assert written.html != good and updated == 3  # the fourth had an empty lead anyway

    lines = []
    counts = rebuild_archive(
        str(archive), capture_normalizer(crawl_settings(archive)), report=lines.append
    )
    assert (counts.captures, counts.entries, counts.changed, counts.failed) == (3, 3, 3, 0)
    repaired = read_entry(archive / SEED_NAME)
    assert (repaired.html, repaired.timestamp) == (good, written.timestamp)
    history = sorted((archive / "history" / SEED_NAME.removesuffix(".txt")).iterdir())
    assert read_entry(history[-1]).html == written.html  # the broken version is kept

    again = run_scrapy("archive", "rebuild", str(archive))
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().splitlines()[-1] == (
        "rebuild: captures=3 entries=3 changed=0 failed=0"
    )


def test_rebuild_of_an_archive_without_captures_says_so_in_its_line(archive):
    done = run_scrapy("archive", "rebuild", str(archive))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "rebuild: captures=0 entries=0 changed=0 failed=0"


def test_archive_check_reads_every_capture_and_names_a_broken_one(archive):
    refresh(archive)
    good = run_scrapy("archive", "check", str(archive))
    assert good.returncode == 0, good.stdout
    assert "1 capture files" in good.stdout
    [path] = capture_files(archive)
    with open(path, "r+b") as handle:
        handle.truncate(os.path.getsize(path) - 10)  # damaged after it was finished
    broken = run_scrapy("archive", "check", str(archive))
    assert broken.returncode == 1
    assert f"error: {path}: not readable WARC" in broken.stdout
