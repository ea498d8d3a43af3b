"""``make demo``: the README's offline demo, as a newcomer runs it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT, run_scrapy

PROMISED = "refresh: checked=1 unchanged=1 updated=0 new=0 gone=0 failed=0"
SEED = "000_fa28d98bcef6ab2a.txt"


def make_demo(seeds: Path, archive: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        # -o setup: the suite runs inside the installed .venv; never reinstall from here
        ["make", "-o", "setup", "demo", f"DEMO_SEEDS={seeds}", f"DEMO_ARCHIVE={archive}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_demo_ends_with_the_promised_line_however_often_the_seeds_were_crawled(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    crawled = run_scrapy(
        "crawl", "rfi", "-s", "VCR_CASSETTE=cassettes/demo.yaml", "-s", f"ARCHIVE_DIR={seeds}"
    )
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    assert (seeds / ".newsspider").is_dir() and list((seeds / "reports").glob("*.json"))
    revision = seeds / "history" / SEED.removesuffix(".txt") / "1697000000000.txt"
    revision.parent.mkdir(parents=True)
    shutil.copyfile(seeds / SEED, revision)  # an older revision, as an edit leaves one

    demo = tmp_path / "demo"
    for _ in range(2):
        done = make_demo(seeds, demo)
        assert done.returncode == 0, done.stderr[-2000:]
        log = done.stderr.rstrip().splitlines()
        assert log[-1].endswith(f"INFO: {PROMISED}")
        assert any(line.endswith("refresh: 1 of 1 archived articles due") for line in log)
        assert len(list((demo / "reports").iterdir())) == 2  # this run's .md and .json only
        assert (demo / revision.relative_to(seeds)).read_bytes() == revision.read_bytes()
        assert (demo / SEED).read_bytes() == (ROOT / "seeds" / SEED).read_bytes()


def test_the_demo_refuses_to_wipe_its_source(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    done = make_demo(seeds, seeds)
    assert done.returncode == 2
    assert "DEMO_ARCHIVE is DEMO_SEEDS" in done.stderr
    assert (seeds / SEED).exists()
